"""Periodic work of work orders: the reminder before and the late notice after a due date."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from workorders.services import SweepResult, work_orders_sweep


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def work_orders_sweep_task() -> SweepResult:
    """Each order's reminder and late notice are claimed once, whichever worker runs first."""
    return work_orders_sweep()
