"""Supervision in the JSON API: the lights board and the violations, for the center's supervisors
and administrators (the whole center) and department heads (their department)."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from cases.models import Light
from govhall.api import ErrorOut
from govhall.identifiers import mask_name
from hall.auth import StaffSessionAuth
from supervision.models import Rule, ViolationState
from supervision.selectors import (
    SupervisionScope,
    light_counts,
    lit_cases,
    supervision_scope,
    violations_for,
)

router = Router(tags=["supervision"])
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
PAGE_SIZE = 50
staff_auth = [StaffSessionAuth()]


def _scope(request: HttpRequest) -> SupervisionScope:
    scope = supervision_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _("Electronic supervision is for the center's supervisors and department heads.")
        )
    return scope


class LightsQuery(Schema):
    light: Light = Light.RED
    department: int | None = Field(None, ge=1)
    item: int | None = Field(None, ge=1)
    page: int = Field(1, ge=1, le=100000)


class LitCaseOut(Schema):
    number: str
    item_name: str
    department: str
    applicant: str = Field(description="Masked: 张*三")
    promised_due: dt.date | None
    statutory_due: dt.date | None


class LightsOut(Schema):
    day: dt.date
    counts: dict[str, int] = Field(description="Running cases under each light")
    light: Light
    count: int
    page: int
    pages: int
    results: list[LitCaseOut]


@router.get(
    "/supervision/lights",
    response={200: LightsOut, **ERRORS},
    auth=staff_auth,
    summary="The lights board: counts per light and the cases under one, gravest first",
)
def lights(request: HttpRequest, filters: Query[LightsQuery]) -> LightsOut:
    scope = _scope(request)
    today = timezone.localdate()
    cases = lit_cases(
        scope, today, light=filters.light, department_id=filters.department, item_id=filters.item
    )
    count = cases.count()
    start = (filters.page - 1) * PAGE_SIZE
    return LightsOut(
        day=today,
        counts=light_counts(scope, today),
        light=filters.light,
        count=count,
        page=filters.page,
        pages=max(1, math.ceil(count / PAGE_SIZE)),
        results=[
            LitCaseOut(
                number=case.number,
                item_name=case.item.name,
                department=case.department.short_name,
                applicant=mask_name(case.applicant_name),
                promised_due=case.promised_due,
                statutory_due=case.statutory_due,
            )
            for case in cases[start : start + PAGE_SIZE]
        ],
    )


class ViolationsQuery(Schema):
    state: ViolationState | None = None
    rule: Rule | None = None
    department: int | None = Field(None, ge=1)
    page: int = Field(1, ge=1, le=100000)


class ViolationOut(Schema):
    id: int
    rule: Rule
    rule_label: str
    severity: int
    case: str = Field(description="The case number, or the subject of a violation without a case")
    stage: str
    department: str
    counter: int | None = Field(description="The counter's number, where known")
    detail: str
    detected_at: dt.datetime
    state: ViolationState
    explanation: str


class ViolationsOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ViolationOut]


@router.get(
    "/supervision/violations",
    response={200: ViolationsOut, **ERRORS},
    auth=staff_auth,
    summary="Violations found during handling, newest first (open and explained by default)",
)
def violations(request: HttpRequest, filters: Query[ViolationsQuery]) -> ViolationsOut:
    scope = _scope(request)
    found = violations_for(
        scope,
        states=(filters.state,)
        if filters.state
        else (ViolationState.OPEN, ViolationState.EXPLAINED),
        rule=filters.rule or "",
        department_id=filters.department,
    )
    count = found.count()
    start = (filters.page - 1) * PAGE_SIZE
    return ViolationsOut(
        count=count,
        page=filters.page,
        pages=max(1, math.ceil(count / PAGE_SIZE)),
        results=[
            ViolationOut(
                id=violation.pk,
                rule=Rule(violation.rule),
                rule_label=str(Rule(violation.rule).label),
                severity=violation.severity,
                case=violation.about,
                stage=violation.stage.name if violation.stage else "",
                department=violation.department.short_name,
                counter=violation.counter.number if violation.counter else None,
                detail=violation.detail,
                detected_at=violation.detected_at,
                state=ViolationState(violation.state),
                explanation=violation.explanation,
            )
            for violation in found[start : start + PAGE_SIZE]
        ],
    )
