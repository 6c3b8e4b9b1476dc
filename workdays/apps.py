from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_empty_calendar(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Give every fresh database (test databases too) a calendar, seeded from the package."""
    from workdays.models import CalendarYear
    from workdays.services import calendar_seed, default_seed_years

    if using != DEFAULT_DB_ALIAS:
        return
    if CalendarYear._meta.db_table not in connections[using].introspection.table_names():
        return
    if CalendarYear.objects.exists():
        return
    first_year, last_year = default_seed_years()
    calendar_seed(first_year=first_year, last_year=last_year)


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("Working days")

    def ready(self) -> None:
        post_migrate.connect(
            _seed_empty_calendar, sender=self, dispatch_uid="workdays.seed_empty_calendar"
        )
