"""Periodic work of supervision: the sweep every minute (light alerts, violations, late notices)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from supervision.services import SweepResult, supervision_sweep


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def supervision_sweep_task() -> SweepResult:
    """Alerts reach the inbox within a minute of a light's change."""
    return supervision_sweep()
