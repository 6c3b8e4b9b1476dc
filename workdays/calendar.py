"""Working-day arithmetic (行政许可法 art. 82): pure functions over an immutable `Calendar`.

Counting starts the day after the start: `add_working_days(cal, d, 0) == d` and
`count_working_days(cal, s, add_working_days(cal, s, n)) == n`. Every day the arithmetic looks at
must lie in the calendar's years, otherwise `OutOfCalendar` is raised: the calendar never guesses.
The start itself is not looked at, so it may lie anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# More working days than any legal limit, extensions included, will ever need.
MAX_DAYS = 3650

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """The calendar as loaded from the database (see `workdays.selectors.calendar_current`)."""

    years: frozenset[int]
    holidays: frozenset[date]
    makeup_days: frozenset[date]
    provisional_years: frozenset[int] = frozenset()
    names: Mapping[date, str] = field(default_factory=dict)

    @property
    def first_year(self) -> int | None:
        return min(self.years) if self.years else None

    @property
    def last_year(self) -> int | None:
        return max(self.years) if self.years else None

    def check(self, day: date) -> None:
        """Raise `OutOfCalendar` unless `day` lies in one of the calendar's years."""
        if day.year not in self.years:
            raise OutOfCalendar(self, day)


class OutOfCalendar(ValidationError):  # noqa: N818 -- the name the issue gives
    """A date the calendar does not cover: an administrator must add its year first."""

    def __init__(self, calendar: Calendar, day: date) -> None:
        self.date = day
        if calendar.years:
            message = _(
                "%(date)s lies outside the working-day calendar (%(first)s–%(last)s): "
                "an administrator must add that year first."
            ) % {"date": day.isoformat(), "first": calendar.first_year, "last": calendar.last_year}
        else:
            message = _(
                "%(date)s cannot be counted: the working-day calendar is empty. "
                "An administrator must add that year first."
            ) % {"date": day.isoformat()}
        super().__init__(message, code="out_of_calendar")


@dataclass(frozen=True)
class NamedDay:
    date: date
    name: str


@dataclass(frozen=True)
class Explanation:
    """How a working-day answer came about.

    A holiday that falls on a weekend is listed among the holidays, not counted as a weekend day.
    `provisional_years` are the provisional years of the days counted over: an answer that
    depends on them may change when their official schedule is imported.
    """

    start: date
    end: date
    working_days: int
    holidays_skipped: tuple[NamedDay, ...]
    makeup_days: tuple[NamedDay, ...]
    weekend_days_skipped: int
    provisional_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def is_working_day(cal: Calendar, day: date) -> bool:
    cal.check(day)
    if day in cal.makeup_days:
        return True
    return day.weekday() < 5 and day not in cal.holidays


def working_days_in_year(cal: Calendar, year: int) -> int:
    if year not in cal.years:
        raise OutOfCalendar(cal, date(year, 1, 1))
    day, last, count = date(year, 1, 1), date(year, 12, 31), 0
    while day <= last:
        count += is_working_day(cal, day)
        day += _ONE_DAY
    return count


def _check_days(days: int) -> None:
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(
            _("The number of working days must lie between 0 and %(max)s, not %(days)s.")
            % {"max": MAX_DAYS, "days": days},
            code="days_out_of_bounds",
        )


def _check_order(start: date, end: date) -> None:
    if end < start:
        raise ValidationError(
            _("The end %(end)s lies before the start %(start)s: swap them.")
            % {"end": end.isoformat(), "start": start.isoformat()},
            code="end_before_start",
        )


def add_working_days(cal: Calendar, start: date, days: int) -> date:
    """The day on which `days` working days after `start` are over."""
    _check_days(days)
    day, counted = start, 0
    while counted < days:
        day += _ONE_DAY
        counted += is_working_day(cal, day)
    return day


def working_day_with_days_left(cal: Calendar, end: date, days: int) -> date:
    """The last working day on or before `end` with at least `days` working days left until
    `end` (counted as `count_working_days` does): a due date's warning day."""
    _check_days(days)
    day, counted = end, 0
    while counted < days:
        counted += is_working_day(cal, day)
        day -= _ONE_DAY
    while not is_working_day(cal, day):
        day -= _ONE_DAY
    return day


def count_working_days(cal: Calendar, start: date, end: date) -> int:
    """The working days in (start, end]; raises a `ValidationError` when end is before start."""
    _check_order(start, end)
    day, counted = start, 0
    while day < end:
        day += _ONE_DAY
        counted += is_working_day(cal, day)
    return counted


class _Explainer:
    def __init__(self, cal: Calendar, start: date) -> None:
        self.cal = cal
        self.start = start
        self.end = start
        self.working_days = 0
        self.holidays: list[NamedDay] = []
        self.makeup: list[NamedDay] = []
        self.weekend_days = 0
        self.years: set[int] = set()

    def step(self) -> None:
        day = self.end + _ONE_DAY
        working = is_working_day(self.cal, day)
        self.end = day
        self.years.add(day.year)
        name = self.cal.names.get(day, "")
        if working:
            self.working_days += 1
            if day in self.cal.makeup_days:
                self.makeup.append(NamedDay(day, name))
        elif day in self.cal.holidays:
            self.holidays.append(NamedDay(day, name))
        else:
            self.weekend_days += 1

    def result(self) -> Explanation:
        return Explanation(
            start=self.start,
            end=self.end,
            working_days=self.working_days,
            holidays_skipped=tuple(self.holidays),
            makeup_days=tuple(self.makeup),
            weekend_days_skipped=self.weekend_days,
            provisional_years=tuple(sorted(self.years & self.cal.provisional_years)),
        )


def explain_add(cal: Calendar, start: date, days: int) -> Explanation:
    """`add_working_days` with its reasons; the answer is `.end`."""
    _check_days(days)
    explainer = _Explainer(cal, start)
    while explainer.working_days < days:
        explainer.step()
    return explainer.result()


def explain_count(cal: Calendar, start: date, end: date) -> Explanation:
    """`count_working_days` with its reasons; the answer is `.working_days`."""
    _check_order(start, end)
    explainer = _Explainer(cal, start)
    while explainer.end < end:
        explainer.step()
    return explainer.result()
