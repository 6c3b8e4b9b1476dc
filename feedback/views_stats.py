"""Pages of the satisfaction figures: the staff tables with their Excel export, and the center's
public figures."""

from __future__ import annotations

import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import audit_record, request_ip
from catalog.excel import write_sheet
from catalog.models import Department
from catalog.search import center_get
from feedback.models import Level, RatingChannel
from feedback.stats import (
    LEVELS,
    Grouping,
    NamedPeriod,
    SatisfactionRow,
    SatisfactionScope,
    SatisfactionTable,
    channel_counts,
    month_of,
    period_parse,
    public_figures_to_date,
    rectifications_overdue,
    satisfaction_scope,
    satisfaction_tables,
)
from supervision.exports import XLSX_CONTENT_TYPE


def _scope(request: HttpRequest) -> SatisfactionScope:
    scope = satisfaction_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _(
                "The satisfaction figures are for the hall managers, supervisors, "
                "administrators and department heads."
            )
        )
    return scope


def _period(request: HttpRequest) -> NamedPeriod:
    text = request.GET.get("period", "").strip()
    return period_parse(text) if text else month_of(timezone.localdate())


def _channels(scope: SatisfactionScope, period: NamedPeriod) -> list[tuple[str, int]]:
    counts = channel_counts(scope=scope, period=period)
    labels = [("pad", _("Counter pad")), *RatingChannel.choices]
    return [(str(label), counts.get(value, 0)) for value, label in labels]


@login_required
@require_GET
def satisfaction(request: HttpRequest) -> HttpResponse:
    """The period's satisfaction by department, counter and staff member, and the rectifications."""
    scope = _scope(request)
    department = (
        Department.objects.filter(pk=scope.department_id).first()
        if scope.department_id is not None
        else None
    )
    context: dict[str, object] = {
        "center": scope.center,
        "department": department,
        "period_code": request.GET.get("period", "").strip(),
        "today": timezone.localdate(),
    }
    try:
        period = _period(request)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "feedback/stats/satisfaction.html", context, status=422)
    tables = satisfaction_tables(scope=scope, period=period)
    if request.GET.get("format") == "xlsx":
        return _export(request, scope, period, list(tables.values()))
    total = tables[Grouping.DEPARTMENT].total
    context.update(
        period=period,
        period_code=period.code,
        tables=list(tables.values()),
        total=total,
        channels=_channels(scope, period),
        overdue=rectifications_overdue(scope=scope, period=period),
    )
    return render(request, "feedback/stats/satisfaction.html", context)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cells(row: SatisfactionRow) -> tuple[object, ...]:
    return (
        row.label,
        row.ratings,
        *row.levels.values(),
        _rate(row.satisfaction_rate),
        None if row.mean_level is None else round(row.mean_level, 2),
        row.bad,
        row.rectifications,
        row.rectified,
        row.rectifications_due,
        _rate(row.rectification_rate),
        row.overdue,
        row.called_back,
        row.real_name_due,
        _rate(row.call_back_rate),
    )


def satisfaction_workbook(tables: list[SatisfactionTable]) -> openpyxl.Workbook:
    """One sheet per grouping, its total in the last row."""
    workbook = openpyxl.Workbook()
    assert workbook.active is not None  # a new workbook has one sheet
    workbook.remove(workbook.active)
    columns = [
        _("Department, counter or staff member"),
        _("Ratings"),
        *(str(Level(level).label) for level in LEVELS),
        _("Satisfaction rate, percent"),
        _("Mean level (5 = very satisfied)"),
        _("Bad ratings"),
        _("Rectifications"),
        _("Put right"),
        _("Due"),
        _("Rectification rate, percent"),
        _("Overdue"),
        _("Real-name bad ratings called back"),
        _("Real-name bad ratings due for a call-back"),
        _("Call-back rate, percent"),
    ]
    for table in tables:
        write_sheet(
            workbook,
            table.grouping.label,
            columns,
            [*(_cells(row) for row in table.rows), _cells(table.total)],
        )
    return workbook


def _export(
    request: HttpRequest,
    scope: SatisfactionScope,
    period: NamedPeriod,
    tables: list[SatisfactionTable],
) -> HttpResponse:
    """The workbook as a download; exports are written to the audit log."""
    audit_record(
        action="export",
        actor=request.user,
        target_type="feedback.satisfaction",
        center_id=scope.center.pk,
        data={"query": request.GET.urlencode(), "department": scope.department_id},
        ip=request_ip(request),
    )
    buffer = io.BytesIO()
    satisfaction_workbook(tables).save(buffer)
    part = scope.center.slug if scope.department_id is None else f"dept{scope.department_id}"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="satisfaction-{part}-{period.code}.xlsx"'
    )
    return response


@require_GET
def public_figures(request: HttpRequest, center: str) -> HttpResponse:
    """The center's published figures (好差评公示): no login, cached like the public site."""
    the_center = center_get(center)
    today = timezone.localdate()
    return render(
        request,
        "feedback/stats/figures.html",
        {
            "center": the_center,
            "today": today,
            "figures": public_figures_to_date(center=the_center, today=today),
        },
    )
