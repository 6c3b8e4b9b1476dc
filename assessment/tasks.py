"""Periodic work of the assessment: last month closed on the first day of the next."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from assessment.services import months_close_due


@db_periodic_task(crontab(day="1", hour="1", minute="0"))  # type: ignore[untyped-decorator]
def months_close_task() -> int:
    """Each center's last month is closed once; a month already closed is left as it is."""
    return len(months_close_due())
