"""API of cases: online application, materials, the applicant's and staff's reads, intake actions
and the public query by number and the identifier's last four characters."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile
from ninja.params import FormEx, HeaderEx, P, QueryEx
from ninja.security import django_auth
from pydantic import Field

from accounts.models import User
from cases import services
from cases.models import Case, CaseStatus
from cases.selectors import (
    QueryThrottled,
    case_get_for,
    case_public_lookup,
    case_timeline,
    staff_worklist,
)
from catalog.models import MaterialSpec, ServiceItem
from govhall.api import ErrorOut
from govhall.identifiers import mask_id, mask_name
from hall.auth import StaffSessionAuth

router = Router(tags=["cases"])

ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
staff_auth = [StaffSessionAuth()]

FieldValue = str | int | float


class CaseIn(Schema):
    item: str = Field(min_length=1, max_length=100, description="Implementation code of the item")
    applicant_kind: Literal["person", "legal"]
    applicant_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field("", max_length=18, description="Resident ID (individuals)")
    uscc: str = Field("", max_length=18, description="Unified social credit code (legal entities)")
    mobile: str = Field("", max_length=20)
    fields: dict[str, FieldValue] = Field(default_factory=dict, description="The item's fields")


class CaseListQuery(Schema):
    status: CaseStatus | None = None
    department: int | None = Field(None, ge=1, le=2**62)
    due_before: dt.date | None = None
    page: int = Field(1, ge=1, le=100000)


class EventOut(Schema):
    from_status: int | None
    to_status: int
    label: str
    at: dt.datetime
    note: str


class MaterialOut(Schema):
    id: int
    spec: int | None
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class CaseOut(Schema):
    number: str
    item: str
    item_name: str
    channel: str
    status: int = Field(description="Exchange code of the state (DESIGN §3)")
    status_label: str
    applicant_kind: str
    applicant_name: str
    id_number: str
    uscc: str
    mobile: str
    fields: dict[str, Any]
    submitted_at: dt.datetime
    received_day: dt.date
    acceptance_due: dt.date | None
    accepted_at: dt.datetime | None
    clock_start: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    due_provisional: bool
    corrections_count: int
    events: list[EventOut]
    materials: list[MaterialOut]


class CaseRowOut(Schema):
    """A line of a work list: personal data masked."""

    number: str
    item_name: str
    department: str
    status: int
    status_label: str
    applicant: str
    identifier: str
    received_day: dt.date
    acceptance_due: dt.date | None
    promised_due: dt.date | None


class CaseListOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseRowOut]


class PublicStepOut(Schema):
    status: str
    at: dt.datetime


class PublicCaseOut(Schema):
    number: str
    item: str
    status: int
    status_label: str
    promised_due: dt.date | None
    steps: list[PublicStepOut]


class RefuseIn(Schema):
    reason: str = Field(max_length=2000)


class MarkIn(Schema):
    spec: int | None = Field(None, ge=1, le=2**62, description="Material of the item's list")
    name: str = Field("", max_length=150, description="A material not on the list")
    reason: str = Field(max_length=500)


class CorrectionIn(Schema):
    items: list[MarkIn] = Field(max_length=100)
    note: str = Field("", max_length=2000)
    allowed_by: str | None = Field(
        None, max_length=150, description="Username of the supervisor allowing a second notice"
    )


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        number=case.number,
        item=case.item.implementation_code,
        item_name=case.item.name,
        channel=case.channel,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        applicant_kind=case.applicant_kind,
        applicant_name=case.applicant_name,
        id_number=case.id_number,
        uscc=case.uscc,
        mobile=case.mobile,
        fields=case.form_data,
        submitted_at=case.submitted_at,
        received_day=case.received_day,
        acceptance_due=case.acceptance_due,
        accepted_at=case.accepted_at,
        clock_start=case.clock_start,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        due_provisional=case.due_provisional,
        corrections_count=case.corrections_count,
        events=[
            EventOut(
                from_status=event.from_status,
                to_status=event.to_status,
                label=str(CaseStatus(event.to_status).label),
                at=event.at,
                note=event.note,
            )
            for event in case_timeline(case)
        ],
        materials=[
            MaterialOut(
                id=material.pk,
                spec=material.spec_id,
                name=material.original_name,
                size=material.size,
                content_type=material.content_type,
                sha256=material.sha256,
                uploaded_at=material.uploaded_at,
            )
            for material in case.materials.all()
        ],
    )


def _read(request: HttpRequest, number: str, what: str) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.case_access_record(case=case, user=user, what=what)
    return case_out(case)


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, **ERRORS},
    auth=django_auth,
    summary="Apply online (网上申报); the same Idempotency-Key again returns the same case",
)
def case_create(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: HeaderEx[
        str, P(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
    ],
) -> Status[Any]:
    user = _user(request)
    item = ServiceItem.objects.filter(implementation_code=payload.item).first()
    if item is None:
        raise Http404(
            _("There is no service item with the code %(code)s.") % {"code": payload.item}
        )
    case, created = services.case_submit(
        user=user,
        item=item,
        applicant=services.Applicant(
            kind=payload.applicant_kind,
            name=payload.applicant_name,
            id_number=payload.id_number,
            uscc=payload.uscc,
            mobile=payload.mobile,
        ),
        form_data=dict(payload.fields),
        idempotency_key=idempotency_key,
    )
    return Status(201 if created else 200, case_out(case))


@router.get(
    "/cases",
    response={200: CaseListOut, **ERRORS},
    auth=staff_auth,
    summary="Staff work list in the caller's scope, by promised due date (personal data masked)",
)
def case_list(
    request: HttpRequest,
    filters: Query[CaseListQuery],
) -> CaseListOut:
    page = filters.page
    cases = staff_worklist(
        user=_user(request),
        status=filters.status,
        department_id=filters.department,
        due_before=filters.due_before,
    )
    size: int = getattr(settings, "GOVHALL_ITEMS_PER_PAGE", 20)
    count = cases.count()
    rows = cases[(page - 1) * size : page * size]
    return CaseListOut(
        count=count,
        page=page,
        pages=max(1, math.ceil(count / size)),
        results=[
            CaseRowOut(
                number=case.number,
                item_name=case.item.name,
                department=case.item.department.short_name,
                status=case.status,
                status_label=str(CaseStatus(case.status).label),
                applicant=mask_name(case.applicant_name),
                identifier=mask_id(case.identifier),
                received_day=case.received_day,
                acceptance_due=case.acceptance_due,
                promised_due=case.promised_due,
            )
            for case in rows
        ],
    )


# Registered before /cases/{number}, which would otherwise take "query" for a number.
@router.get(
    "/cases/query",
    response={200: PublicCaseOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Public query by case number and the last four characters of the ID or USCC",
)
def case_query(
    request: HttpRequest,
    number: QueryEx[str, P(min_length=1, max_length=20)],
    id_tail: QueryEx[str, P(min_length=4, max_length=4)],
) -> Status[Any]:
    try:
        found = case_public_lookup(
            number=number, id_tail=id_tail, address=request.META.get("REMOTE_ADDR", "")
        )
    except QueryThrottled:
        return Status(429, {"message": _("Too many failed queries: try again in an hour.")})
    if found is None:
        raise Http404(_("No case matches this number and ID ending."))
    return Status(
        200,
        PublicCaseOut(
            number=found.number,
            item=found.item,
            status=found.status,
            status_label=found.status_label,
            promised_due=found.promised_due,
            steps=[PublicStepOut(status=step.status, at=step.at) for step in found.steps],
        ),
    )


@router.get(
    "/cases/{number}",
    response={200: CaseOut, **ERRORS},
    auth=django_auth,
    summary="A case, for its applicant or staff allowed to see it (staff reads are logged)",
)
def case_get(request: HttpRequest, number: str) -> CaseOut:
    return _read(request, number, "api")


@router.post(
    "/cases/{number}/materials",
    response={201: MaterialOut, **ERRORS},
    auth=django_auth,
    summary="Upload a material (PDF, JPEG or PNG by content; size limits per file and case)",
)
def material_create(
    request: HttpRequest,
    number: str,
    file: File[UploadedFile],
    spec: FormEx[int | None, P(ge=1, le=2**62)] = None,
) -> Status[Any]:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    material_spec = None
    if spec is not None:
        material_spec = MaterialSpec.objects.filter(pk=spec, item_id=case.item_id).first()
        if material_spec is None:
            raise Http404(_("This item has no such material."))
    material = services.material_upload(case=case, user=user, upload=file, spec=material_spec)
    return Status(
        201,
        MaterialOut(
            id=material.pk,
            spec=material.spec_id,
            name=material.original_name,
            size=material.size,
            content_type=material.content_type,
            sha256=material.sha256,
            uploaded_at=material.uploaded_at,
        ),
    )


@router.post(
    "/cases/{number}/accept",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Accept (受理): the limits start",
)
def case_accept(request: HttpRequest, number: str) -> CaseOut:
    user = _user(request)
    case = services.case_accept(case=case_get_for(user=user, number=number), staff=user)
    return case_out(case)


@router.post(
    "/cases/{number}/refuse",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Do not accept (不予受理), with the reason",
)
def case_refuse(request: HttpRequest, number: str, payload: RefuseIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    return case_out(services.case_refuse(case=case, staff=user, reason=payload.reason))


@router.post(
    "/cases/{number}/correction",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Request correction (补正) with the one-time notice",
)
def case_correction(request: HttpRequest, number: str, payload: CorrectionIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    allowed_by = None
    if payload.allowed_by:
        allowed_by = User.objects.filter(username=payload.allowed_by).first()
        if allowed_by is None:
            raise PermissionDenied(_("Only a supervisor of this center may allow a second notice."))
    services.case_request_correction(
        case=case,
        staff=user,
        marks=[
            services.CorrectionMark(reason=mark.reason, spec_id=mark.spec, name=mark.name)
            for mark in payload.items
        ],
        note=payload.note,
        allowed_by=allowed_by,
    )
    return case_out(case)


@router.post(
    "/cases/{number}/correction-done",
    response={200: CaseOut, **ERRORS},
    auth=django_auth,
    summary="The applicant has uploaded what the correction notice asked for",
)
def case_correction_done(request: HttpRequest, number: str) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    return case_out(services.case_correction_submit(case=case, user=user))


@router.post(
    "/cases/{number}/withdraw",
    response={200: CaseOut, **ERRORS},
    auth=django_auth,
    summary="Withdraw the application before acceptance (the applicant)",
)
def case_withdraw(request: HttpRequest, number: str, payload: WithdrawIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    return case_out(services.case_withdraw(case=case, user=user, reason=payload.reason))


@router.post(
    "/cases/{number}/conclude",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Accept and conclude an on-the-spot item (即办件) in one step",
)
def case_conclude(request: HttpRequest, number: str) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    return case_out(services.case_conclude_on_the_spot(case=case, staff=user))
