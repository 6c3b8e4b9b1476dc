"""Report pages of supervision: the catalog compliance report (事前) and the efficiency tables
(事后), each with its Excel export."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.roles import Role
from audit.services import audit_record, request_ip
from catalog.excel import write_sheet
from catalog.models import Center, Department
from catalog.search import catalog_figures
from catalog.selectors import center_for_user
from supervision.compliance import ComplianceReport, compliance_report
from supervision.efficiency import EfficiencyRow, EfficiencyTable, Period, efficiency_table
from supervision.models import Dimension
from workdays.selectors import calendar_current

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The longest period a table is computed for: a year of the reference center is 600,000 cases.
MAX_PERIOD_DAYS = 366
CENTER_WIDE = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Reader:
    """Who reads a report: their center and, for a department head, their department."""

    center: Center
    department: Department | None


def _reader(request: HttpRequest, *, department_heads: bool) -> Reader:
    user = request.user
    assert isinstance(user, User)
    center = center_for_user(user)
    roles = set(user.role_names())
    if center is None or not user.is_active:
        raise PermissionDenied(_("Only the center's supervisors and administrators see this."))
    if roles & CENTER_WIDE:
        return Reader(center, None)
    department_id = user.staff_profile.department_id
    if department_heads and Role.DEPARTMENT_HEAD in roles and department_id is not None:
        return Reader(center, Department.objects.get(pk=department_id))
    if department_heads:
        raise PermissionDenied(
            _("Only the center's supervisors, administrators and department heads see this.")
        )
    raise PermissionDenied(_("Only the center's supervisors and administrators see this."))


def _xlsx(
    request: HttpRequest, reader: Reader, workbook: openpyxl.Workbook, report: str, name: str
) -> HttpResponse:
    """The workbook as a download; exports are written to the audit log."""
    audit_record(
        action="export",
        actor=request.user,
        target_type=f"supervision.{report}",
        center_id=reader.center.pk,
        data={"query": request.GET.urlencode()},
        ip=request_ip(request),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _new_workbook() -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None  # a new workbook has one sheet
    workbook.remove(workbook.active)
    return workbook


# --- compliance (事前) ---------------------------------------------------------------------------


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """The catalog's published items that break the center's rules."""
    reader = _reader(request, department_heads=False)
    report = compliance_report(reader.center)
    return render(
        request,
        "supervision/reports/compliance.html",
        {"center": reader.center, "report": report},
    )


@login_required
@require_GET
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    reader = _reader(request, department_heads=False)
    report = compliance_report(reader.center)
    return _xlsx(
        request,
        reader,
        compliance_workbook(report),
        "compliance",
        f"compliance-{reader.center.slug}-{timezone.localdate():%Y%m%d}.xlsx",
    )


def compliance_workbook(report: ComplianceReport) -> openpyxl.Workbook:
    """One sheet per kind of finding."""
    workbook = _new_workbook()
    item_columns = [_("Code"), _("Service item"), _("Department")]
    limits = [_("Statutory limit"), _("Promised limit")]
    write_sheet(
        workbook,
        _("No legal basis"),
        item_columns,
        ((i.basic_code, i.name, i.department.name) for i in report.without_basis),
    )
    write_sheet(
        workbook,
        _("Promise above the rule"),
        [*item_columns, *limits, _("Longest promise allowed")],
        (
            (
                i.basic_code,
                i.name,
                i.department.name,
                i.statutory_days,
                i.promised_days,
                i.compliant_promise_limit(),
            )
            for i in report.promise_over_rule
        ),
    )
    write_sheet(
        workbook,
        _("Fees without basis"),
        [*item_columns, _("Fee"), _("Amount (yuan)")],
        (
            (f.item.basic_code, f.item.name, f.item.department.name, f.name, float(f.amount))
            for f in report.fees_without_basis
        ),
    )
    write_sheet(
        workbook,
        _("No materials"),
        item_columns,
        ((i.basic_code, i.name, i.department.name) for i in report.without_materials),
    )
    write_sheet(
        workbook,
        _("Stages beyond the promise"),
        [*item_columns, _("Promised limit"), _("Stage days")],
        (
            (
                o.item.basic_code,
                o.item.name,
                o.item.department.name,
                o.item.promised_days,
                o.stage_days,
            )
            for o in report.stages_over_promise
        ),
    )
    return workbook


# --- efficiency (事后) ---------------------------------------------------------------------------


def _period(request: HttpRequest) -> Period:
    """The period asked for, the current month by default; ValidationError saying what is wrong."""
    default = Period.month_of(timezone.localdate())
    start_text = request.GET.get("start", "").strip()
    end_text = request.GET.get("end", "").strip()
    try:
        start = parse_date(start_text) if start_text else default.start
        end = parse_date(end_text) if end_text else default.end
    except ValueError:
        start = end = None
    if start is None or end is None:
        raise ValidationError(_("Enter the period's dates as YYYY-MM-DD, for example 2026-11-01."))
    if end < start:
        raise ValidationError(
            _("The period ends (%(end)s) before it starts (%(start)s): swap the dates.")
            % {"end": end.isoformat(), "start": start.isoformat()}
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError(
            _("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
        )
    return Period(start, end)


def _dimension(request: HttpRequest) -> Dimension:
    try:
        return Dimension(request.GET.get("dimension") or Dimension.DEPARTMENT)
    except ValueError:
        return Dimension.DEPARTMENT


def _table(reader: Reader, period: Period, dimension: Dimension) -> EfficiencyTable:
    return efficiency_table(
        center=reader.center,
        period=period,
        dimension=dimension,
        calendar=calendar_current(),
        department=reader.department,
    )


@login_required
@require_GET
def efficiency(request: HttpRequest) -> HttpResponse:
    """The efficiency table of one dimension for the chosen period."""
    reader = _reader(request, department_heads=True)
    dimension = _dimension(request)
    context: dict[str, object] = {
        "center": reader.center,
        "department": reader.department,
        "dimensions": list(Dimension),
        "dimension": dimension,
        "figures": catalog_figures(center=reader.center),
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
    }
    try:
        period = _period(request)
        table = _table(reader, period, dimension)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "supervision/reports/efficiency.html", context, status=422)
    context.update(
        period=period, table=table, start=period.start.isoformat(), end=period.end.isoformat()
    )
    return render(request, "supervision/reports/efficiency.html", context)


@login_required
@require_GET
def efficiency_xlsx(request: HttpRequest) -> HttpResponse:
    """Every dimension's table of the period, one sheet each."""
    reader = _reader(request, department_heads=True)
    try:
        period = _period(request)
        tables = [_table(reader, period, dimension) for dimension in Dimension]
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain")
    scope = reader.center.slug if reader.department is None else f"dept{reader.department.pk}"
    return _xlsx(
        request,
        reader,
        efficiency_workbook(tables),
        "efficiency",
        f"efficiency-{scope}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx",
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _cells(row: EfficiencyRow) -> tuple[object, ...]:
    return (
        row.label,
        row.concluded,
        row.on_time,
        _rounded(row.on_time_rate),
        row.early,
        _rounded(row.early_rate),
        _rounded(row.mean_used),
        _rounded(row.median_used),
        _rounded(row.mean_promised),
        row.suspensions,
        row.extensions,
        row.violations,
    )


def efficiency_workbook(tables: list[EfficiencyTable]) -> openpyxl.Workbook:
    workbook = _new_workbook()
    columns = [
        _("Name"),
        _("Concluded"),
        _("On time"),
        _("On-time rate, percent"),
        _("Early"),
        _("Early-completion rate, percent"),
        _("Mean working days used"),
        _("Median working days used"),
        _("Mean promised working days"),
        _("Special procedures"),
        _("Extensions"),
        _("Violations"),
    ]
    for table in tables:
        write_sheet(
            workbook,
            str(table.dimension.label),
            columns,
            [*(_cells(row) for row in table.rows), _cells(table.total)],
        )
    return workbook
