"""The daily, monthly and annual reports (日报, 月报, 年报) by department and by counter, as Excel
and PDF, and the open data of the items (cases a year, median working days against the promise).

A report's columns: tickets served (finished in the period) and their mean wait (issue to call);
cases accepted (in the period, from the statistics' rollups); cases concluded, on time and the
on-time rate (supervision's efficiency figures); ratings and the satisfaction rate (feedback's
figures). A case's counter is that of the clerk who took it in, as in supervision's tables.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import openpyxl
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.excel import write_sheet
from catalog.models import Center, ServiceItem
from catalog.pdf import template_pdf
from feedback.stats import Grouping, NamedPeriod, satisfaction_table
from stats.selectors import (
    Scope,
    _minutes,
    _wait,
    figures_revision,
    scope_department,
    scoped_submissions,
    scoped_tickets,
    scoped_work,
    summed,
)
from supervision.efficiency import EfficiencyTable, Period, dimension_labels, efficiency_table
from supervision.models import Dimension
from workdays.selectors import calendar_current


class ReportKind(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"
    ANNUAL = "annual"

    @property
    def label(self) -> str:
        return str(REPORT_LABELS[self])


REPORT_LABELS = {
    ReportKind.DAILY: gettext_lazy("Daily report"),
    ReportKind.MONTHLY: gettext_lazy("Monthly report"),
    ReportKind.ANNUAL: gettext_lazy("Annual report"),
}


def report_period(kind: ReportKind, day_text: str, today: dt.date) -> NamedPeriod:
    """The day, month or year of the report that holds the given day (today by default)."""
    text = day_text.strip()
    try:
        day = parse_date(text) if text else today
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(_("Enter the report's day as YYYY-MM-DD, for example 2026-11-26."))
    if kind == ReportKind.DAILY:
        return NamedPeriod(day.isoformat(), Period(day, day))
    if kind == ReportKind.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return NamedPeriod(f"{day:%Y-%m}", Period(day.replace(day=1), day.replace(day=last)))
    return NamedPeriod(str(day.year), Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)))


@dataclass
class ReportRow:
    key: int | None
    label: str
    tickets_served: int = 0
    mean_wait_minutes: float | None = None
    accepted: int = 0
    concluded: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    wait_total_minutes: float = 0.0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.concluded, 1) if self.concluded else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None

    def cells(self) -> tuple[Any, ...]:
        return (
            self.label,
            self.tickets_served,
            self.mean_wait_minutes,
            self.accepted,
            self.concluded,
            self.on_time,
            self.on_time_rate,
            self.ratings,
            self.satisfaction_rate,
        )


COLUMNS = (
    gettext_lazy("Name"),
    gettext_lazy("Tickets served"),
    gettext_lazy("Mean wait, minutes"),
    gettext_lazy("Cases accepted"),
    gettext_lazy("Cases concluded"),
    gettext_lazy("Concluded on time"),
    gettext_lazy("On-time rate, percent"),
    gettext_lazy("Ratings"),
    gettext_lazy("Satisfaction rate, percent"),
)


@dataclass(frozen=True)
class ReportTable:
    title: str
    rows: list[ReportRow]
    total: ReportRow


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    center: Center
    department: str | None
    period: NamedPeriod
    tables: list[ReportTable]


# How each table groups: (efficiency dimension, satisfaction grouping, ticket field, rollup field).
_TABLES = (
    (Dimension.DEPARTMENT, Grouping.DEPARTMENT, "counter__department_id", "department_id"),
    (Dimension.COUNTER, Grouping.COUNTER, "counter_id", "counter_id"),
)


def _table(
    scope: Scope,
    period: NamedPeriod,
    efficiency: EfficiencyTable,
    grouping: Grouping,
    ticket_field: str,
    work_field: str,
) -> ReportTable:
    start, end = period.period.bounds()
    rows: dict[int | None, ReportRow] = {}

    def row(key: int | None) -> ReportRow:
        found = rows.get(key)
        if found is None:
            found = rows[key] = ReportRow(key, "")
        return found

    served = (
        scoped_tickets(scope)
        .filter(finished_at__gte=start, finished_at__lt=end, called_at__isnull=False)
        .values(ticket_field)
        .annotate(n=Count("pk"), wait=Avg(_wait()))
        .values_list(ticket_field, "n", "wait")
    )
    for key, count, wait in served:
        figures = row(key)
        figures.tickets_served = count
        figures.mean_wait_minutes = _minutes(wait)
    accepted = summed(
        scoped_work(scope).filter(day__range=(period.start, period.end)), work_field, "accepted"
    )
    for key, count in accepted.items():
        if count:
            row(key).accepted = count
    for concluded in efficiency.rows:
        row(concluded.key).concluded = concluded.concluded
        row(concluded.key).on_time = concluded.on_time
    for rated in satisfaction_table(scope=scope, period=period, grouping=grouping).rows:
        row(rated.key).ratings = rated.ratings
        row(rated.key).satisfied = rated.satisfied
    labels = dimension_labels(efficiency.dimension, rows)
    for key, figures in rows.items():
        figures.label = labels.get(key, str(key))
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label))
    return ReportTable(str(efficiency.dimension.label), ordered, _total(ordered))


def _total(rows: Iterable[ReportRow]) -> ReportRow:
    total = ReportRow(None, _("Total"))
    waited = 0.0
    for row in rows:
        total.tickets_served += row.tickets_served
        total.accepted += row.accepted
        total.concluded += row.concluded
        total.on_time += row.on_time
        total.ratings += row.ratings
        total.satisfied += row.satisfied
        if row.mean_wait_minutes is not None:
            waited += row.mean_wait_minutes * row.tickets_served
    if total.tickets_served:
        total.mean_wait_minutes = round(waited / total.tickets_served, 1)
    return total


def report_build(*, scope: Scope, kind: ReportKind, period: NamedPeriod) -> Report:
    """The report of the period for the scope: one table by department, one by counter."""
    department = scope_department(scope)
    tables = []
    for dimension, grouping, ticket_field, work_field in _TABLES:
        efficiency = efficiency_table(
            center=scope.center,
            period=period.period,
            dimension=dimension,
            calendar=calendar_current(),
            department=department,
        )
        tables.append(_table(scope, period, efficiency, grouping, ticket_field, work_field))
    return Report(
        kind=kind,
        center=scope.center,
        department=department.name if department else None,
        period=period,
        tables=tables,
    )


def report_workbook(report: Report) -> bytes:
    """The report as an xlsx workbook: one sheet per table, its total in the last row."""
    workbook = openpyxl.Workbook()
    assert workbook.active is not None  # a new workbook has one sheet
    workbook.remove(workbook.active)
    for table in report.tables:
        write_sheet(
            workbook,
            table.title,
            [str(column) for column in COLUMNS],
            [*(row.cells() for row in table.rows), table.total.cells()],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(report: Report) -> bytes:
    return template_pdf(
        "stats/report_pdf.html",
        {"report": report, "columns": [str(column) for column in COLUMNS]},
    )


def report_filename(report: Report, extension: str) -> str:
    scope = report.center.slug if report.department is None else "department"
    return f"{report.kind}-{scope}-{report.period.code}.{extension}"


# --- open data (政务公开) ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataRow:
    code: str
    name: str
    department: str
    received: int
    concluded: int
    promised_days: int
    median_days_used: float | None
    on_time_rate: float | None


OPEN_DATA_COLUMNS = (
    gettext_lazy("Item code"),
    gettext_lazy("Service item"),
    gettext_lazy("Department"),
    gettext_lazy("Cases received"),
    gettext_lazy("Cases concluded"),
    gettext_lazy("Promised limit, working days"),
    gettext_lazy("Median working days used"),
    gettext_lazy("On-time rate, percent"),
)


OPEN_DATA_CACHE_SECONDS = 24 * 3600


def open_data(*, center: Center, year: int) -> list[OpenDataRow]:
    """Each published item of the center (and each item with cases in the year): the cases
    received and concluded in the year and the median working days used.

    The page is public and its figures change only with the rollups, so they are cached under the
    rollups' revision (`figures_revision`): a hit costs three small queries instead of reading a
    year of efficiency rollups (about 1,800 rows with their histograms).
    """
    key = f"stats:open-data:{center.pk}:{year}:{figures_revision(center=center)}"
    rows: list[OpenDataRow] | None = cache.get(key)
    if rows is None:
        rows = _open_data_computed(center=center, year=year)
        cache.set(key, rows, OPEN_DATA_CACHE_SECONDS)
    return rows


def _open_data_computed(*, center: Center, year: int) -> list[OpenDataRow]:
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    scope = Scope(center=center, department_id=None)
    received = summed(
        scoped_submissions(scope).filter(day__range=(period.start, period.end)), "item_id", "cases"
    )
    efficiency = {
        row.key: row
        for row in efficiency_table(
            center=center, period=period, dimension=Dimension.ITEM, calendar=calendar_current()
        ).rows
    }
    items = (
        ServiceItem.objects.of_center(center)
        .filter(Q(status=ServiceItem.Status.PUBLISHED) | Q(pk__in=[*received, *efficiency]))
        .select_related("department")
        .order_by("department__name", "basic_code", "pk")
    )
    rows = []
    for item in items:
        figures = efficiency.get(item.pk)
        rows.append(
            OpenDataRow(
                code=item.implementation_code,
                name=item.name,
                department=item.department.name,
                received=received.get(item.pk, 0),
                concluded=figures.concluded if figures else 0,
                promised_days=item.promised_days,
                median_days_used=figures.median_used if figures else None,
                on_time_rate=(
                    None
                    if figures is None or figures.on_time_rate is None
                    else round(figures.on_time_rate, 1)
                ),
            )
        )
    return rows


def open_data_csv(rows: list[OpenDataRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in OPEN_DATA_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                row.code,
                _csv_text(row.name),
                _csv_text(row.department),
                row.received,
                row.concluded,
                row.promised_days,
                "" if row.median_days_used is None else row.median_days_used,
                "" if row.on_time_rate is None else row.on_time_rate,
            ]
        )
    return buffer.getvalue()


def _csv_text(text: str) -> str:
    # A spreadsheet would run text that starts with these as a formula (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
