"""The assessment's API: the daily bulletin for the hall's broadcast screens, the rankings, and
the third-party assessment rounds with their results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from accounts.models import User
from assessment.models import AssessmentRound, MonthlyScore
from assessment.selectors import (
    bulletin,
    invitation_of,
    may_manage_rounds,
    may_read_rankings,
    ranking,
    round_get_for,
    round_results,
    rounds_visible_to,
    staff_center,
)
from catalog.models import Center
from feedback.stats import period_parse
from govhall.api import ErrorOut
from hall.auth import StaffSessionAuth

router = Router(tags=["assessment"], auth=[StaffSessionAuth()])

ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
ROUND_ERRORS: dict[int, type[Schema]] = {**ERRORS, 404: ErrorOut}


class FindingOut(Schema):
    kind: str
    category: str
    category_label: str
    staff_name: str
    counter_number: int | None
    points: Decimal
    note: str


class DayFiguresOut(Schema):
    tickets_served: int
    mean_wait_minutes: float | None
    cases_concluded: int
    ratings: int
    bad_ratings: int


class BulletinOut(Schema):
    day: dt.date
    findings: list[FindingOut]
    figures: DayFiguresOut


class BulletinQuery(Schema):
    day: dt.date | None = None


class RankingRowOut(Schema):
    rank: int
    name: str
    score: Decimal
    months: int


class RankingOut(Schema):
    period: str
    subject: str
    rows: list[RankingRowOut]
    months_open: list[dt.date]


class RankingQuery(Schema):
    period: str
    subject: str = "staff"


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("Only the center's staff read the assessment.")
    return center


@router.get(
    "/assessment/bulletin",
    response={200: BulletinOut, **ERRORS},
    summary="The daily bulletin (每日通报): the day's findings and praise and the hall's figures",
)
def bulletin_get(request: HttpRequest, query: Query[BulletinQuery]) -> BulletinOut:
    found = bulletin(center=_center(request), day=query.day or timezone.localdate())
    return BulletinOut(
        day=found.day,
        findings=[
            FindingOut(
                kind=finding.kind,
                category=finding.category,
                category_label=finding.get_category_display(),
                staff_name=(finding.staff.full_name or finding.staff.username)
                if finding.staff
                else "",
                counter_number=finding.counter.number if finding.counter else None,
                points=finding.points,
                note=finding.note,
            )
            for finding in (*found.deductions, *found.praise)
        ],
        figures=DayFiguresOut(**vars(found.figures)),
    )


@router.get(
    "/assessment/ranking",
    response={200: RankingOut, **ERRORS},
    summary="The ranking of a closed month, or of a quarter or year by the mean of its months",
)
def ranking_get(request: HttpRequest, query: Query[RankingQuery]) -> RankingOut:
    center = _center(request)
    if not may_read_rankings(request.user):
        raise PermissionDenied(
            "Only the hall manager, supervisors and the administrator read the rankings."
        )
    subject = query.subject if query.subject in MonthlyScore.Subject.values else "staff"
    table = ranking(center=center, period=period_parse(query.period), subject=subject)
    return RankingOut(
        period=table.period.code,
        subject=subject,
        rows=[
            RankingRowOut(rank=row.rank, name=row.label, score=row.score, months=row.months)
            for row in table.rows
        ],
        months_open=table.months_open,
    )


class RoundOut(Schema):
    id: int
    name: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    closes_on: dt.date
    state: str
    invited_as: str | None


class CounterResultOut(Schema):
    counter_number: int
    counter_name: str
    sheets: int
    by_kind: dict[str, float]
    score: float


class RoundResultsOut(Schema):
    round: RoundOut
    counters: list[CounterResultOut]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or staff_center(user) is None:
        raise PermissionDenied("Only the center's staff read the assessment.")
    return user


def _round_out(found: AssessmentRound, user: User) -> RoundOut:
    invitation = invitation_of(found, user)
    return RoundOut(
        id=found.pk,
        name=found.name,
        period=found.period,
        starts_on=found.starts_on,
        ends_on=found.ends_on,
        closes_on=found.closes_on,
        state=found.state,
        invited_as=invitation.kind if invitation else None,
    )


@router.get(
    "/assessment/rounds",
    response={200: list[RoundOut], **ERRORS},
    summary="Third-party assessment rounds (第三方评议): all of the center's for the "
    "administrator and hall manager, the invited ones for an assessor",
)
def rounds_get(request: HttpRequest) -> list[RoundOut]:
    user = _user(request)
    return [
        _round_out(found, user) for found in rounds_visible_to(user).order_by("-starts_on", "-pk")
    ]


@router.get(
    "/assessment/rounds/{round_id}/results",
    response={200: RoundResultsOut, **ROUND_ERRORS},
    summary="A round's per-counter results from the submitted sheets: each kind of assessor's "
    "mean and their mean",
)
def round_results_get(request: HttpRequest, round_id: int) -> RoundResultsOut:
    user = _user(request)
    if not may_manage_rounds(user):
        raise PermissionDenied(
            "Only the center's administrator and hall manager read a round's results."
        )
    found = round_get_for(user=user, pk=round_id)
    return RoundResultsOut(
        round=_round_out(found, user),
        counters=[
            CounterResultOut(
                counter_number=result.counter.number,
                counter_name=result.counter.name,
                sheets=result.sheets,
                by_kind=result.by_kind,
                score=result.mean,
            )
            for result in round_results(found)
        ],
    )
