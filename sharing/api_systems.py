"""API of department systems (部门业务系统), each with its key: the department's work list, stage
results and decisions, certificates pushed and queried.

The case operations are the staff API's own (`cases.api`), run as the key's user: the same
checks, the same services, the same logged reads, and audit entries under the key's name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.params import P, QueryEx
from pydantic import Field

from cases import api as cases_api
from cases.api import (
    CaseListOut,
    CaseListQuery,
    CaseOut,
    DecideIn,
    ResultIn,
    RowId,
    StageListOut,
    StageListQuery,
)
from cases.selectors import case_get_for
from govhall.api import ErrorOut
from sharing.apikeys import ApiKeyAuth, request_key
from sharing.models import ApiScope, Certificate
from sharing.services import certificate_push, certificates_query

router = Router(tags=["department systems"])

ERRORS: dict[int, type[Schema]] = {**cases_api.ERRORS, 429: ErrorOut}
read_cases = [ApiKeyAuth(ApiScope.READ_CASES)]
write_stages = [ApiKeyAuth(ApiScope.WRITE_STAGES)]
issue_certificates = [ApiKeyAuth(ApiScope.ISSUE_CERTIFICATES)]
query_certificates = [ApiKeyAuth(ApiScope.QUERY_CERTIFICATES)]


class CertificateIn(Schema):
    type: str = Field(
        min_length=1, max_length=30, description="The type's code, e.g. BUSINESS_LICENCE"
    )
    number: str = Field(min_length=1, max_length=60, description="The number printed on it")
    holder_kind: Literal["person", "legal"]
    holder_identifier: str = Field(
        min_length=1, max_length=18, description="Resident ID (person) or USCC (legal)"
    )
    holder_name: str = Field(min_length=1, max_length=100)
    issued_on: dt.date
    expires_on: dt.date | None = Field(None, description="Blank: the type's validity decides")
    data: dict[str, str] = Field(default_factory=dict, description="The type's data fields")


class CertificateOut(Schema):
    identifier: str
    type: str
    type_name: str
    number: str
    holder_kind: str
    holder_identifier: str
    holder_name: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str = Field(description="01 valid, 02 suspended, 03 revoked, 04 cancelled, 05 expired")
    valid_today: bool
    data: dict[str, Any]
    signature: str


class CertificateListOut(Schema):
    results: list[CertificateOut]


def certificate_out(certificate: Certificate, today: dt.date) -> CertificateOut:
    return CertificateOut(
        identifier=certificate.identifier,
        type=certificate.type.code,
        type_name=certificate.type.name,
        number=certificate.number,
        holder_kind=certificate.holder_kind,
        holder_identifier=certificate.holder_identifier,
        holder_name=certificate.holder_name,
        issuer=certificate.issuer.uscc,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        status=certificate.status_on(today).value,
        valid_today=certificate.valid_on(today),
        data=certificate.data,
        signature=certificate.signature,
    )


@router.get(
    "/systems/cases",
    response={200: CaseListOut, **ERRORS},
    auth=read_cases,
    summary="The department's cases (its items' and those with a stage of it), by due date",
)
def system_case_list(request: HttpRequest, filters: Query[CaseListQuery]) -> CaseListOut:
    return cases_api.case_list(request, filters)


@router.get(
    "/systems/stages",
    response={200: StageListOut, **ERRORS},
    auth=read_cases,
    summary="The department's stages of open cases, by due date (personal data masked)",
)
def system_stage_list(request: HttpRequest, filters: Query[StageListQuery]) -> StageListOut:
    return cases_api.stage_list(request, filters)


@router.get(
    "/systems/cases/{number}",
    response={200: CaseOut, **ERRORS},
    auth=read_cases,
    summary="One of the department's cases in full (the read is logged under the key)",
)
def system_case_get(request: HttpRequest, number: str) -> CaseOut:
    return cases_api.case_get(request, number)


@router.post(
    "/systems/cases/{number}/stages/{stage_id}/complete",
    response={200: CaseOut, **ERRORS},
    auth=write_stages,
    summary="Complete an active stage of the department with its result",
)
def system_stage_complete(
    request: HttpRequest, number: str, stage_id: RowId, payload: ResultIn
) -> CaseOut:
    return cases_api.stage_complete(request, number, stage_id, payload)


@router.post(
    "/systems/cases/{number}/decide",
    response={200: CaseOut, **ERRORS},
    auth=write_stages,
    summary="Conclude one of the department's cases once its stages are done",
)
def system_case_decide(request: HttpRequest, number: str, payload: DecideIn) -> CaseOut:
    return cases_api.case_decide(request, number, payload)


@router.post(
    "/systems/certificates",
    response={201: CertificateOut, **ERRORS},
    auth=issue_certificates,
    summary="Enter a certificate the department issued; the registry signs it",
)
def system_certificate_push(request: HttpRequest, payload: CertificateIn) -> Status[Any]:
    key = request_key(request)
    certificate = certificate_push(
        issuer=key.department,
        type_code=payload.type,
        number=payload.number,
        holder_kind=payload.holder_kind,
        holder_identifier=payload.holder_identifier,
        holder_name=payload.holder_name,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        data=payload.data,
        actor=key.user,
    )
    return Status(201, certificate_out(certificate, timezone.localdate()))


@router.get(
    "/systems/certificates",
    response={200: CertificateListOut, **ERRORS},
    auth=query_certificates,
    summary="The certificates of a case's applicant, for a stated purpose (each use is logged)",
)
def system_certificate_query(
    request: HttpRequest,
    holder: QueryEx[str, P(min_length=1, max_length=18, description="Resident ID or USCC")],
    case: QueryEx[str, P(min_length=1, max_length=20, description="The case it is for")],
    purpose: QueryEx[str, P(min_length=1, max_length=200, description="Why it is queried")],
) -> CertificateListOut:
    key = request_key(request)
    found = case_get_for(user=key.user, number=case, related=("item",))
    certificates = certificates_query(
        case=found, holder_identifier=holder, purpose=purpose, user=key.user
    )
    today = timezone.localdate()
    return CertificateListOut(results=[certificate_out(c, today) for c in certificates])
