"""Satisfaction figures in the JSON API: the tables for the center's staff (scoped as the page)
and the center's public figures."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.search import center_get
from feedback.stats import (
    Grouping,
    PublicFigures,
    SatisfactionRow,
    month_of,
    period_parse,
    public_figures,
    public_figures_to_date,
    satisfaction_scope,
    satisfaction_table,
)
from govhall.api import ErrorOut
from hall.auth import StaffSessionAuth

router = Router(tags=["feedback"])
PERIOD_HELP = "A month (2026-11), a quarter (2026-Q4) or a year (2026); default this month"


class SatisfactionQuery(Schema):
    period: str = Field("", max_length=10, description=PERIOD_HELP)
    by: Grouping = Grouping.DEPARTMENT


class SatisfactionRowOut(Schema):
    id: int | None = Field(description="Department, counter or staff user id; null: not recorded")
    name: str
    ratings: int
    levels: dict[int, int] = Field(description="Ratings at each level, 5 very satisfied to 1")
    satisfaction_rate: float | None = Field(description="Percent of ratings at levels 5, 4, 3")
    mean_level: float | None
    bad: int = Field(description="Ratings at levels 2 and 1")
    rectifications: int
    rectifications_due: int = Field(description="Put right, or past their rectification date")
    rectified: int
    rectification_rate: float | None = Field(description="Percent: rectified / due")
    overdue: int
    real_name_due: int = Field(description="Real-name bad ratings due for a call-back")
    called_back: int
    call_back_rate: float | None = Field(description="Percent: called back / due")


class SatisfactionOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    by: Grouping
    department_id: int | None = Field(description="The reader's department; null: whole center")
    rows: list[SatisfactionRowOut]
    total: SatisfactionRowOut


def _row(row: SatisfactionRow) -> SatisfactionRowOut:
    return SatisfactionRowOut(
        id=row.key,
        name=row.label,
        ratings=row.ratings,
        levels=row.levels,
        satisfaction_rate=row.satisfaction_rate,
        mean_level=row.mean_level,
        bad=row.bad,
        rectifications=row.rectifications,
        rectifications_due=row.rectifications_due,
        rectified=row.rectified,
        rectification_rate=row.rectification_rate,
        overdue=row.overdue,
        real_name_due=row.real_name_due,
        called_back=row.called_back,
        call_back_rate=row.call_back_rate,
    )


@router.get(
    "/feedback/satisfaction",
    response={200: SatisfactionOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=[StaffSessionAuth()],
    summary="Satisfaction of a month, quarter or year by department, counter or staff member",
)
def satisfaction(request: HttpRequest, filters: Query[SatisfactionQuery]) -> SatisfactionOut:
    scope = satisfaction_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _(
                "The satisfaction figures are for the hall managers, supervisors, "
                "administrators and department heads."
            )
        )
    text = filters.period.strip()
    period = period_parse(text) if text else month_of(timezone.localdate())
    table = satisfaction_table(scope=scope, period=period, grouping=filters.by)
    return SatisfactionOut(
        period=period.code,
        start=period.start,
        end=period.end,
        by=filters.by,
        department_id=scope.department_id,
        rows=[_row(row) for row in table.rows],
        total=_row(table.total),
    )


class FiguresQuery(Schema):
    center: str | None = Field(None, max_length=50, description="Center code; default center")
    period: str = Field("", max_length=10, description=f"{PERIOD_HELP}, quarter and year so far")


class FiguresOut(Schema):
    period: str
    start: dt.date
    until: dt.date = Field(description="The last day counted: the period's end, or today")
    ratings: int
    satisfaction_rate: float | None = Field(description="Percent of ratings at levels 5, 4, 3")
    bad: int
    rectification_rate: float | None = Field(description="Percent of due rectifications done")
    complaints: int = Field(description="Complaints received")
    complaints_concluded: int
    complaints_on_time_rate: float | None = Field(description="Percent of concluded on time")


def _figures(figures: PublicFigures) -> FiguresOut:
    return FiguresOut(
        period=figures.period.code,
        start=figures.period.start,
        until=figures.until,
        ratings=figures.ratings,
        satisfaction_rate=figures.satisfaction_rate,
        bad=figures.bad,
        rectification_rate=figures.rectification_rate,
        complaints=figures.complaints,
        complaints_concluded=figures.complaints_concluded,
        complaints_on_time_rate=figures.complaints_on_time_rate,
    )


@router.get(
    "/feedback/figures",
    response={200: list[FiguresOut], 404: ErrorOut, 422: ErrorOut},
    summary="The center's published figures: ratings, satisfaction, rectification, complaints",
)
def figures(request: HttpRequest, filters: Query[FiguresQuery]) -> list[FiguresOut]:
    center = center_get(filters.center)
    today = timezone.localdate()
    text = filters.period.strip()
    if text:
        return [_figures(public_figures(center=center, period=period_parse(text), today=today))]
    return [_figures(each) for each in public_figures_to_date(center=center, today=today)]
