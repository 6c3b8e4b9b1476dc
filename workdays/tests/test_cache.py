from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workdays.calendar import Calendar, is_working_day
from workdays.models import DayKind, Holiday, Source
from workdays.selectors import calendar_current, calendar_version
from workdays.services import calendar_import_csv, holiday_save, holidays_delete
from workdays.tests.conftest import CSV_2027


def test_the_version_changes_after_an_edit(calendar: Calendar) -> None:
    before = calendar_version()
    holiday_save(holiday=Holiday(date=date(2026, 11, 27), kind=DayKind.HOLIDAY, name="本地节日"))
    assert calendar_version() not in ("", before)


def test_a_saved_day_is_seen_by_the_next_reader(calendar: Calendar) -> None:
    assert is_working_day(calendar_current(), date(2026, 11, 27))
    holiday = holiday_save(
        holiday=Holiday(date=date(2026, 11, 27), kind=DayKind.HOLIDAY, name="本地节日")
    )
    assert holiday.source == Source.MANUAL
    assert not is_working_day(calendar_current(), date(2026, 11, 27))
    holidays_delete(holidays=[holiday])
    assert is_working_day(calendar_current(), date(2026, 11, 27))


def test_an_import_changes_the_version(calendar: Calendar) -> None:
    before = calendar_version()
    calendar_import_csv(year=2027, text=CSV_2027)
    assert calendar_version() != before
    assert 2027 not in calendar_current().provisional_years


@pytest.mark.django_db
def test_the_cached_calendar_is_reused_while_nothing_changes() -> None:
    calendar_current()
    with CaptureQueriesContext(connection) as queries:
        calendar_current()
    assert len(queries) == 1
