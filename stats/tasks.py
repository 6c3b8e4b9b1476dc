"""Periodic work of the statistics: the rollups follow the cases every minute and are counted
again from the cases every night."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from stats.services import stats_rollup_catch_up, stats_rollup_rebuild


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def stats_rollup_task() -> int:
    """The dashboards' case figures are at most a minute behind the cases."""
    return stats_rollup_catch_up()


@db_periodic_task(crontab(hour="2", minute="40"))  # type: ignore[untyped-decorator]
def stats_rollup_rebuild_task() -> int:
    """A check at night: whatever the refresh missed (a bulk import) is counted again."""
    return stats_rollup_rebuild().changed
