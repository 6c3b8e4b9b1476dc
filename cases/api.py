"""API of cases: online application, materials, the applicant's and staff's reads, intake actions,
stages, suspension, extension, decision, delivery, the deadline's explanation and the public query
by number and the identifier's last four characters."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params import FormEx, HeaderEx, P, PathEx, QueryEx
from ninja.security import django_auth
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from accounts.models import User
from cases import services
from cases.models import (
    BundleApplication,
    Case,
    CaseCertificate,
    CaseEvent,
    CaseExtension,
    CaseFee,
    CaseStage,
    CaseStatus,
    Channel,
    DeliveryMethod,
    Light,
    StageStatus,
    SuspensionKind,
)
from cases.selectors import (
    QueryThrottled,
    bundle_application_cases,
    bundle_application_get_for,
    case_deadline_explain,
    case_get_for,
    case_materials,
    case_public_lookup,
    case_rule_checks,
    case_stages,
    case_timeline,
    staff_worklist,
    stage_worklist,
)
from catalog.models import Bundle, Counter, MaterialSpec, ServiceItem
from govhall.api import ErrorOut
from govhall.db import rows
from govhall.identifiers import mask_id, mask_name
from hall.auth import StaffSessionAuth
from workdays.selectors import calendar_current

router = Router(tags=["cases"])

ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
staff_auth = [StaffSessionAuth()]
# The relation `case_out` reads: the case's item, not its department or center.
API_RELATED = ("item",)

FieldValue = str | int | float
RowId = PathEx[int, P(ge=1, le=2**62)]


class CaseIn(Schema):
    item: str = Field(min_length=1, max_length=100, description="Implementation code of the item")
    applicant_kind: Literal["person", "legal"]
    applicant_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field("", max_length=18, description="Resident ID (individuals)")
    uscc: str = Field("", max_length=18, description="Unified social credit code (legal entities)")
    mobile: str = Field("", max_length=20)
    fields: dict[str, FieldValue] = Field(default_factory=dict, description="The item's fields")
    person_requested: bool = Field(
        False, description="A person, not automatic approval (秒批), handles the case"
    )


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


class StageOut(Schema):
    id: int
    step: int
    name: str
    department: str
    role: str
    days: int
    status: str
    assignee: str | None
    started_at: dt.datetime | None
    due: dt.date | None
    light: Light | None = Field(
        description="Deadline light today; null when the stage's clock stops"
    )
    finished_at: dt.datetime | None
    result: str


class CertificateOut(Schema):
    number: str
    name: str
    holder_name: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None


class RuleCheckOut(Schema):
    rule: str
    passed: bool
    detail: str


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
    light: Light | None = Field(description="Deadline light today; null when the clock stops")
    corrections_count: int
    events: list[EventOut]
    materials: list[MaterialOut]
    stages: list[StageOut]
    bundle_application: str | None = Field(description="Number of the bundle application")
    certificate: CertificateOut | None
    rule_checks: list[RuleCheckOut] = Field(description="Automatic approval (秒批) checks")


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
    light: Light | None = Field(description="Deadline light today; null when the clock stops")


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


def stage_out(stage: CaseStage, today: dt.date) -> StageOut:
    return StageOut(
        id=stage.pk,
        step=stage.step,
        name=stage.name,
        department=stage.department.short_name,
        role=stage.role,
        days=stage.days,
        status=stage.status,
        assignee=stage.assignee.get_username() if stage.assignee else None,
        started_at=stage.started_at,
        due=stage.due,
        light=stage.light(today),
        finished_at=stage.finished_at,
        result=stage.result,
    )


def case_out(case: Case, *, new: bool = False) -> CaseOut:
    """The case as the API shows it.

    `new`: the case was just created by this request and its item has no automatic approval,
    so its timeline is the one event of receipt, written with the case, and it has no rule
    checks: both are answered without reading them back.
    """
    today = timezone.localdate()
    events = (
        [CaseEvent(from_status=None, to_status=CaseStatus.RECEIVED, at=case.submitted_at)]
        if new
        else case_timeline(case, actors=False)
    )
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
        light=case.light(today),
        corrections_count=case.corrections_count,
        events=[
            EventOut(
                from_status=event.from_status,
                to_status=event.to_status,
                label=str(CaseStatus(event.to_status).label),
                at=event.at,
                note=event.note,
            )
            for event in events
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
            for material in case_materials(case)
        ],
        stages=[stage_out(stage, today) for stage in case_stages(case)],
        bundle_application=case.bundle_application.number if case.bundle_application else None,
        certificate=certificate_out(case),
        rule_checks=[
            RuleCheckOut(rule=check.rule, passed=check.passed, detail=check.detail)
            # Automatic approval checks only online applications.
            for check in (
                case_rule_checks(case) if case.channel == Channel.ONLINE and not new else ()
            )
        ],
    )


def certificate_out(case: Case) -> CertificateOut | None:
    if case.concluded_at is None:
        # A certificate is issued when the case concludes: nothing to read before.
        return None
    certificate = CaseCertificate.objects.filter(case=case).select_related("issuer").first()
    if certificate is None:
        return None
    return CertificateOut(
        number=certificate.number,
        name=certificate.name,
        holder_name=certificate.holder_name,
        issuer=certificate.issuer.name,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
    )


def _read(request: HttpRequest, number: str, what: str) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number, related=API_RELATED)
    services.case_access_record(case=case, user=user, what=what)
    return case_out(case)


# `POST /cases` takes the application as JSON, or as multipart/form-data with the same JSON in
# the part `payload` and the materials as `file` parts, each with a `spec` part in the same order
# (the item's material it is), as `POST /cases/{number}/materials` names them.
CASE_CREATE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": CaseIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["payload"],
                "properties": {
                    "payload": {"type": "string", "description": "The application as JSON"},
                    "file": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "The materials: PDF, JPEG or PNG by content",
                    },
                    "spec": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 1, "maximum": 2**62},
                        "description": "The item's material of each file, in the files' order",
                    },
                },
            }
        },
    },
}


def _case_in(request: HttpRequest) -> tuple[CaseIn, list[DjangoUploadedFile], list[int]]:
    """The application, its files and their materials' ids, from JSON or multipart."""
    multipart = request.content_type == "multipart/form-data"
    raw: str | bytes = request.POST.get("payload", "") if multipart else request.body
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    if "\x00" in text or "\\u0000" in text:
        # The middleware looks only at JSON bodies; PostgreSQL cannot store NUL in text.
        raise ValidationError(_("The request contains a NUL character: remove it and try again."))
    try:
        payload = CaseIn.model_validate_json(raw)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [
                {**error, "loc": ("body", "payload", *error["loc"])}
                for error in exc.errors(include_url=False, include_context=False)
            ]
        ) from None
    if not multipart:
        return payload, [], []
    files = request.FILES.getlist("file")
    specs = request.POST.getlist("spec")
    if specs and len(specs) != len(files):
        raise ValidationError(_("Give one spec for each file, in the same order, or none."))
    if not all(spec.isascii() and spec.isdigit() and 0 < int(spec) <= 2**62 for spec in specs):
        raise ValidationError(_("A spec is the number of one of the item's materials."))
    return payload, files, [int(spec) for spec in specs]


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, **ERRORS},
    auth=django_auth,
    summary="Apply online (网上申报), with the materials in the same request or after it; "
    "the same Idempotency-Key again returns the same case",
    openapi_extra={"requestBody": CASE_CREATE_BODY},
)
def case_create(
    request: HttpRequest,
    idempotency_key: HeaderEx[
        str, P(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
    ],
) -> Status[Any]:
    user = _user(request)
    payload, files, spec_ids = _case_in(request)
    # By hand, as each submission asks (see `govhall.db`); the code is unique.
    item = next(iter(rows(ServiceItem, {"implementation_code": payload.item})), None)
    if item is None:
        raise Http404(
            _("There is no service item with the code %(code)s.") % {"code": payload.item}
        )
    # The item's few materials in one statement, when files name them.
    specs = {spec.pk: spec for spec in rows(MaterialSpec, {"item_id": item.pk})} if spec_ids else {}
    if not set(spec_ids) <= set(specs):
        raise Http404(_("This item has no such material."))
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
        materials=[
            (specs[spec_ids[index]] if spec_ids else None, file) for index, file in enumerate(files)
        ],
        person_requested=payload.person_requested,
    )
    if not created:
        return Status(200, case_out(case))
    services.case_auto_decide(case=case)
    return Status(201, case_out(case, new=not item.auto_approval))


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
    today = timezone.localdate()
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
                light=case.light(today),
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
    # An upload reads no relation of the case.
    case = case_get_for(user=user, number=number, related=())
    material_spec = None
    if spec is not None:
        material_spec = (
            MaterialSpec.objects.filter(pk=spec, item_id=case.item_id).order_by().first()
        )
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
    summary="Withdraw the application before its conclusion (the applicant)",
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


# --- stages, clock, decision -------------------------------------------------------------


class StageListQuery(Schema):
    department: int | None = Field(None, ge=1, le=2**62)
    due_before: dt.date | None = None
    status: StageStatus | None = StageStatus.ACTIVE
    page: int = Field(1, ge=1, le=100000)


class StageRowOut(Schema):
    """A line of a department's work list: personal data masked."""

    id: int
    case: str
    item_name: str
    applicant: str
    name: str
    department: str
    status: str
    assignee: str | None
    due: dt.date | None
    light: Light | None = Field(
        description="Deadline light today; null when the stage's clock stops"
    )
    case_promised_due: dt.date | None


class StageListOut(Schema):
    count: int
    page: int
    pages: int
    results: list[StageRowOut]


class AssignIn(Schema):
    assignee: str = Field(min_length=1, max_length=150, description="Username of the assignee")


class ResultIn(Schema):
    result: str = Field(max_length=2000)


class SuspendIn(Schema):
    kind: SuspensionKind
    reason: str = Field(max_length=2000)
    expected_days: int = Field(ge=1, le=250, description="Expected length in working days")


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=100, description="Working days asked for")
    reason: str = Field(max_length=2000)


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    status: str
    note: str


class ExtensionDecisionIn(Schema):
    note: str = Field("", max_length=2000)


class DecideIn(Schema):
    outcome: Literal[11, 12, 13] = Field(
        description="11 approved, 12 approved with tolerated gaps (容缺), 13 denied"
    )
    reason: str = Field("", max_length=2000, description="Required for a denial")
    gaps: str = Field("", max_length=2000, description="What must follow (容缺)")
    gaps_due: dt.date | None = Field(None, description="By when it must follow (容缺)")


class DeliverIn(Schema):
    method: DeliveryMethod
    tracking_number: str = Field("", max_length=40, description="Required for mail")
    counter: int | None = Field(None, ge=1, le=2**62, description="Counter of a pick-up")


class FeeIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=10, decimal_places=2, description="In yuan")
    fee: int | None = Field(
        None, ge=1, le=2**62, description="The item's catalog fee charged under; none on free items"
    )
    name: str = Field("", max_length=100, description="What it was for (free items)")
    receipt_number: str = Field("", max_length=40)
    note: str = Field("", max_length=2000)
    free_item_confirmed: bool = Field(
        False, description="Confirms a fee on an item the catalog lists as free (a violation)"
    )


class FeeOut(Schema):
    id: int
    name: str
    catalog_fee: int | None
    amount: Decimal
    item_free: bool
    receipt_number: str
    charged_at: dt.datetime


def fee_out(charge: CaseFee) -> FeeOut:
    return FeeOut(
        id=charge.pk,
        name=charge.name,
        catalog_fee=charge.fee_id,
        amount=charge.amount,
        item_free=charge.item_free,
        receipt_number=charge.receipt_number,
        charged_at=charge.charged_at,
    )


class NamedDayOut(Schema):
    date: dt.date
    name: str


class SuspensionOut(Schema):
    kind: str
    reason: str
    start_day: dt.date
    end_day: dt.date | None
    working_days: int


class DeadlineOut(Schema):
    clock_start: dt.date
    promised_days: int
    statutory_days: int
    suspended_days: int
    extension_days: int
    suspensions: list[SuspensionOut]
    extensions: list[ExtensionOut]
    promised_due: dt.date
    statutory_due: dt.date
    weekend_days_skipped: int
    holidays_crossed: list[NamedDayOut]
    makeup_days_crossed: list[NamedDayOut]
    provisional_years: list[int]


def _stage(case: Case, stage_id: int) -> CaseStage:
    stage = case.stages.select_related("case", "department").filter(pk=stage_id).first()
    if stage is None:
        raise Http404(_("Case %(number)s has no such stage.") % {"number": case.number})
    return stage


def _extension(case: Case, extension_id: int) -> CaseExtension:
    extension = case.extensions.select_related("case").filter(pk=extension_id).first()
    if extension is None:
        raise Http404(_("Case %(number)s has no such extension.") % {"number": case.number})
    return extension


def extension_out(extension: CaseExtension) -> ExtensionOut:
    return ExtensionOut(
        id=extension.pk,
        days=extension.days,
        reason=extension.reason,
        status=extension.status,
        note=extension.note,
    )


@router.get(
    "/stages",
    response={200: StageListOut, **ERRORS},
    auth=staff_auth,
    summary="The stages the caller's department works on, by due date (personal data masked)",
)
def stage_list(request: HttpRequest, filters: Query[StageListQuery]) -> StageListOut:
    stages = stage_worklist(
        user=_user(request),
        department_id=filters.department,
        due_before=filters.due_before,
        status=filters.status,
    )
    size: int = getattr(settings, "GOVHALL_ITEMS_PER_PAGE", 20)
    today = timezone.localdate()
    count = stages.count()
    rows = stages[(filters.page - 1) * size : filters.page * size]
    return StageListOut(
        count=count,
        page=filters.page,
        pages=max(1, math.ceil(count / size)),
        results=[
            StageRowOut(
                id=stage.pk,
                case=stage.case.number,
                item_name=stage.case.item.name,
                applicant=mask_name(stage.case.applicant_name),
                name=stage.name,
                department=stage.department.short_name,
                status=stage.status,
                assignee=stage.assignee.get_username() if stage.assignee else None,
                due=stage.due,
                light=stage.light(today),
                case_promised_due=stage.case.promised_due,
            )
            for stage in rows
        ],
    )


@router.post(
    "/cases/{number}/stages/{stage_id}/assign",
    response={200: StageOut, **ERRORS},
    auth=staff_auth,
    summary="Assign or reassign a stage within its department (head or chief representative)",
)
def stage_assign(request: HttpRequest, number: str, stage_id: RowId, payload: AssignIn) -> StageOut:
    user = _user(request)
    stage = _stage(case_get_for(user=user, number=number), stage_id)
    assignee = User.objects.filter(username=payload.assignee).first()
    if assignee is None:
        raise Http404(_("There is no user %(name)s.") % {"name": payload.assignee})
    assigned = services.stage_assign(stage=stage, staff=user, assignee=assignee)
    return stage_out(assigned, timezone.localdate())


@router.post(
    "/cases/{number}/stages/{stage_id}/complete",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Complete an active stage with its result; the next step starts when all are done",
)
def stage_complete(
    request: HttpRequest, number: str, stage_id: RowId, payload: ResultIn
) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.stage_complete(stage=_stage(case, stage_id), staff=user, result=payload.result)
    case.refresh_from_db()
    return case_out(case)


@router.post(
    "/cases/{number}/suspend",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Start a special procedure (特别程序): the clock stops",
)
def case_suspend(request: HttpRequest, number: str, payload: SuspendIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.case_suspend(
        case=case,
        staff=user,
        kind=payload.kind,
        reason=payload.reason,
        expected_days=payload.expected_days,
    )
    return case_out(case)


@router.post(
    "/cases/{number}/resume",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="End the special procedure with its result: the due dates move by its working days",
)
def case_resume(request: HttpRequest, number: str, payload: ResultIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.case_resume(case=case, staff=user, result=payload.result)
    return case_out(case)


@router.post(
    "/cases/{number}/extensions",
    response={201: ExtensionOut, **ERRORS},
    auth=staff_auth,
    summary="Ask for an extension (延期), within the statutory allowance",
)
def extension_create(request: HttpRequest, number: str, payload: ExtensionIn) -> Status[Any]:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    extension = services.extension_request(
        case=case, staff=user, days=payload.days, reason=payload.reason
    )
    return Status(201, extension_out(extension))


@router.post(
    "/cases/{number}/extensions/{extension_id}/approve",
    response={200: ExtensionOut, **ERRORS},
    auth=staff_auth,
    summary="The department head approves an extension: the due dates move",
)
def extension_approve(
    request: HttpRequest, number: str, extension_id: RowId, payload: ExtensionDecisionIn
) -> ExtensionOut:
    user = _user(request)
    extension = _extension(case_get_for(user=user, number=number), extension_id)
    return extension_out(
        services.extension_approve(extension=extension, staff=user, note=payload.note)
    )


@router.post(
    "/cases/{number}/extensions/{extension_id}/refuse",
    response={200: ExtensionOut, **ERRORS},
    auth=staff_auth,
    summary="The department head refuses an extension",
)
def extension_refuse(
    request: HttpRequest, number: str, extension_id: RowId, payload: ExtensionDecisionIn
) -> ExtensionOut:
    user = _user(request)
    extension = _extension(case_get_for(user=user, number=number), extension_id)
    return extension_out(
        services.extension_refuse(extension=extension, staff=user, note=payload.note)
    )


@router.post(
    "/cases/{number}/decide",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Conclude (办结): approved, approved with tolerated gaps, or denied with reason",
)
def case_decide(request: HttpRequest, number: str, payload: DecideIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.case_decide(
        case=case,
        staff=user,
        decision=services.Decision(
            outcome=CaseStatus(payload.outcome),
            reason=payload.reason,
            gaps=payload.gaps,
            gaps_due=payload.gaps_due,
        ),
    )
    return case_out(case)


@router.post(
    "/cases/{number}/deliver",
    response={200: CaseOut, **ERRORS},
    auth=staff_auth,
    summary="Record the delivery of the decision: counter, mail (tracking number), electronic",
)
def case_deliver(request: HttpRequest, number: str, payload: DeliverIn) -> CaseOut:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    counter = None
    if payload.counter is not None:
        counter = Counter.objects.filter(pk=payload.counter, center_id=case.center_id).first()
        if counter is None:
            raise Http404(_("This center has no such counter."))
    services.case_deliver(
        case=case,
        staff=user,
        method=payload.method,
        tracking_number=payload.tracking_number,
        counter=counter,
    )
    return case_out(case)


@router.get(
    "/cases/{number}/fees",
    response={200: list[FeeOut], **ERRORS},
    auth=django_auth,
    summary="The fees charged on the case",
)
def case_fees(request: HttpRequest, number: str) -> list[FeeOut]:
    case = case_get_for(user=_user(request), number=number, related=API_RELATED)
    return [fee_out(charge) for charge in case.fees.all()]


@router.post(
    "/cases/{number}/fees",
    response={201: FeeOut, **ERRORS},
    auth=staff_auth,
    summary="Record a fee charged (收费) under one of the item's catalog fees",
)
def case_fee_charge(request: HttpRequest, number: str, payload: FeeIn) -> Status[FeeOut]:
    user = _user(request)
    case = case_get_for(user=user, number=number, related=API_RELATED)
    fee = None
    if payload.fee is not None:
        fee = case.item.fees.filter(pk=payload.fee).first()
        if fee is None:
            raise Http404(_("Item %(item)s has no such fee.") % {"item": case.item.name})
    charge = services.case_fee_charge(
        case=case,
        staff=user,
        amount=payload.amount,
        fee=fee,
        name=payload.name,
        receipt_number=payload.receipt_number,
        note=payload.note,
        free_item_confirmed=payload.free_item_confirmed,
    )
    return Status(201, fee_out(charge))


@router.get(
    "/cases/{number}/deadline",
    response={200: DeadlineOut, **ERRORS},
    auth=django_auth,
    summary="How the due dates came about: start, limits, suspensions, extensions, holidays",
)
def case_deadline(request: HttpRequest, number: str) -> DeadlineOut:
    case = case_get_for(user=_user(request), number=number)
    if case.clock_start is None:
        raise Http404(
            _("Case %(number)s has no due date yet: it is not accepted.") % {"number": number}
        )
    explained = case_deadline_explain(case, calendar_current())
    promised = explained.promised
    return DeadlineOut(
        clock_start=explained.clock_start,
        promised_days=explained.promised_days,
        statutory_days=explained.statutory_days,
        suspended_days=explained.suspended_days,
        extension_days=explained.extension_days,
        suspensions=[
            SuspensionOut(
                kind=item.kind,
                reason=item.reason,
                start_day=item.start_day,
                end_day=item.end_day,
                working_days=item.working_days,
            )
            for item in explained.suspensions
        ],
        extensions=[extension_out(item) for item in explained.extensions],
        promised_due=promised.end,
        statutory_due=explained.statutory.end,
        weekend_days_skipped=promised.weekend_days_skipped,
        holidays_crossed=[NamedDayOut(date=d.date, name=d.name) for d in promised.holidays_skipped],
        makeup_days_crossed=[NamedDayOut(date=d.date, name=d.name) for d in promised.makeup_days],
        provisional_years=list(explained.statutory.provisional_years),
    )


# --- bundles (一件事一次办) ------------------------------------------------------------------


class BundleIn(Schema):
    applicant_kind: Literal["person", "legal"]
    applicant_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field("", max_length=18, description="Resident ID (individuals)")
    uscc: str = Field("", max_length=18, description="Unified social credit code (legal entities)")
    mobile: str = Field("", max_length=20)
    fields: dict[str, FieldValue] = Field(
        default_factory=dict, description="The union of the items' fields, each key once"
    )


class BundleQuery(Schema):
    center: str | None = Field(
        None, max_length=50, description="Short code of the center (when several have the code)"
    )


class BundleCaseOut(Schema):
    number: str
    item: str
    item_name: str
    status: int
    status_label: str
    promised_due: dt.date | None


class BundleApplicationOut(Schema):
    number: str
    bundle: str
    bundle_name: str
    applicant_name: str
    submitted_at: dt.datetime
    cases: list[BundleCaseOut]


def bundle_application_out(application: BundleApplication) -> BundleApplicationOut:
    return BundleApplicationOut(
        number=application.number,
        bundle=application.bundle.code,
        bundle_name=application.bundle.name,
        applicant_name=application.applicant_name,
        submitted_at=application.submitted_at,
        cases=[
            BundleCaseOut(
                number=case.number,
                item=case.item.implementation_code,
                item_name=case.item.name,
                status=case.status,
                status_label=str(CaseStatus(case.status).label),
                promised_due=case.promised_due,
            )
            for case in bundle_application_cases(application)
        ],
    )


@router.post(
    "/bundles/{code}/applications",
    response={200: BundleApplicationOut, 201: BundleApplicationOut, **ERRORS},
    auth=django_auth,
    summary="Apply for a bundle (一件事): one linked case per item; the same Idempotency-Key "
    "again returns the same application. Materials follow per case.",
)
def bundle_application_create(
    request: HttpRequest,
    code: PathEx[str, P(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")],
    payload: BundleIn,
    filters: Query[BundleQuery],
    idempotency_key: HeaderEx[
        str, P(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
    ],
) -> Status[Any]:
    bundles = Bundle.objects.published().filter(code=code)
    if filters.center:
        bundles = bundles.filter(center__slug=filters.center)
    found = list(bundles[:2])
    if not found:
        raise Http404(_("There is no published bundle with the code %(code)s.") % {"code": code})
    if len(found) > 1:
        raise ValidationError(
            _("Several centers have a bundle %(code)s: name the center.") % {"code": code}
        )
    application, created = services.bundle_submit(
        user=_user(request),
        bundle=found[0],
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
    return Status(201 if created else 200, bundle_application_out(application))


@router.get(
    "/bundle-applications/{number}",
    response={200: BundleApplicationOut, **ERRORS},
    auth=django_auth,
    summary="A bundle application and the states of its linked cases (the applicant's own)",
)
def bundle_application_get(
    request: HttpRequest, number: PathEx[str, P(max_length=20)]
) -> BundleApplicationOut:
    return bundle_application_out(bundle_application_get_for(user=_user(request), number=number))
