"""Periodic work of supervision: the sweep every minute (light alerts, violations, late notices),
and the efficiency rollups of the running and previous month every ten minutes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from supervision.services import SweepResult, efficiency_rollup_refresh, supervision_sweep


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def supervision_sweep_task() -> SweepResult:
    """Alerts reach the inbox within a minute of a light's change."""
    return supervision_sweep()


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def efficiency_rollup_task() -> int:
    """The efficiency page reads whole months from the rollups and counts only what was
    concluded since the last round live: at most ten minutes of cases."""
    return efficiency_rollup_refresh()
