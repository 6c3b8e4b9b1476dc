"""Efficiency after the fact (事后监察): concluded cases by department, item, counter and person."""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import CONCLUDED, Case, CaseExtension, CaseSuspension, ExtensionStatus
from catalog.models import Center, Counter, Department, ServiceItem
from supervision.models import Violation
from workdays.calendar import Calendar, OutOfCalendar, is_working_day


class WorkingDayTable:
    """Working days counted once over a span of days, so that many cases count in O(1) each.

    `count(start, end)` equals `workdays.calendar.count_working_days` and `add(start, n)` equals
    `add_working_days` for days inside the span; outside it they raise `OutOfCalendar`.
    """

    def __init__(self, calendar: Calendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.first = first
        self.last = last
        # _cumulative[i]: working days in (first, first + i]; the first day itself is not looked
        # at, like the start of a count.
        cumulative = [0]
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            cumulative.append(cumulative[-1] + is_working_day(calendar, day))
        self._cumulative = cumulative

    def _index(self, day: dt.date) -> int:
        if not self.first <= day <= self.last:
            raise OutOfCalendar(self.calendar, day)
        return (day - self.first).days

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; 0 when end is not after start."""
        if end <= start:
            return 0
        return self._cumulative[self._index(end)] - self._cumulative[self._index(start)]

    def add(self, start: dt.date, days: int) -> dt.date:
        """The day on which `days` working days after `start` are over."""
        if days == 0:
            return start
        wanted = self._cumulative[self._index(start)] + days
        index = bisect.bisect_left(self._cumulative, wanted)
        if index >= len(self._cumulative):
            raise OutOfCalendar(self.calendar, self.last + dt.timedelta(days=1))
        return self.first + dt.timedelta(days=index)

    def working_day_with_days_left(self, end: dt.date, days: int) -> dt.date:
        """The last working day on or before `end` with `days` working days left until `end`,
        as `workdays.calendar.working_day_with_days_left`."""
        wanted = self._cumulative[self._index(end)] - days
        if wanted < 1:
            raise OutOfCalendar(self.calendar, self.first)
        # The day the count first reaches `wanted` is the working day that makes it so.
        return self.first + dt.timedelta(days=bisect.bisect_left(self._cumulative, wanted))

    def warning_day(self, start: dt.date, due: dt.date, lead: int) -> dt.date:
        """The day from which a limit's light is yellow, as `cases.services.warning_day`."""
        if self.count(start, due) <= lead:
            return start
        return self.working_day_with_days_left(due, lead)

    def working_days(self) -> list[dt.date]:
        """The working days of the span, first day excluded, in order."""
        return [
            self.first + dt.timedelta(days=index)
            for index in range(1, len(self._cumulative))
            if self._cumulative[index] > self._cumulative[index - 1]
        ]


class Dimension(StrEnum):
    DEPARTMENT = "department"
    ITEM = "item"
    COUNTER = "counter"
    PERSON = "person"

    @property
    def label(self) -> str:
        return str(DIMENSION_LABELS[self])


DIMENSION_LABELS = {
    Dimension.DEPARTMENT: _("By department"),
    Dimension.ITEM: _("By service item"),
    Dimension.COUNTER: _("By counter"),
    Dimension.PERSON: _("By person"),
}

# The column of a case that each dimension groups by: the counter and the person are those of
# the clerk who took the case in (handled_by).
_GROUP_FIELDS = {
    Dimension.DEPARTMENT: "item__department_id",
    Dimension.ITEM: "item_id",
    Dimension.COUNTER: "handled_by__staff_profile__counter_id",
    Dimension.PERSON: "handled_by_id",
}


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [start, end) in the current time zone."""
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end


@dataclass
class EfficiencyRow:
    """The figures of one department, item, counter or person (key None: unknown)."""

    key: int | None
    label: str
    concluded: int = 0
    on_time: int = 0
    early: int = 0
    suspensions: int = 0
    extensions: int = 0
    violations: int = 0
    days_used: list[int] = field(default_factory=list, repr=False)
    days_promised: list[int] = field(default_factory=list, repr=False)

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.on_time / self.concluded if self.concluded else None

    @property
    def early_rate(self) -> float | None:
        return 100 * self.early / self.concluded if self.concluded else None

    @property
    def mean_used(self) -> float | None:
        return statistics.fmean(self.days_used) if self.days_used else None

    @property
    def median_used(self) -> float | None:
        return statistics.median(self.days_used) if self.days_used else None

    @property
    def mean_promised(self) -> float | None:
        return statistics.fmean(self.days_promised) if self.days_promised else None

    @property
    def median_promised(self) -> float | None:
        return statistics.median(self.days_promised) if self.days_promised else None


@dataclass(frozen=True)
class EfficiencyTable:
    dimension: Dimension
    period: Period
    rows: list[EfficiencyRow]
    total: EfficiencyRow


def _concluded_filter(
    center: Center, period: Period, department: Department | None, prefix: str = ""
) -> Q:
    start, end = period.bounds()
    condition = Q(
        **{
            f"{prefix}center": center,
            f"{prefix}status__in": CONCLUDED,
            f"{prefix}concluded_at__gte": start,
            f"{prefix}concluded_at__lt": end,
        }
    )
    if department is not None:
        condition &= Q(**{f"{prefix}item__department": department})
    return condition


def concluded_in(
    *, center: Center, period: Period, department: Department | None = None
) -> QuerySet[Case]:
    """The center's cases concluded (approved, with gaps or denied) within the period."""
    return Case.objects.filter(_concluded_filter(center, period, department))


def _labels(dimension: Dimension, keys: Iterable[int | None]) -> dict[int | None, str]:
    wanted = [key for key in keys if key is not None]
    labels: dict[int | None, str] = {None: str(_("Not recorded"))}
    if dimension == Dimension.DEPARTMENT:
        labels |= dict(Department.objects.filter(pk__in=wanted).values_list("pk", "name"))
    elif dimension == Dimension.ITEM:
        labels |= dict(ServiceItem.objects.filter(pk__in=wanted).values_list("pk", "name"))
    elif dimension == Dimension.COUNTER:
        labels |= {counter.pk: str(counter) for counter in Counter.objects.filter(pk__in=wanted)}
    else:
        labels |= {user.pk: str(user) for user in User.objects.filter(pk__in=wanted)}
    return labels


def _counts_by(queryset: QuerySet[Any], group: str) -> dict[int | None, int]:
    return dict(queryset.values(group).annotate(n=Count("pk")).values_list(group, "n"))


# A violation names its own department, person and counter (that of the stage or the act).
_VIOLATION_GROUPS = {
    Dimension.DEPARTMENT: "department_id",
    Dimension.ITEM: "case__item_id",
    Dimension.COUNTER: "counter_id",
    Dimension.PERSON: "person_id",
}


def _violations_by(
    *, center: Center, period: Period, dimension: Dimension, department: Department | None
) -> dict[int | None, int]:
    """Violations detected within the period, whatever their state, by the dimension."""
    start, end = period.bounds()
    violations = Violation.objects.filter(
        center=center, detected_at__gte=start, detected_at__lt=end
    )
    if department is not None:
        violations = violations.filter(department=department)
    return _counts_by(violations, _VIOLATION_GROUPS[dimension])


def efficiency_table(
    *,
    center: Center,
    period: Period,
    dimension: Dimension,
    calendar: Calendar,
    department: Department | None = None,
) -> EfficiencyTable:
    """The efficiency figures of the period's concluded cases, one row per group, busiest first.

    Working days used (from the clock's start to the day of conclusion, minus the working days of
    special procedures, which stop the clock) need the calendar, and medians need every value:
    so the period's cases are read once, as plain tuples, and counted here over one
    `WorkingDayTable`. Suspensions and extensions are read through their own (small) tables.
    """
    group = _GROUP_FIELDS[dimension]
    cases = list(
        concluded_in(center=center, period=period, department=department)
        .annotate(concluded_on=TruncDate("concluded_at"))
        .order_by()
        .values_list("pk", group, "clock_start", "concluded_on", "promised_due", "promised_days")
    )
    group_of = {pk: key for pk, key, *_rest in cases}
    of_period = _concluded_filter(center, period, department, prefix="case__")
    suspended: dict[int, int] = {}
    rows: dict[int | None, EfficiencyRow] = {}

    def row(key: int | None) -> EfficiencyRow:
        return rows.setdefault(key, EfficiencyRow(key, ""))

    for case_id, days in (
        CaseSuspension.objects.filter(of_period).order_by().values_list("case_id", "working_days")
    ):
        if case_id in group_of:  # not a case concluded since the first read
            suspended[case_id] = suspended.get(case_id, 0) + days
            row(group_of[case_id]).suspensions += 1
    extensions = CaseExtension.objects.filter(of_period, status=ExtensionStatus.APPROVED)
    for case_id in extensions.order_by().values_list("case_id", flat=True):
        if case_id in group_of:
            row(group_of[case_id]).extensions += 1
    starts = [clock_start for _pk, _key, clock_start, *_rest in cases if clock_start is not None]
    if starts:
        first = min(starts)
        last = max(first, *(concluded_on for *_rest, concluded_on, _due, _days in cases))
        table = WorkingDayTable(calendar, first, last)
    for pk, key, clock_start, concluded_on, promised_due, promised_days in cases:
        figures = row(key)
        figures.concluded += 1
        if promised_due is not None:
            figures.on_time += concluded_on <= promised_due
            figures.early += concluded_on < promised_due
        if clock_start is not None:
            used = table.count(clock_start, concluded_on) - suspended.get(pk, 0)
            figures.days_used.append(max(used, 0))
        if promised_days is not None:
            figures.days_promised.append(promised_days)
    violations = _violations_by(
        center=center, period=period, dimension=dimension, department=department
    )
    for key, count in violations.items():
        row(key).violations = count
    labels = _labels(dimension, rows)
    for key, figures in rows.items():
        figures.label = labels.get(key, str(key))
    ordered = sorted(rows.values(), key=lambda figures: (-figures.concluded, figures.label))
    return EfficiencyTable(dimension, period, ordered, _total(ordered))


def _total(rows: list[EfficiencyRow]) -> EfficiencyRow:
    total = EfficiencyRow(None, str(_("Total")))
    for row in rows:
        total.concluded += row.concluded
        total.on_time += row.on_time
        total.early += row.early
        total.suspensions += row.suspensions
        total.extensions += row.extensions
        total.violations += row.violations
        total.days_used += row.days_used
        total.days_promised += row.days_promised
    return total
