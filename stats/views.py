"""Pages of the statistics: the leaders' dashboard, the big screen, the reports and open data.

Who may open them:
- The dashboard and the reports: the center's administrators, hall managers and supervisors (the
  whole center) and department heads (their department), as feedback's satisfaction figures.
- The big screen (大屏) on the hall's LED wall: a hall display device (a token the administrator
  creates, passed once in the link as `?device=…` and then kept in an HttpOnly cookie, as the
  hall's counter screens do) shows the whole center; a signed-in reader of the dashboard sees
  their own scope. It shows figures only, no person.
- Open data: everyone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import audit_record, request_ip
from catalog.search import center_get
from feedback.stats import NamedPeriod, period_parse, satisfaction_scope, year_of
from hall.auth import device_for_token
from hall.models import Device
from stats.reports import (
    COLUMNS,
    OPEN_DATA_COLUMNS,
    ReportKind,
    open_data,
    open_data_csv,
    report_build,
    report_filename,
    report_pdf,
    report_period,
    report_workbook,
)
from stats.selectors import Scope, dashboard, scope_department
from supervision.exports import XLSX_CONTENT_TYPE

DISPLAY_COOKIE = "govhall_display"
DISPLAY_COOKIE_AGE = 365 * 24 * 3600
FIRST_OPEN_DATA_YEAR = 2000


def reader_scope(request: HttpRequest) -> Scope:
    scope = satisfaction_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _(
                "The statistics are for the center's administrators, hall managers, supervisors "
                "and department heads."
            )
        )
    return scope


def requested_period(request: HttpRequest) -> NamedPeriod:
    """The period of `?period=` (a month, quarter or year), this year by default."""
    text = request.GET.get("period", "").strip()
    return period_parse(text) if text else year_of(timezone.localdate())


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The leaders' dashboard: the page draws its charts from the API's dashboard figures."""
    scope = reader_scope(request)
    context: dict[str, object] = {
        "center": scope.center,
        "period_text": request.GET.get("period", ""),
    }
    try:
        period = requested_period(request)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "stats/dashboard.html", context, status=422)
    context.update(
        period=period,
        data_url=f"{reverse('api:stats_dashboard')}?period={period.code}",
        department=scope_department(scope),
    )
    return render(request, "stats/dashboard.html", context)


# --- the big screen ------------------------------------------------------------------------------


def _display_device(token: str) -> Device | None:
    device = device_for_token(token) if token else None
    if device is None or device.kind != Device.Kind.DISPLAY:
        return None
    return device


def screen_scope(request: HttpRequest) -> Scope:
    device = _display_device(request.COOKIES.get(DISPLAY_COOKIE, ""))
    if device is not None:
        return Scope(center=device.center, department_id=None)
    if not request.user.is_authenticated:
        raise PermissionDenied(
            _("Open the big screen with its hall display link, or sign in as a leader.")
        )
    return reader_scope(request)


@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """The big screen (大屏): the dashboard's figures, dark and full-screen, refreshed by itself."""
    token = request.GET.get("device", "")
    if token:
        if _display_device(token) is None:
            raise PermissionDenied(
                _("This display link is not valid: ask the administrator for a new one.")
            )
        response = HttpResponseRedirect(request.path)
        response.set_cookie(
            DISPLAY_COOKIE,
            token,
            max_age=DISPLAY_COOKIE_AGE,
            path=reverse("stats:screen"),
            secure=request.is_secure(),
            httponly=True,
            samesite="Strict",
        )
        return response
    scope = screen_scope(request)
    return render(
        request,
        "stats/screen.html",
        {"center": scope.center, "data_url": reverse("stats:screen_data")},
    )


@require_GET
def screen_data(request: HttpRequest) -> JsonResponse:
    scope = screen_scope(request)
    return JsonResponse(dashboard(scope=scope, period=year_of(timezone.localdate())))


# --- reports -------------------------------------------------------------------------------------


def _report_request(request: HttpRequest, kind_text: str) -> tuple[Scope, ReportKind, NamedPeriod]:
    scope = reader_scope(request)
    try:
        kind = ReportKind(kind_text)
    except ValueError:
        raise ValidationError(_("Choose a daily, monthly or annual report.")) from None
    period = report_period(kind, request.GET.get("day", ""), timezone.localdate())
    return scope, kind, period


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """The report of the chosen kind and day on screen, with its Excel and PDF downloads."""
    scope = reader_scope(request)
    kind_text = request.GET.get("kind", ReportKind.MONTHLY)
    context: dict[str, object] = {
        "center": scope.center,
        "kinds": list(ReportKind),
        "kind": kind_text,
        "day": request.GET.get("day", ""),
        "columns": [str(column) for column in COLUMNS],
    }
    try:
        scope, kind, period = _report_request(request, kind_text)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "stats/reports.html", context, status=422)
    context.update(
        report=report_build(scope=scope, kind=kind, period=period),
        query=request.GET.urlencode(),
    )
    return render(request, "stats/reports.html", context)


def _download(
    request: HttpRequest, scope: Scope, content: bytes, content_type: str, filename: str
) -> HttpResponse:
    """The report as a download; every export is written to the audit log."""
    audit_record(
        action="export",
        actor=request.user,
        target_type="stats.report",
        center_id=scope.center.pk,
        data={"query": request.GET.urlencode(), "file": filename},
        ip=request_ip(request),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_download(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    try:
        scope, report_kind, period = _report_request(request, kind)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain")
    report = report_build(scope=scope, kind=report_kind, period=period)
    if extension == "xlsx":
        content, content_type = report_workbook(report), XLSX_CONTENT_TYPE
    else:
        content, content_type = report_pdf(report), "application/pdf"
    return _download(request, scope, content, content_type, report_filename(report, extension))


@login_required
@require_GET
def report_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    return _report_download(request, kind, "xlsx")


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, kind: str) -> HttpResponse:
    return _report_download(request, kind, "pdf")


# --- open data -----------------------------------------------------------------------------------


def _open_data_year(request: HttpRequest, today: dt.date) -> int:
    text = request.GET.get("year", "").strip()
    if not text:
        return today.year
    if not text.isdigit() or not FIRST_OPEN_DATA_YEAR <= int(text) <= today.year:
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s, for example %(last)s.")
            % {"first": FIRST_OPEN_DATA_YEAR, "last": today.year}
        )
    return int(text)


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    """For each service item: the cases of a year and the median working days used (公开)."""
    center = center_get(request.GET.get("center"))
    today = timezone.localdate()
    context: dict[str, object] = {
        "center": center,
        "columns": [str(column) for column in OPEN_DATA_COLUMNS],
        "years": list(range(today.year, max(FIRST_OPEN_DATA_YEAR, today.year - 9) - 1, -1)),
    }
    try:
        year = _open_data_year(request, today)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "stats/open_data.html", context, status=422)
    context.update(year=year, rows=open_data(center=center, year=year))
    return render(request, "stats/open_data.html", context)


@require_GET
def open_data_csv_view(request: HttpRequest) -> HttpResponse:
    center = center_get(request.GET.get("center"))
    try:
        year = _open_data_year(request, timezone.localdate())
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain")
    # The byte order mark lets spreadsheet programs read the file as UTF-8 (Chinese names).
    text = "\ufeff" + open_data_csv(open_data(center=center, year=year))
    response = HttpResponse(text.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="open-data-{center.slug}-{year}.csv"'
    return response
