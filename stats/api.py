"""The dashboard's figures in the JSON API: for the center's leaders (scoped as the page) and the
hall's display devices (the whole center)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from feedback.stats import period_parse, satisfaction_scope, year_of
from govhall.api import ErrorOut
from hall.auth import DeviceAuth, StaffSessionAuth
from hall.models import Device
from stats.selectors import Scope, dashboard

router = Router(tags=["stats"])


class DashboardQuery(Schema):
    period: str = Field(
        "",
        max_length=10,
        description="A month (2026-11), a quarter (2026-Q4) or a year (2026); default this year",
    )


@router.get(
    "/stats/dashboard",
    url_name="stats_dashboard",
    auth=[DeviceAuth(Device.Kind.DISPLAY), StaffSessionAuth()],
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="The leaders' dashboard figures: today, the period's cases, trends, peaks, totals",
)
def dashboard_figures(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    device = getattr(request, "device", None)
    if device is not None:
        scope: Scope | None = Scope(center=device.center, department_id=None)
    else:
        scope = satisfaction_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _(
                "The statistics are for the center's administrators, hall managers, supervisors "
                "and department heads."
            )
        )
    text = query.period.strip()
    period = period_parse(text) if text else year_of(timezone.localdate())
    return dashboard(scope=scope, period=period)
