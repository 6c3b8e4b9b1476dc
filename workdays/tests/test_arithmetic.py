from datetime import date

import pytest
from django.core.exceptions import ValidationError

from workdays.calendar import (
    Calendar,
    OutOfCalendar,
    add_working_days,
    count_working_days,
    explain_add,
    explain_count,
    is_working_day,
    working_day_with_days_left,
    working_days_in_year,
)


def tiny_calendar() -> Calendar:
    return Calendar(
        years=frozenset({2030}),
        holidays=frozenset({date(2030, 10, 1), date(2030, 10, 2)}),
        makeup_days=frozenset({date(2030, 10, 5)}),
        provisional_years=frozenset({2030}),
        names={date(2030, 10, 1): "国庆节", date(2030, 10, 5): "国庆节调休上班"},
    )


def test_five_working_days_after_national_day_eve_end_on_the_makeup_saturday(
    calendar: Calendar,
) -> None:
    assert add_working_days(calendar, date(2026, 9, 28), 5) == date(2026, 10, 10)


def test_2026_has_248_working_days(calendar: Calendar) -> None:
    assert working_days_in_year(calendar, 2026) == 248


def test_adding_zero_days_gives_the_start(calendar: Calendar) -> None:
    assert add_working_days(calendar, date(2026, 10, 3), 0) == date(2026, 10, 3)


@pytest.mark.parametrize("days", [0, 1, 5, 20, 45, 300])
def test_counting_undoes_adding(calendar: Calendar, days: int) -> None:
    start = date(2026, 9, 28)
    assert count_working_days(calendar, start, add_working_days(calendar, start, days)) == days


def test_counting_starts_the_day_after_the_start(calendar: Calendar) -> None:
    assert count_working_days(calendar, date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert count_working_days(calendar, date(2026, 11, 23), date(2026, 11, 24)) == 1


def test_counting_backwards_is_refused(calendar: Calendar) -> None:
    with pytest.raises(ValidationError, match="before the start"):
        count_working_days(calendar, date(2026, 10, 10), date(2026, 10, 1))


def test_makeup_saturday_is_a_working_day_and_national_day_is_not(calendar: Calendar) -> None:
    assert is_working_day(calendar, date(2026, 10, 10))
    assert not is_working_day(calendar, date(2026, 10, 1))
    assert not is_working_day(calendar, date(2026, 10, 11))


def test_explanation_names_the_holidays_and_makeup_days(calendar: Calendar) -> None:
    explanation = explain_add(calendar, date(2026, 9, 28), 5)
    assert explanation.end == date(2026, 10, 10)
    assert explanation.working_days == 5
    assert [d.date for d in explanation.holidays_skipped] == [
        date(2026, 10, d) for d in (1, 2, 3, 5, 6, 7)
    ]
    assert {d.name for d in explanation.holidays_skipped} >= {"国庆节"}
    assert [(d.date, d.name) for d in explanation.makeup_days] == [
        (date(2026, 10, 10), "国庆节调休上班")
    ]
    assert explanation.weekend_days_skipped == 1
    assert not explanation.provisional


def test_crossing_into_a_provisional_year_is_flagged(calendar: Calendar) -> None:
    explanation = explain_add(calendar, date(2026, 12, 25), 10)
    assert explanation.provisional
    assert explanation.provisional_years == (2027,)
    counted = explain_count(calendar, date(2026, 12, 1), date(2028, 1, 10))
    assert counted.provisional_years == (2027, 2028)


def test_staying_in_an_official_year_is_not_provisional(calendar: Calendar) -> None:
    assert not explain_count(calendar, date(2026, 1, 1), date(2026, 12, 31)).provisional


def test_a_date_beyond_the_calendar_is_refused_with_the_date_and_the_range(
    calendar: Calendar,
) -> None:
    with pytest.raises(OutOfCalendar) as caught:
        count_working_days(calendar, date(2028, 12, 20), date(2031, 1, 5))
    assert "2029-01-01" in caught.value.messages[0]
    assert "2019–2028" in caught.value.messages[0]
    with pytest.raises(OutOfCalendar, match="2031-01-05"):
        is_working_day(calendar, date(2031, 1, 5))


def test_adding_past_the_last_year_is_refused_rather_than_guessed(calendar: Calendar) -> None:
    with pytest.raises(OutOfCalendar):
        add_working_days(calendar, date(2028, 12, 1), 60)


def test_too_many_days_are_refused(calendar: Calendar) -> None:
    with pytest.raises(ValidationError, match="between 0 and 3650"):
        add_working_days(calendar, date(2026, 1, 1), -1)


def test_pure_calendar_needs_no_database() -> None:
    cal = tiny_calendar()
    assert add_working_days(cal, date(2030, 9, 30), 1) == date(2030, 10, 3)
    assert add_working_days(cal, date(2030, 10, 4), 1) == date(2030, 10, 5)
    explanation = explain_count(cal, date(2030, 9, 30), date(2030, 10, 7))
    assert explanation.working_days == 4
    assert explanation.weekend_days_skipped == 1
    assert explanation.provisional_years == (2030,)


def test_an_empty_calendar_refuses_every_date() -> None:
    empty = Calendar(years=frozenset(), holidays=frozenset(), makeup_days=frozenset())
    with pytest.raises(OutOfCalendar, match="empty"):
        is_working_day(empty, date(2026, 1, 1))


def test_the_warning_day_steps_back_over_weekends_and_holidays(calendar: Calendar) -> None:
    assert working_day_with_days_left(calendar, date(2026, 11, 9), 1) == date(2026, 11, 6)
    assert working_day_with_days_left(calendar, date(2026, 10, 10), 1) == date(2026, 10, 9)
    # Two working days before the make-up Saturday, three reach back over the holidays.
    assert working_day_with_days_left(calendar, date(2026, 10, 10), 2) == date(2026, 10, 8)
    assert working_day_with_days_left(calendar, date(2026, 10, 10), 3) == date(2026, 9, 30)
    for days in range(6):
        warn = working_day_with_days_left(calendar, date(2026, 10, 10), days)
        assert is_working_day(calendar, warn)
        assert count_working_days(calendar, warn, date(2026, 10, 10)) == days
