from datetime import date

import pytest
from django.core.management import call_command

from workdays.models import CalendarYear, DayKind, Holiday, Source, YearStatus
from workdays.services import calendar_seed


@pytest.mark.django_db
def test_a_fresh_database_has_a_calendar_from_2019() -> None:
    years = dict(CalendarYear.objects.values_list("year", "status"))
    assert min(years) == 2019
    assert years[2026] == YearStatus.OFFICIAL


@pytest.mark.django_db
def test_years_without_makeup_days_are_provisional() -> None:
    calendar_seed(first_year=2026, last_year=2028)
    years = dict(CalendarYear.objects.filter(year__gte=2026).values_list("year", "status"))
    assert years == {
        2026: YearStatus.OFFICIAL,
        2027: YearStatus.PROVISIONAL,
        2028: YearStatus.PROVISIONAL,
    }


@pytest.mark.django_db
def test_seeding_stores_chinese_names_and_makeup_days() -> None:
    calendar_seed(first_year=2026, last_year=2026)
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    makeup = Holiday.objects.get(date=date(2026, 10, 10))
    assert (makeup.kind, makeup.source) == (DayKind.WORKDAY, Source.PACKAGE)


@pytest.mark.django_db
def test_seeding_twice_creates_nothing_the_second_time() -> None:
    calendar_seed(first_year=2019, last_year=2028)
    assert calendar_seed(first_year=2019, last_year=2028) == 0


@pytest.mark.django_db
def test_seeding_keeps_days_entered_by_hand() -> None:
    Holiday.objects.filter(date=date(2026, 10, 1)).update(name="本地节日", source=Source.MANUAL)
    Holiday.objects.filter(date=date(2026, 10, 2)).delete()
    calendar_seed(first_year=2026, last_year=2026)
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "本地节日"
    assert Holiday.objects.get(date=date(2026, 10, 2)).name == "国庆节"


@pytest.mark.django_db
def test_seeding_leaves_an_imported_year_alone() -> None:
    CalendarYear.objects.filter(year=2026).update(source=Source.OFFICIAL)
    Holiday.objects.filter(date=date(2026, 10, 2)).delete()
    assert calendar_seed(first_year=2026, last_year=2026) == 0
    assert not Holiday.objects.filter(date=date(2026, 10, 2)).exists()


@pytest.mark.django_db
def test_seed_command_reports_the_provisional_years() -> None:
    from io import StringIO

    out = StringIO()
    call_command("seed_calendar", "--first-year", "2030", "--last-year", "2030", stdout=out)
    assert "2030" in out.getvalue()
    assert CalendarYear.objects.get(year=2030).status == YearStatus.PROVISIONAL
