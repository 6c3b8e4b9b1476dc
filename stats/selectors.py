"""The leaders' figures (网上统计): today's hall, the cases of a period, trends and totals.

Everything is read for a scope: the whole center (administrators, hall managers, supervisors and
the hall's display devices) or one department (its head). Definitions:
- visitors = tickets issued today; waiting and serving = tickets in those states now; mean wait =
  minutes from issue to call of today's called tickets; a counter is open while free or serving;
- a ticket belongs to a department through its queue or the counter that called it, a counter
  through its department, a case through its department;
- cases of a period are those submitted in it; the on-time rate and days used are supervision's
  efficiency figures (cases concluded in the period), satisfaction is feedback's.

Case counts come from the rollups of `stats.models`, which the worker keeps a minute behind the
cases (`stats.services.stats_rollup_refresh`); tickets and counters are read live.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractHour
from django.utils import timezone

from cases.models import CaseStatus, Channel
from catalog.models import Center, Department
from catalog.revision import catalog_revision
from feedback.models import Level
from feedback.stats import Grouping, NamedPeriod, SatisfactionScope, satisfaction_table
from hall.models import CounterState, Ticket
from stats.models import DepartmentDay, RollupState, SubmissionDay, WorkDay
from supervision.efficiency import Period, dimension_labels, efficiency_table
from supervision.models import Dimension, RollupMonth
from workdays.selectors import calendar_current
from workorders.selectors import complaint_figures

# The scope of every figure here: feedback's (a center, and a department for its head).
Scope = SatisfactionScope
TOP_ITEMS = 10
TREND_DAYS = 30
TREND_MONTHS = 12
PEAK_DAYS = 30


def scope_department(scope: Scope) -> Department | None:
    if scope.department_id is None:
        return None
    return Department.objects.get(pk=scope.department_id)


def scoped_submissions(scope: Scope) -> QuerySet[SubmissionDay]:
    """The scope's rollup of cases by the day they were submitted (kept by the worker)."""
    rows = SubmissionDay.objects.filter(center=scope.center)
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    return rows.order_by()


def scoped_work(scope: Scope) -> QuerySet[WorkDay]:
    """The scope's rollup of cases by the day they were accepted and concluded."""
    rows = WorkDay.objects.filter(center=scope.center)
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    return rows.order_by()


def summed(rows: QuerySet[Any], field: str, value: str) -> dict[Any, int]:
    """The rollup's `value` added up by `field`."""
    return dict(rows.values(field).annotate(n=Sum(value)).values_list(field, "n"))


def figures_revision(*, center: Center) -> str:
    """A token that changes whenever a figure read from the rollups may: the statistics' mark
    (the last case event counted, every conclusion included) and last rebuild, supervision's
    latest efficiency rollup of the center, and the catalog (items' names and publication).

    Figures cached under it are therefore as current as the rollups: a minute behind the cases.
    """
    state = RollupState.objects.values_list("last_event_id", "rebuilt_at").first()
    efficiency = RollupMonth.objects.filter(center=center).aggregate(at=Max("computed_at"))["at"]
    text = f"{state}{efficiency}{catalog_revision()}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def scoped_tickets(scope: Scope) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(center=scope.center)
    if scope.department_id is not None:
        tickets = tickets.filter(
            Q(category__department_id=scope.department_id)
            | Q(counter__department_id=scope.department_id)
        )
    return tickets.order_by()


def _wait() -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())


def _minutes(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 60, 1)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- today ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    visitors: int
    waiting: int
    serving: int
    mean_wait_minutes: float | None
    counters_open: int
    counters_paused: int


def today_figures(*, scope: Scope, day: dt.date) -> Today:
    """The hall now: today's tickets and the counters' states."""
    tickets = scoped_tickets(scope).filter(service_date=day)
    figures = tickets.aggregate(
        visitors=Count("pk"),
        waiting=Count("pk", filter=Q(status=Ticket.Status.WAITING)),
        serving=Count("pk", filter=Q(status=Ticket.Status.SERVING)),
        wait=Avg(_wait(), filter=Q(called_at__isnull=False)),
    )
    counters = CounterState.objects.filter(counter__center=scope.center)
    if scope.department_id is not None:
        counters = counters.filter(counter__department_id=scope.department_id)
    states = counters.aggregate(
        open=Count(
            "pk", filter=Q(status__in=[CounterState.Status.FREE, CounterState.Status.SERVING])
        ),
        paused=Count("pk", filter=Q(status=CounterState.Status.PAUSED)),
    )
    return Today(
        visitors=figures["visitors"],
        waiting=figures["waiting"],
        serving=figures["serving"],
        mean_wait_minutes=_minutes(figures["wait"]),
        counters_open=states["open"],
        counters_paused=states["paused"],
    )


# --- the period's cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """One bar or slice of a chart: what it counts (key), its label and its count."""

    key: str
    label: str
    count: int


def _slices(counts: dict[Any, int], labels: dict[Any, str]) -> list[Slice]:
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], str(labels.get(pair[0], ""))))
    return [
        Slice(key=str(key), label=labels.get(key, str(key)), count=count) for key, count in ordered
    ]


@dataclass(frozen=True)
class CaseBreakdown:
    received: int
    by_channel: list[Slice]
    by_department: list[Slice]
    by_item: list[Slice]
    by_state: list[Slice]


def case_breakdown(*, scope: Scope, period: Period) -> CaseBreakdown:
    """The cases submitted in the period by channel, department, item (the busiest) and state."""
    # One pass over the period's rollup rows (a few thousand groups), added up four ways here.
    groups = (
        scoped_submissions(scope)
        .filter(day__range=(period.start, period.end))
        .values("channel", "department_id", "item_id", "status")
        .annotate(n=Sum("cases"))
        .values_list("channel", "department_id", "item_id", "status", "n")
    )
    by_channel: Tally[Any] = Tally()
    by_department: Tally[Any] = Tally()
    by_item: Tally[Any] = Tally()
    by_state: Tally[Any] = Tally()
    for channel, department, item, status, count in groups:
        by_channel[channel] += count
        by_department[department] += count
        by_item[item] += count
        by_state[status] += count
    top_items = dict(sorted(by_item.items(), key=lambda pair: -pair[1])[:TOP_ITEMS])
    return CaseBreakdown(
        received=sum(by_channel.values()),
        by_channel=_slices(by_channel, {c.value: str(c.label) for c in Channel}),
        by_department=_slices(by_department, dimension_labels(Dimension.DEPARTMENT, by_department)),
        by_item=_slices(top_items, dimension_labels(Dimension.ITEM, top_items)),
        by_state=_slices(by_state, {s.value: str(s.label) for s in CaseStatus}),
    )


# --- trends and peaks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str
    received: int
    concluded: int


def _days(scope: Scope) -> QuerySet[DepartmentDay]:
    rows = DepartmentDay.objects.filter(center=scope.center)
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    return rows.order_by()


def _trend(
    by_day: dict[dt.date, tuple[int, int]],
    buckets: list[dt.date],
    bucket_of: Callable[[dt.date], dt.date],
    label: str,
) -> list[TrendPoint]:
    received: Tally[dt.date] = Tally()
    concluded: Tally[dt.date] = Tally()
    for day, (day_received, day_concluded) in by_day.items():
        received[bucket_of(day)] += day_received
        concluded[bucket_of(day)] += day_concluded
    return [
        TrendPoint(label=day.strftime(label), received=received[day], concluded=concluded[day])
        for day in buckets
    ]


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Trends:
    daily: list[TrendPoint]
    monthly: list[TrendPoint]
    yearly: list[TrendPoint]


def trends(*, scope: Scope, today: dt.date, first_year: int) -> Trends:
    """Cases received and concluded by day (the last 30), month (the last 12) and year (since
    the first case)."""
    days = [today - dt.timedelta(days=back) for back in range(TREND_DAYS - 1, -1, -1)]
    months = [_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    years = [dt.date(year, 1, 1) for year in range(first_year, today.year + 1)]
    by_day = {
        day: (received or 0, concluded or 0)
        for day, received, concluded in _days(scope)
        .filter(day__gte=min(years[0], months[0]))
        .values("day")
        .annotate(r=Sum("received"), c=Sum("concluded"))
        .values_list("day", "r", "c")
    }
    return Trends(
        daily=_trend(by_day, days, lambda day: day, "%Y-%m-%d"),
        monthly=_trend(by_day, months, lambda day: day.replace(day=1), "%Y-%m"),
        yearly=_trend(by_day, years, lambda day: day.replace(month=1, day=1), "%Y"),
    )


def peak_hours(*, scope: Scope, today: dt.date) -> list[int]:
    """Tickets issued in each hour of the day (0 to 23) over the last 30 days."""
    since = today - dt.timedelta(days=PEAK_DAYS - 1)
    counts = dict(
        scoped_tickets(scope)
        .filter(service_date__gte=since, service_date__lte=today)
        .annotate(hour=ExtractHour("issued_at"))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    return [counts.get(hour, 0) for hour in range(24)]


# --- totals since opening ------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    since: dt.date | None
    cases: int
    concluded: int
    tickets: int


def totals(*, scope: Scope) -> Totals:
    cases = _days(scope).aggregate(n=Sum("received"), concluded=Sum("concluded"), first=Min("day"))
    tickets = scoped_tickets(scope).aggregate(n=Count("pk"), first=Min("service_date"))
    firsts = [day for day in (cases["first"], tickets["first"]) if day is not None]
    return Totals(
        since=min(firsts) if firsts else None,
        cases=cases["n"] or 0,
        concluded=cases["concluded"] or 0,
        tickets=tickets["n"],
    )


# --- the dashboard -------------------------------------------------------------------------------


def _level_label(level: int) -> str:
    return str(Level(level).label)


def dashboard(
    *, scope: Scope, period: NamedPeriod, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything the leaders' dashboard and the big screen draw, as plain data (JSON)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    department = scope_department(scope)
    live = today_figures(scope=scope, day=today)
    breakdown = case_breakdown(scope=scope, period=period.period)
    efficiency = efficiency_table(
        center=scope.center,
        period=period.period,
        dimension=Dimension.DEPARTMENT,
        calendar=calendar_current(),
        department=department,
    )
    satisfaction = satisfaction_table(
        scope=scope, period=period, grouping=Grouping.DEPARTMENT, today=today
    ).total
    complaints = None
    if department is None:
        # Work orders are dispatched to departments after receipt: only the center's count.
        found = complaint_figures(
            center_id=scope.center.pk, start=period.start, end=min(period.end, today)
        )
        complaints = {
            "received": found.received,
            "concluded": found.concluded,
            "on_time_rate": _percent(
                None if found.on_time_rate is None else 100 * found.on_time_rate
            ),
        }
    overall = totals(scope=scope)
    first_year = overall.since.year if overall.since else today.year
    trend = trends(scope=scope, today=today, first_year=min(first_year, today.year))

    def slices(items: list[Slice]) -> list[dict[str, Any]]:
        return [{"key": s.key, "label": s.label, "count": s.count} for s in items]

    def points(items: list[TrendPoint]) -> list[dict[str, Any]]:
        return [{"label": p.label, "received": p.received, "concluded": p.concluded} for p in items]

    return {
        "center": scope.center.name,
        "department": department.name if department else None,
        "at": now.isoformat(),
        "period": {
            "code": period.code,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "today": {
            "visitors": live.visitors,
            "waiting": live.waiting,
            "serving": live.serving,
            "mean_wait_minutes": live.mean_wait_minutes,
            "counters_open": live.counters_open,
            "counters_paused": live.counters_paused,
        },
        "cases": {
            "received": breakdown.received,
            "by_channel": slices(breakdown.by_channel),
            "by_department": slices(breakdown.by_department),
            "by_item": slices(breakdown.by_item),
            "by_state": slices(breakdown.by_state),
        },
        "on_time": {
            "concluded": efficiency.total.concluded,
            "on_time": efficiency.total.on_time,
            "rate": _percent(efficiency.total.on_time_rate),
            "by_department": [
                {"label": row.label, "concluded": row.concluded, "rate": _percent(row.on_time_rate)}
                for row in efficiency.rows
            ],
        },
        "satisfaction": {
            "ratings": satisfaction.ratings,
            "rate": _percent(satisfaction.satisfaction_rate),
            "levels": [
                {"level": level, "label": _level_label(level), "count": count}
                for level, count in satisfaction.levels.items()
            ],
        },
        "complaints": complaints,
        "trends": {
            "daily": points(trend.daily),
            "monthly": points(trend.monthly),
            "yearly": points(trend.yearly),
        },
        "peak_hours": peak_hours(scope=scope, today=today),
        "totals": {
            "since": overall.since.isoformat() if overall.since else None,
            "cases": overall.cases,
            "concluded": overall.concluded,
            "tickets": overall.tickets,
        },
    }
