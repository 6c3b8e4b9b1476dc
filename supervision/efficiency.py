"""Efficiency after the fact (事后监察): concluded cases by department, item, counter and person."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import CONCLUDED, Case, CaseExtension, CaseSuspension, ExtensionStatus
from catalog.models import Center, Department, ServiceItem
from catalog.models import Counter as HallCounter
from supervision.models import Dimension, EfficiencyRollup, RollupMonth, Violation
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


# The column of a case that each dimension groups by: the counter and the person are those of
# the clerk who took the case in (handled_by).
_GROUP_FIELDS = {
    Dimension.DEPARTMENT: "department_id",
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

    def months(self) -> list[Period]:
        """The calendar months the period touches, whole, in order."""
        months = [Period.month_of(self.start)]
        while months[-1].end < self.end:
            months.append(Period.month_of(months[-1].end + dt.timedelta(days=1)))
        return months

    def covers(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def _mean(histogram: Counter[int]) -> float | None:
    count = histogram.total()
    return sum(days * n for days, n in histogram.items()) / count if count else None


def _median(histogram: Counter[int]) -> float | None:
    """The median of the values a histogram {value: how many} counts, as `statistics.median`."""
    count = histogram.total()
    if not count:
        return None
    wanted = (count - 1) // 2, count // 2  # the middle positions (one when count is odd)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and seen > wanted[len(found)]:
            found.append(value)
    return (found[0] + found[1]) / 2


@dataclass
class EfficiencyRow:
    """The figures of one department, item, counter or person (key None: unknown).

    Working days used and promised are kept as histograms {working days: cases}, which add up
    across months (the rollups) and still give exact means and medians.
    """

    key: int | None
    label: str
    concluded: int = 0
    on_time: int = 0
    early: int = 0
    suspensions: int = 0
    extensions: int = 0
    violations: int = 0
    days_used: Counter[int] = field(default_factory=Counter, repr=False)
    days_promised: Counter[int] = field(default_factory=Counter, repr=False)

    def absorb(self, other: EfficiencyRow) -> None:
        """Add another row's figures to this one's."""
        self.concluded += other.concluded
        self.on_time += other.on_time
        self.early += other.early
        self.suspensions += other.suspensions
        self.extensions += other.extensions
        self.violations += other.violations
        self.days_used.update(other.days_used)
        self.days_promised.update(other.days_promised)

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.on_time / self.concluded if self.concluded else None

    @property
    def early_rate(self) -> float | None:
        return 100 * self.early / self.concluded if self.concluded else None

    @property
    def mean_used(self) -> float | None:
        return _mean(self.days_used)

    @property
    def median_used(self) -> float | None:
        return _median(self.days_used)

    @property
    def mean_promised(self) -> float | None:
        return _mean(self.days_promised)

    @property
    def median_promised(self) -> float | None:
        return _median(self.days_promised)


@dataclass(frozen=True)
class EfficiencyTable:
    dimension: Dimension
    period: Period
    rows: list[EfficiencyRow]
    total: EfficiencyRow


def _concluded_filter(
    center: Center,
    bounds: tuple[dt.datetime, dt.datetime],
    department: Department | None,
    prefix: str = "",
) -> Q:
    start, end = bounds
    condition = Q(
        **{
            f"{prefix}center": center,
            f"{prefix}status__in": CONCLUDED,
            f"{prefix}concluded_at__gte": start,
            f"{prefix}concluded_at__lt": end,
        }
    )
    if department is not None:
        condition &= Q(**{f"{prefix}department": department})
    return condition


def concluded_in(
    *, center: Center, period: Period, department: Department | None = None
) -> QuerySet[Case]:
    """The center's cases concluded (approved, with gaps or denied) within the period."""
    return Case.objects.filter(_concluded_filter(center, period.bounds(), department))


# A row of a tally: its dimension, the department it lies in and its key in the dimension.
TallyKey = tuple[Dimension, int, int | None]


def efficiency_tally(
    *,
    center: Center,
    bounds: tuple[dt.datetime, dt.datetime],
    calendar: Calendar,
    dimensions: Iterable[Dimension] = tuple(Dimension),
    department: Department | None = None,
) -> dict[TallyKey, EfficiencyRow]:
    """The figures of the cases concluded in [start, end), one row per group of each dimension
    within each department (violations aside: they are not the cases' own).

    Working days used (from the clock's start to the day of conclusion, minus the working days of
    special procedures, which stop the clock) need the calendar, and medians need every value:
    so the cases are read once, as plain tuples, and counted here over one `WorkingDayTable`.
    Suspensions and extensions are read through their own (small) tables.
    """
    dimensions = tuple(dimensions)
    groups = [_GROUP_FIELDS[dimension] for dimension in dimensions]
    cases = list(
        Case.objects.filter(_concluded_filter(center, bounds, department))
        .annotate(concluded_on=TruncDate("concluded_at"))
        .order_by()
        .values_list(
            "pk",
            "department_id",
            "clock_start",
            "concluded_on",
            "promised_due",
            "promised_days",
            *groups,
        )
    )
    of_period = _concluded_filter(center, bounds, department, prefix="case__")
    suspended: dict[int, int] = {}
    suspensions: dict[int, int] = {}
    for case_id, days in (
        CaseSuspension.objects.filter(of_period).order_by().values_list("case_id", "working_days")
    ):
        suspended[case_id] = suspended.get(case_id, 0) + days
        suspensions[case_id] = suspensions.get(case_id, 0) + 1
    extensions: dict[int, int] = {}
    for case_id in (
        CaseExtension.objects.filter(of_period, status=ExtensionStatus.APPROVED)
        .order_by()
        .values_list("case_id", flat=True)
    ):
        extensions[case_id] = extensions.get(case_id, 0) + 1
    starts = [case[2] for case in cases if case[2] is not None]
    if starts:
        first = min(starts)
        table = WorkingDayTable(calendar, first, max(first, *(case[3] for case in cases)))
    rows: dict[TallyKey, EfficiencyRow] = {}
    for pk, department_id, clock_start, concluded_on, promised_due, promised_days, *keys in cases:
        used = None
        if clock_start is not None:
            used = max(table.count(clock_start, concluded_on) - suspended.get(pk, 0), 0)
        for dimension, key in zip(dimensions, keys, strict=True):
            figures = rows.get((dimension, department_id, key))
            if figures is None:
                figures = rows[dimension, department_id, key] = EfficiencyRow(key, "")
            figures.concluded += 1
            figures.suspensions += suspensions.get(pk, 0)
            figures.extensions += extensions.get(pk, 0)
            if promised_due is not None:
                figures.on_time += concluded_on <= promised_due
                figures.early += concluded_on < promised_due
            if used is not None:
                figures.days_used[used] += 1
            if promised_days is not None:
                figures.days_promised[promised_days] += 1
    return rows


def dimension_labels(dimension: Dimension, keys: Iterable[int | None]) -> dict[int | None, str]:
    wanted = [key for key in keys if key is not None]
    labels: dict[int | None, str] = {None: str(_("Not recorded"))}
    if dimension == Dimension.DEPARTMENT:
        labels |= dict(Department.objects.filter(pk__in=wanted).values_list("pk", "name"))
    elif dimension == Dimension.ITEM:
        labels |= dict(ServiceItem.objects.filter(pk__in=wanted).values_list("pk", "name"))
    elif dimension == Dimension.COUNTER:
        labels |= {
            counter.pk: str(counter) for counter in HallCounter.objects.filter(pk__in=wanted)
        }
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


# A rollup row as `_rolled_up` reads it: key, the five counts, the two histograms.
RollupValues = tuple[int | None, int, int, int, int, int, dict[str, int], dict[str, int]]
ROLLUP_COLUMNS = (
    "key",
    "concluded",
    "on_time",
    "early",
    "suspensions",
    "extensions",
    "days_used",
    "days_promised",
)


def _rolled_up(
    center: Center, period: Period, dimension: Dimension, department: Department | None
) -> tuple[list[RollupValues], list[tuple[dt.datetime, dt.datetime]]]:
    """The rollup rows of the months the period covers whole, and the stretches of time left to
    count live: the period's partial months, months without a rollup, and what was concluded
    after a running month's rollup was computed."""
    months = period.months()
    computed = {
        rollup.month: rollup
        for rollup in RollupMonth.objects.filter(
            center=center, month__in=[month.start for month in months]
        )
    }
    used: list[RollupMonth] = []
    live: list[tuple[dt.datetime, dt.datetime]] = []

    def count_live(start: dt.datetime, end: dt.datetime) -> None:
        if start >= end:
            return
        if live and live[-1][1] == start:
            live[-1] = (live[-1][0], end)
        else:
            live.append((start, end))

    period_start, period_end = period.bounds()
    for month in months:
        month_start, month_end = month.bounds()
        rollup = computed.get(month.start)
        if rollup is not None and period.covers(month):
            used.append(rollup)
            count_live(rollup.complete_until, month_end)
        else:
            count_live(max(month_start, period_start), min(month_end, period_end))
    rows = EfficiencyRollup.objects.filter(month__in=used, dimension=dimension)
    if department is not None:
        rows = rows.filter(department=department)
    # Plain tuples: a year by item is some 2,000 rows, and models would double the page's time.
    return list(rows.order_by().values_list(*ROLLUP_COLUMNS)), live


def efficiency_table(
    *,
    center: Center,
    period: Period,
    dimension: Dimension,
    calendar: Calendar,
    department: Department | None = None,
) -> EfficiencyTable:
    """The efficiency figures of the period's concluded cases, one row per group, busiest first.

    Whole months come from their rollups (`supervision.services.efficiency_rollup_compute`),
    kept current by the worker; the period's partial months, months not rolled up yet and the
    cases concluded since a running month's rollup are counted live. Violations are counted
    live: they are few.
    """
    rows: dict[int | None, EfficiencyRow] = {}

    def row(key: int | None) -> EfficiencyRow:
        figures = rows.get(key)
        if figures is None:
            figures = rows[key] = EfficiencyRow(key, "")
        return figures

    rollups, live = _rolled_up(center, period, dimension, department)
    for key, concluded, on_time, early, suspensions, extensions, used, promised in rollups:
        figures = row(key)
        figures.concluded += concluded
        figures.on_time += on_time
        figures.early += early
        figures.suspensions += suspensions
        figures.extensions += extensions
        for days, count in used.items():
            figures.days_used[int(days)] += count
        for days, count in promised.items():
            figures.days_promised[int(days)] += count
    for bounds in live:
        tally = efficiency_tally(
            center=center,
            bounds=bounds,
            calendar=calendar,
            dimensions=(dimension,),
            department=department,
        )
        for (_dimension, _department, key), figures in tally.items():
            row(key).absorb(figures)
    violations = _violations_by(
        center=center, period=period, dimension=dimension, department=department
    )
    for key, count in violations.items():
        row(key).violations = count
    labels = dimension_labels(dimension, rows)
    for key, figures in rows.items():
        figures.label = labels.get(key, str(key))
    ordered = sorted(rows.values(), key=lambda figures: (-figures.concluded, figures.label))
    return EfficiencyTable(dimension, period, ordered, _total(ordered))


def _total(rows: list[EfficiencyRow]) -> EfficiencyRow:
    total = EfficiencyRow(None, str(_("Total")))
    for row in rows:
        total.absorb(row)
    return total
