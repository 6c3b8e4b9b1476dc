"""The supervisors' page over the audit log: search, read, and export (which is recorded)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from audit.forms import AuditSearchForm
from audit.models import AuditEntry
from audit.selectors import entries_search, entries_visible_to, may_read_log, user_center_id
from audit.services import audit_record, request_ip

PER_PAGE = 50
EXPORT_LIMIT = 10_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(form: AuditSearchForm) -> dict[str, Any]:
    return {key: value for key, value in form.cleaned_data.items() if value}


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Supervisors and administrators search their center's log; reading it is not recorded."""
    if not may_read_log(request.user):
        raise PermissionDenied(_("The audit log is for supervisors and administrators."))
    form = AuditSearchForm(request.GET or None)
    entries = entries_visible_to(request.user)
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    elif form.is_bound:
        entries = entries_search(entries, **_filters(form))
    else:
        entries = entries.order_by("-at", "-pk")
    if request.GET.get("export") == "xlsx" and form.is_bound and form.is_valid():
        return _export(request, entries, _filters(form))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _export(
    request: HttpRequest, entries: QuerySet[AuditEntry], filters: dict[str, Any]
) -> HttpResponse:
    rows = list(entries[:EXPORT_LIMIT])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "audit"
    sheet.append(
        [
            _("Time"),
            _("Who"),
            _("Action"),
            _("Target type"),
            _("Target"),
            _("Center"),
            _("IP address"),
            _("Details"),
            _("Hash"),
        ]
    )
    for entry in rows:
        sheet.append(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor_label,
                entry.action,
                entry.target_type,
                entry.target_id,
                entry.center_id,
                entry.ip,
                str(entry.data) if entry.data else "",
                entry.hash,
            ]
        )
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            # A name tried at log-in may start with "=": it stays text, never a formula.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    audit_record(
        action="export",
        actor=request.user,
        target_type="audit",
        center_id=user_center_id(request.user),
        data={"rows": len(rows), "filters": filters},
        ip=request_ip(request),
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
