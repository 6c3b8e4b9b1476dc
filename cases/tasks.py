"""Periodic work of the cases: the personal data of cases past the retention period goes nightly."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cases.retention import cases_anonymise_expired


@db_periodic_task(crontab(hour="3", minute="20"))  # type: ignore[untyped-decorator]
def cases_retention_task() -> int:
    """Once a day, at a quiet hour: the cases whose retention period ended since yesterday."""
    run = cases_anonymise_expired()
    return run.anonymised if run is not None else 0
