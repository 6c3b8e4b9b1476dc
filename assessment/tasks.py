"""Periodic work of the assessment: assessment rounds closed after their last day of scoring,
and last month closed on the first day of the next."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from assessment.services import months_close_due, rounds_close_due


@db_periodic_task(crontab(day="1", hour="1", minute="0"))  # type: ignore[untyped-decorator]
def months_close_task() -> int:
    """Each center's last month is closed once; a month already closed is left as it is."""
    return len(months_close_due())


@db_periodic_task(crontab(hour="0", minute="30"))  # type: ignore[untyped-decorator]
def rounds_close_task() -> int:
    """Rounds whose last day of scoring is past are closed before the month's close at 01:00, so
    that their results count in it."""
    return len(rounds_close_due())
