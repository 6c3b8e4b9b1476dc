"""API of the certificate registry: verification by identifier and token, the public key, and
the department systems' operations (`sharing.api_systems`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.params import P, QueryEx

from govhall.api import ErrorOut
from sharing.api_systems import router as systems_router
from sharing.selectors import certificate_verify
from sharing.signing import signing_key

router = Router(tags=["certificates"])
router.add_router("/", systems_router)


class DisclosedFieldOut(Schema):
    label: str
    value: str


class VerificationOut(Schema):
    """Whether a certificate is genuine and valid today, with only what its holder reveals."""

    verdict: Literal["genuine", "not_genuine", "unknown"]
    genuine: bool
    currently_valid: bool
    message: str
    status: str | None = None
    status_label: str | None = None
    holder_name: str | None = None
    type: str | None = None
    issuer: str | None = None
    number: str | None = None
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    disclosed: list[DisclosedFieldOut] = []


class PublicKeyOut(Schema):
    algorithm: Literal["Ed25519"]
    key_id: str
    public_key_pem: str


@router.get(
    "/certificates/verify",
    response={200: VerificationOut, 422: ErrorOut},
    summary="Verify a certificate by its identifier and the token of its QR code (sig)",
)
def certificate_verify_api(
    request: HttpRequest,
    id: QueryEx[str, P(max_length=200, description="The certificate's identifier")],
    sig: QueryEx[str, P(max_length=200, description="The QR code's token, or the whole signature")],
) -> VerificationOut:
    result = certificate_verify(identifier=id, token=sig, today=timezone.localdate())
    genuine = result.verdict == "genuine"
    return VerificationOut(
        verdict=result.verdict,  # type: ignore[arg-type]
        genuine=genuine,
        currently_valid=result.currently_valid,
        message=result.message,
        status=result.status or None,
        status_label=result.status_label or None,
        holder_name=result.holder_name or None,
        type=result.type_name or None,
        issuer=result.issuer_name or None,
        number=result.number or None,
        issued_on=result.issued_on,
        expires_on=result.expires_on,
        disclosed=[
            DisclosedFieldOut(label=label, value=value) for label, value in result.disclosed
        ],
    )


@router.get(
    "/certificates/public-key",
    response={200: PublicKeyOut},
    summary="The center's Ed25519 public key that signs every certificate",
)
def certificate_public_key(request: HttpRequest) -> PublicKeyOut:
    key = signing_key()
    return PublicKeyOut(algorithm="Ed25519", key_id=key.key_id, public_key_pem=key.public_pem())
