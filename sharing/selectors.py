"""Reads of the certificate registry: verification, the holder's certificates, a department's."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from cases.models import ApplicantKind, Case
from catalog.models import MaterialSpec
from govhall.identifiers import mask_name
from sharing.models import TOKEN_LENGTH, Certificate, CertificateUse
from sharing.signing import signature_holds

GENUINE, NOT_GENUINE, UNKNOWN = "genuine", "not_genuine", "unknown"


@dataclass
class Verification:
    """What verification tells anyone who holds the identifier and the token (the QR code).

    Never the holder's ID number; the holder's name masked; data fields only those the holder
    chose to show.
    """

    verdict: str
    message: str
    currently_valid: bool = False
    status: str = ""
    status_label: str = ""
    holder_name: str = ""
    type_name: str = ""
    issuer_name: str = ""
    number: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    disclosed: list[tuple[str, str]] = field(default_factory=list)


def certificate_verify(*, identifier: str, token: str, today: dt.date) -> Verification:
    """Is the certificate genuine (its record and its signature agree, and the token is its
    signature's), and is it valid today?"""
    identifier, token = identifier.strip()[:200], token.strip()[:200]
    certificate = (
        Certificate.objects.select_related("type", "issuer").filter(identifier=identifier).first()
        if identifier
        else None
    )
    if certificate is None:
        return Verification(
            UNKNOWN, str(_("The registry holds no certificate with this identifier."))
        )
    token_matches = len(token) >= TOKEN_LENGTH and hmac.compare_digest(
        certificate.signature[: len(token)].encode(), token.encode()
    )
    if not token_matches or not signature_holds(
        certificate.signed_payload(), certificate.signature, certificate.key_id
    ):
        return Verification(
            NOT_GENUINE,
            str(
                _(
                    "Not genuine: this certificate does not match the registry's signed record. "
                    "Do not accept it; ask the issuing department."
                )
            ),
        )
    status = certificate.status_on(today)
    valid = certificate.valid_on(today)
    message = (
        _("Genuine and valid today.")
        if valid
        else _("Genuine, but not valid today: %(status)s.") % {"status": status.label}
    )
    return Verification(
        GENUINE,
        str(message),
        currently_valid=valid,
        status=status.value,
        status_label=str(status.label),
        holder_name=mask_name(certificate.holder_name),
        type_name=certificate.type.name,
        issuer_name=certificate.issuer.name,
        number=certificate.number,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        disclosed=certificate.disclosed_data(),
    )


def holder_identifiers(user: User) -> set[str]:
    """The ID numbers and USCCs that are the user's.

    Accounts carry no verified ID; an identifier counts as the user's once a case the user
    submitted with it was accepted by a member of staff, who checks the applicant's ID (automatic
    approval, without a person, does not count).
    """
    if not user.is_authenticated:
        return set()
    rows = (
        Case.objects.filter(
            applicant_user=user, accepted_at__isnull=False, handled_by__isnull=False
        )
        .values_list("applicant_kind", "id_number", "uscc")
        .distinct()
    )
    return {
        id_number if kind == ApplicantKind.PERSON else uscc for kind, id_number, uscc in rows
    } - {""}


def certificates_of_holder(user: User) -> QuerySet[Certificate]:
    identifiers = holder_identifiers(user)
    return Certificate.objects.filter(holder_identifier__in=identifiers).select_related(
        "type", "issuer"
    )


def managed_scope(user: User) -> Q | None:
    """The certificates a department head (their department's) or an administrator (the
    center's) may change, as a filter; None for anyone else."""
    profile = getattr(user, "staff_profile", None)
    if profile is None or not user.is_active:
        return None
    roles = set(user.role_names())
    scope = Q(issuer__center_id=profile.center_id)
    if Role.ADMINISTRATOR in roles:
        return scope
    if Role.DEPARTMENT_HEAD in roles and profile.department_id is not None:
        return scope & Q(issuer_id=profile.department_id)
    return None


def certificates_managed_by(user: User) -> QuerySet[Certificate]:
    scope = managed_scope(user)
    if scope is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(scope).select_related("type", "issuer")


def certificates_for_materials(
    *, case: Case, user: User, today: dt.date
) -> list[tuple[MaterialSpec, list[Certificate]]]:
    """The case's materials that a certificate type satisfies, each with the applicant's valid
    certificates of that type not yet provided, when the case's ID number or USCC is the user's."""
    if case.applicant_user_id != user.pk or case.identifier not in holder_identifiers(user):
        return []
    specs = [spec for spec in case.item.materials.all() if spec.certificate_type]
    provided = set(
        CertificateUse.objects.filter(case=case, kind=CertificateUse.Kind.PROVIDED).values_list(
            "material_id", flat=True
        )
    )
    held = [
        certificate
        for certificate in Certificate.objects.filter(
            holder_identifier=case.identifier,
            type__code__in=[spec.certificate_type for spec in specs],
        ).select_related("type", "issuer")
        if certificate.valid_on(today)
    ]
    offers = []
    for spec in specs:
        if spec.pk in provided:
            continue
        matching = [c for c in held if c.type.code == spec.certificate_type]
        if matching:
            offers.append((spec, matching))
    return offers


def certificate_uses_of_case(case: Case) -> QuerySet[CertificateUse]:
    return CertificateUse.objects.filter(
        case=case, kind=CertificateUse.Kind.PROVIDED
    ).select_related("certificate", "certificate__type", "certificate__issuer", "material")
