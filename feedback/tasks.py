"""Periodic work of feedback: text a rating link for each newly concluded case; every night, take
the raters and complainants out of ratings and work orders past retention."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from feedback.retention import ratings_anonymise_expired
from feedback.services import rating_links_send_due
from workorders.retention import work_orders_anonymise_expired


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def rating_links_send_task() -> int:
    """Applicants get the link within ten minutes of the conclusion."""
    return rating_links_send_due()


@db_periodic_task(crontab(hour="3", minute="30"))  # type: ignore[untyped-decorator]
def feedback_retention_task() -> int:
    """Once a day, at a quiet hour, after the cases' and the hall's own."""
    return sum(
        run[1]
        for run in (ratings_anonymise_expired(), work_orders_anonymise_expired())
        if run is not None
    )
