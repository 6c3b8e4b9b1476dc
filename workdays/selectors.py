"""Reads of the working-day calendar."""

from datetime import date

from django.core.cache import cache

from workdays.calendar import Calendar
from workdays.models import CalendarVersion, CalendarYear, DayKind, Holiday, YearStatus

_CACHE_SECONDS = 24 * 3600


def calendar_version() -> str:
    """The token of the calendar's current state: it changes with every edit ("" before any)."""
    token = CalendarVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or ""


def calendar_load() -> Calendar:
    """The calendar straight from the database, bypassing the cache."""
    years = dict(CalendarYear.objects.values_list("year", "status"))
    holidays: set[date] = set()
    makeup: set[date] = set()
    names: dict[date, str] = {}
    for day, kind, name in Holiday.objects.filter(date__year__in=years).values_list(
        "date", "kind", "name"
    ):
        (makeup if kind == DayKind.WORKDAY else holidays).add(day)
        names[day] = name
    return Calendar(
        years=frozenset(years),
        holidays=frozenset(holidays),
        makeup_days=frozenset(makeup),
        provisional_years=frozenset(y for y, s in years.items() if s == YearStatus.PROVISIONAL),
        names=names,
    )


def calendar_current() -> Calendar:
    """The calendar, from the Django cache while its version token holds.

    The token lives in the database, so every process (web workers, Huey workers) sees an edit
    at once, whatever the cache backend. It is read before the rows: a calendar cached under a
    token is never older than that token.
    """
    version = calendar_version()
    if not version:
        return calendar_load()
    key = f"workdays:calendar:{version}"
    calendar: Calendar | None = cache.get(key)
    if calendar is None:
        calendar = calendar_load()
        cache.set(key, calendar, _CACHE_SECONDS)
    return calendar
