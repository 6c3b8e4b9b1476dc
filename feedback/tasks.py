"""Periodic work of feedback: text a rating link for each newly concluded case."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from feedback.services import rating_links_send_due


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def rating_links_send_task() -> int:
    """Applicants get the link within ten minutes of the conclusion."""
    return rating_links_send_due()
