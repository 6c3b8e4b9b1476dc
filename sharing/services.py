"""Writes of the certificate registry: issuing, pushing, status changes, expiry and disclosure."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.iso7064 import mod_37_36

from accounts.models import User
from audit.services import audit_record
from cases.models import ApplicantKind, Case, CaseCertificate, CaseStatus
from catalog.models import Department, ItemField
from govhall.errors import ConflictError
from govhall.identifiers import clean_resident_id, clean_uscc
from govhall.retention import years_later
from sharing.models import (
    IDENTIFIER_PREFIX,
    IDENTIFIER_VERSION,
    LIVE_STATUSES,
    Certificate,
    CertificateSource,
    CertificateStatus,
    CertificateStatusChange,
    CertificateType,
    CertificateUse,
)
from sharing.selectors import certificates_for_materials, managed_scope
from sharing.signing import sign

logger = logging.getLogger(__name__)

REASON_MAX = 500


class CertificateConflictError(ConflictError):
    """The certificate is no longer in a status the action applies to (answered as 409)."""


# --- identifiers and signatures ---------------------------------------------------------------


def certificate_identifier(
    *, certificate_type: CertificateType, issuer_uscc: str, serial: int
) -> str:
    """`1.2.156.3005.2.{type}.{issuer USCC}.{serial}.{version}.{check}` (GB/T 36904 style).

    The check character is ISO 7064 MOD 37,36 over the letters and digits before it.
    """
    body = ".".join(
        (
            IDENTIFIER_PREFIX,
            certificate_type.identifier_code,
            issuer_uscc,
            f"{serial:08d}",
            IDENTIFIER_VERSION,
        )
    )
    return f"{body}.{mod_37_36.calc_check_digit(body.replace('.', ''))}"


def identifier_well_formed(identifier: str) -> bool:
    """Whether the identifier has the registry's shape and a right check character."""
    parts = identifier.split(".")
    if len(identifier) > 100 or len(parts) != 10 or ".".join(parts[:5]) != IDENTIFIER_PREFIX:
        return False
    characters = "".join(parts)
    return characters.isascii() and characters.isalnum() and mod_37_36.is_valid(characters)


def _next_serial(certificate_type: CertificateType) -> int:
    # The update holds the type's row until commit, so concurrent issuers queue here (PostgreSQL)
    # or are already serialised by SQLite's immediate transactions.
    CertificateType.objects.filter(pk=certificate_type.pk).update(last_serial=F("last_serial") + 1)
    return int(
        CertificateType.objects.filter(pk=certificate_type.pk).values_list(
            "last_serial", flat=True
        )[0]
    )


def _history(
    certificate: Certificate,
    *,
    before: str,
    after: str,
    reason: str,
    actor: User | None,
    now: dt.datetime,
) -> None:
    CertificateStatusChange.objects.create(
        certificate=certificate,
        from_status=before,
        to_status=after,
        reason=reason[:REASON_MAX],
        changed_by=actor,
        changed_at=now,
    )


def _create(
    *,
    certificate_type: CertificateType,
    number: str,
    holder_kind: str,
    holder_identifier: str,
    holder_name: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    data: dict[str, str],
    source: str,
    case_certificate: CaseCertificate | None,
    actor: User | None,
    now: dt.datetime,
) -> Certificate:
    """Number, sign and store a certificate, with its first history row and an audit entry."""
    issuer = certificate_type.issuer
    certificate = Certificate(
        identifier=certificate_identifier(
            certificate_type=certificate_type,
            issuer_uscc=issuer.uscc,
            serial=_next_serial(certificate_type),
        ),
        type=certificate_type,
        number=number,
        holder_kind=holder_kind,
        holder_identifier=holder_identifier,
        holder_name=holder_name,
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        status=CertificateStatus.VALID,
        status_changed_at=now,
        data=data,
        source=source,
        case_certificate=case_certificate,
        created_at=now,
        created_by=actor,
    )
    certificate.signature, certificate.key_id = sign(certificate.signed_payload())
    certificate.save()
    reason = (
        _("Issued on the approval of case %(case)s.") % {"case": case_certificate.case.number}
        if case_certificate is not None
        else _("Pushed by the issuing department.")
    )
    _history(
        certificate,
        before="",
        after=CertificateStatus.VALID,
        reason=reason,
        actor=actor,
        now=now,
    )
    audit_record(
        action="certificate.issue",
        actor=actor,
        target_type="certificate",
        target_id=certificate.identifier,
        center_id=issuer.center_id,
        data={"type": certificate_type.code, "number": number, "source": source},
    )
    return certificate


# --- issuance from cases ------------------------------------------------------------------------


def certificate_type_for_case(*, record: CaseCertificate) -> CertificateType:
    """The type of the certificate an item issues: the issuer's type of that name, or a new one
    made from the item (its form fields, but ID numbers, become the data fields) so that no
    record is left out."""
    existing = CertificateType.objects.filter(issuer=record.issuer, name=record.name).first()
    if existing is not None:
        return existing
    item = record.case.item
    digest = hashlib.sha256(f"{record.issuer.uscc}:{record.name}".encode()).hexdigest()
    certificate_type, _created = CertificateType.objects.get_or_create(
        issuer=record.issuer,
        name=record.name,
        defaults={
            "code": f"T{digest[:12].upper()}",
            "valid_years": item.certificate_valid_years,
            "fields": [
                {"key": field.key, "label": field.label, "required": False}
                for field in item.fields.exclude(kind=ItemField.Kind.ID_NUMBER)
            ],
        },
    )
    return certificate_type


def certificate_issue_for_case(*, case_certificate_id: int) -> Certificate:
    """Enter a case's certificate record into the registry, once: calling it again (the hook and
    the sweep both may) returns the certificate already entered."""
    existing = Certificate.objects.filter(case_certificate_id=case_certificate_id).first()
    if existing is not None:
        return existing
    try:
        return _issue_for_case(case_certificate_id)
    except IntegrityError:
        # Another worker entered it between the look above and our insert: the one-to-one
        # constraint refused ours, and theirs stands.
        return Certificate.objects.get(case_certificate_id=case_certificate_id)


@transaction.atomic
def _issue_for_case(case_certificate_id: int) -> Certificate:
    record = CaseCertificate.objects.select_related(
        "case", "case__item", "issuer", "issuer__center"
    ).get(pk=case_certificate_id)
    certificate_type = certificate_type_for_case(record=record)
    case = record.case
    data = {key: str(case.form_data.get(key, "")) for key in certificate_type.field_keys()}
    return _create(
        certificate_type=certificate_type,
        number=record.number,
        holder_kind=case.applicant_kind,
        holder_identifier=record.holder_identifier,
        holder_name=record.holder_name,
        issued_on=record.issued_on,
        expires_on=record.valid_until,
        data=data,
        source=CertificateSource.CASE,
        case_certificate=record,
        actor=None,
        now=timezone.now(),
    )


def certificate_issue_for_case_hook(case_certificate_id: int) -> None:
    """The `cases.hooks.certificate_issued` hook: right after the case's conclusion commits."""
    certificate_issue_for_case(case_certificate_id=case_certificate_id)


def certificates_issue_pending(*, limit: int = 500) -> int:
    """Enter the case certificate records that have no registry certificate yet (the hook's
    safety net: a crash between the case's commit and the hook loses nothing). Returns how many."""
    pending = list(
        CaseCertificate.objects.filter(registry_certificate__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    entered = 0
    for record_id in pending:
        try:
            certificate_issue_for_case(case_certificate_id=record_id)
        except Exception:
            # One bad record must not hold back the others; it is tried again next time.
            logger.exception("certificate record %s could not enter the registry", record_id)
            continue
        entered += 1
    return entered


# --- pushed by a department system --------------------------------------------------------------


def clean_holder(*, kind: str, identifier: str) -> str:
    """The holder's normalised resident ID or USCC, or a ValidationError saying what is wrong."""
    if kind == ApplicantKind.PERSON:
        return clean_resident_id(identifier)
    if kind == ApplicantKind.LEGAL:
        return clean_uscc(identifier)
    raise ValidationError(_("The holder is a person or a legal entity."))


def _clean_data(certificate_type: CertificateType, data: dict[str, Any]) -> dict[str, str]:
    known = certificate_type.field_keys()
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValidationError(
            _("The type %(type)s has no data fields %(keys)s.")
            % {"type": certificate_type.code, "keys": ", ".join(unknown)}
        )
    missing = [
        str(field["key"])
        for field in certificate_type.fields
        if field.get("required") and not str(data.get(field["key"], "")).strip()
    ]
    if missing:
        raise ValidationError(
            _("These data fields are required: %(keys)s.") % {"keys": ", ".join(missing)}
        )
    cleaned = {key: str(data[key]).strip() for key in known if key in data}
    if any(len(value) > 500 for value in cleaned.values()):
        raise ValidationError(_("A data field holds at most 500 characters."))
    return cleaned


@transaction.atomic
def certificate_push(
    *,
    issuer: Department,
    type_code: str,
    number: str,
    holder_kind: str,
    holder_identifier: str,
    holder_name: str,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    data: dict[str, Any] | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """A certificate a department's own system issued, entered and signed by the registry.

    Without `expires_on`, the type's validity rule sets it. Raises ValidationError for bad input
    and CertificateConflictError when the type already holds that number.
    """
    now = now or timezone.now()
    certificate_type = CertificateType.objects.filter(code=type_code, issuer=issuer).first()
    if certificate_type is None:
        raise ValidationError(
            _("%(department)s issues no certificate type %(code)s.")
            % {"department": issuer.name, "code": type_code}
        )
    number = number.strip()
    holder_name = holder_name.strip()
    if not number or len(number) > 60:
        raise ValidationError(_("The certificate number has 1 to 60 characters."))
    if not holder_name or len(holder_name) > 100:
        raise ValidationError(_("The holder's name has 1 to 100 characters."))
    identifier = clean_holder(kind=holder_kind, identifier=holder_identifier)
    if issued_on > timezone.localdate(now):
        raise ValidationError(_("The issue date lies in the future."))
    if expires_on is None and certificate_type.valid_years:
        expires_on = years_later(issued_on, certificate_type.valid_years) - dt.timedelta(days=1)
    if expires_on is not None and expires_on < issued_on:
        raise ValidationError(_("The certificate cannot expire before it is issued."))
    cleaned = _clean_data(certificate_type, data or {})
    if Certificate.objects.filter(type=certificate_type, number=number).exists():
        raise CertificateConflictError(
            _("A %(type)s numbered %(number)s is already in the registry.")
            % {"type": certificate_type.name, "number": number}
        )
    return _create(
        certificate_type=certificate_type,
        number=number,
        holder_kind=holder_kind,
        holder_identifier=identifier,
        holder_name=holder_name,
        issued_on=issued_on,
        expires_on=expires_on,
        data=cleaned,
        source=CertificateSource.PUSH,
        case_certificate=None,
        actor=actor,
        now=now,
    )


# --- status changes -----------------------------------------------------------------------------


def may_manage(user: User, certificate: Certificate) -> bool:
    """The issuing department's head, and the administrator of the issuer's center."""
    scope = managed_scope(user)
    return scope is not None and Certificate.objects.filter(scope, pk=certificate.pk).exists()


def _transition(
    certificate: Certificate,
    *,
    allowed: tuple[CertificateStatus, ...],
    after: CertificateStatus,
    refusal: Promise,
    actor: User | None,
    reason: str,
    now: dt.datetime,
) -> Certificate:
    """Move the certificate from one of `allowed` to `after`, guarded by its current status."""
    before = Certificate.objects.filter(pk=certificate.pk).values_list("status", flat=True).first()
    changed = 0
    if before in allowed:
        changed = Certificate.objects.filter(pk=certificate.pk, status=before).update(
            status=after, status_changed_at=now
        )
    if changed != 1:
        certificate.refresh_from_db(fields=["status"])
        raise CertificateConflictError(
            str(refusal) % {"status": certificate.get_status_display().lower()}
        )
    certificate.status, certificate.status_changed_at = after, now
    _history(certificate, before=str(before), after=after, reason=reason, actor=actor, now=now)
    audit_record(
        action=f"certificate.{after.name.lower()}",
        actor=actor,
        target_type="certificate",
        target_id=certificate.identifier,
        center_id=certificate.issuer.center_id,
        data={"from": before, "to": after.value, "reason": reason[:REASON_MAX]},
    )
    return certificate


class StatusAction(models.TextChoices):
    """What the issuer's head or the administrator may do to a certificate, with a reason.

    suspend (暂停): a valid certificate stops counting as valid until it is reinstated;
    reinstate: a suspended one is valid again (and expires as usual if its day has passed);
    revoke (撤销): it should not have been issued (wrongly granted, obtained by fraud);
    cancel (注销): it ends lawfully (the holder gave it up, the business closed).
    """

    SUSPEND = "suspend", gettext_lazy("Suspend")
    REINSTATE = "reinstate", gettext_lazy("Reinstate")
    REVOKE = "revoke", gettext_lazy("Revoke")
    CANCEL = "cancel", gettext_lazy("Deregister")


# action → (the statuses it applies to, the status it leads to, the refusal when it does not)
_ACTIONS: dict[str, tuple[tuple[CertificateStatus, ...], CertificateStatus, Promise]] = {
    StatusAction.SUSPEND: (
        (CertificateStatus.VALID,),
        CertificateStatus.SUSPENDED,
        gettext_lazy("This certificate is %(status)s: only a valid one can be suspended."),
    ),
    StatusAction.REINSTATE: (
        (CertificateStatus.SUSPENDED,),
        CertificateStatus.VALID,
        gettext_lazy("This certificate is %(status)s: only a suspended one can be reinstated."),
    ),
    StatusAction.REVOKE: (
        LIVE_STATUSES,
        CertificateStatus.REVOKED,
        gettext_lazy("This certificate is %(status)s: it can no longer be revoked."),
    ),
    StatusAction.CANCEL: (
        LIVE_STATUSES,
        CertificateStatus.CANCELLED,
        gettext_lazy("This certificate is %(status)s: it can no longer be deregistered."),
    ),
}


@transaction.atomic
def certificate_status_change(
    *,
    certificate: Certificate,
    action: str,
    actor: User,
    reason: str,
    now: dt.datetime | None = None,
) -> Certificate:
    """Suspend, reinstate, revoke or cancel the certificate (see `StatusAction`).

    Raises PermissionDenied for anyone but the issuer's head and the center's administrator,
    ValidationError without a reason, and CertificateConflictError when the certificate's status
    does not allow the action (revoking a revoked one).
    """
    if action not in _ACTIONS:
        raise ValidationError(_("Unknown action."))
    if not may_manage(actor, certificate):
        raise PermissionDenied(
            _("Only the issuing department's head or the administrator changes a certificate.")
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the change: the holder and verifiers see it."))
    if len(reason) > REASON_MAX:
        raise ValidationError(_("The reason has at most %(max)s characters.") % {"max": REASON_MAX})
    allowed, after, refusal = _ACTIONS[action]
    return _transition(
        certificate,
        allowed=allowed,
        after=after,
        refusal=refusal,
        actor=actor,
        reason=reason,
        now=now or timezone.now(),
    )


def certificates_expire(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """Mark the live certificates whose last valid day is before `today` as expired (05).

    Each is its own guarded transition: one changed meanwhile (revoked) is left as it is.
    """
    now = now or timezone.now()
    expired = 0
    for certificate in Certificate.objects.due_to_expire(today).select_related("issuer"):
        try:
            with transaction.atomic():
                _transition(
                    certificate,
                    allowed=LIVE_STATUSES,
                    after=CertificateStatus.EXPIRED,
                    refusal=gettext_lazy("This certificate is %(status)s: it cannot expire."),
                    actor=None,
                    reason=_("The last valid day, %(day)s, has passed.")
                    % {"day": certificate.expires_on},
                    now=now,
                )
        except CertificateConflictError:
            continue
        expired += 1
    return expired


# --- the holder's choices -----------------------------------------------------------------------


@transaction.atomic
def certificate_disclosure_set(
    *, certificate: Certificate, holder_identifiers: set[str], fields: list[str]
) -> Certificate:
    """The data fields the holder shows to whoever verifies the certificate (none by default)."""
    if certificate.holder_identifier not in holder_identifiers:
        raise PermissionDenied(_("Only the holder chooses what verification shows."))
    known = certificate.type.field_keys()
    unknown = [key for key in fields if key not in known]
    if unknown:
        raise ValidationError(
            _("This certificate has no data fields %(keys)s.") % {"keys": ", ".join(unknown)}
        )
    chosen = [key for key in known if key in set(fields)]
    Certificate.objects.filter(pk=certificate.pk).update(disclosed_fields=chosen)
    certificate.disclosed_fields = chosen
    return certificate


# --- reuse in applications (免提交) --------------------------------------------------------------

# Until acceptance, and during a correction, the applicant may still hand in materials.
PROVIDE_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.CORRECTION_START,
    CaseStatus.CORRECTION_END,
)


@transaction.atomic
def certificate_use_provide(
    *,
    case: Case,
    material_id: int,
    identifier: str,
    user: User,
    now: dt.datetime | None = None,
) -> CertificateUse:
    """The applicant consents that a certificate of theirs in the registry stands for one of the
    case's materials; the use is logged for the holder to see and shown to the clerk."""
    now = now or timezone.now()
    if case.applicant_user_id != user.pk:
        raise PermissionDenied(_("Only the applicant provides the case's materials."))
    if case.status not in PROVIDE_STATUSES:
        raise CertificateConflictError(
            _("Materials are provided before acceptance or during a correction.")
        )
    material = case.item.materials.filter(pk=material_id).exclude(certificate_type="").first()
    if material is None:
        raise ValidationError(_("No certificate can stand for this material."))
    offers = dict(certificates_for_materials(case=case, user=user, today=timezone.localdate(now)))
    certificate = next((c for c in offers.get(material, []) if c.identifier == identifier), None)
    if certificate is None:
        raise ValidationError(
            _(
                "This is not a valid certificate of yours for %(material)s, or it was already "
                "provided."
            )
            % {"material": material.name}
        )
    try:
        with transaction.atomic():
            use = CertificateUse.objects.create(
                certificate=certificate,
                case=case,
                material=material,
                kind=CertificateUse.Kind.PROVIDED,
                purpose=(
                    _("Stands for “%(material)s” in case %(case)s")
                    % {"material": material.name, "case": case.number}
                )[:200],
                used_by=user,
                used_at=now,
            )
    except IntegrityError as exc:
        raise CertificateConflictError(
            _("A certificate was already provided for %(material)s.") % {"material": material.name}
        ) from exc
    audit_record(
        action="certificate.provide",
        actor=user,
        target_type="certificate",
        target_id=certificate.identifier,
        center_id=case.center_id,
        data={"case": case.number, "material": material.pk},
    )
    return use


def certificate_uses_consult(*, case: Case, user: User, now: dt.datetime | None = None) -> None:
    """Log that a member of staff saw the certificates provided for the case (once each)."""
    now = now or timezone.now()
    for use in CertificateUse.objects.filter(case=case, kind=CertificateUse.Kind.PROVIDED):
        CertificateUse.objects.get_or_create(
            certificate_id=use.certificate_id,
            case=case,
            used_by=user,
            kind=CertificateUse.Kind.CONSULTED,
            defaults={
                "material_id": use.material_id,
                "purpose": (_("Checked on the page of case %(case)s") % {"case": case.number})[
                    :200
                ],
                "used_at": now,
            },
        )


PURPOSE_MAX = 200


@transaction.atomic
def certificates_query(
    *,
    case: Case,
    holder_identifier: str,
    purpose: str,
    user: User,
    now: dt.datetime | None = None,
) -> list[Certificate]:
    """A department system's look-up of the certificates held by the applicant of one of its
    cases, for a stated purpose; each certificate returned is logged as a use the holder sees.

    `case` is one the caller may see (the caller's selector checked it).
    """
    now = now or timezone.now()
    purpose = purpose.strip()
    if not purpose or len(purpose) > PURPOSE_MAX:
        raise ValidationError(
            _("State the purpose of the query (1 to %(n)s characters).") % {"n": PURPOSE_MAX}
        )
    holder_identifier = holder_identifier.strip().upper()
    if not holder_identifier or holder_identifier != case.identifier.upper():
        raise PermissionDenied(
            _("Only the certificates of case %(case)s's applicant may be queried for it.")
            % {"case": case.number}
        )
    certificates = list(
        Certificate.objects.filter(holder_identifier=case.identifier).select_related(
            "type", "issuer"
        )
    )
    CertificateUse.objects.bulk_create(
        CertificateUse(
            certificate=certificate,
            case=case,
            kind=CertificateUse.Kind.QUERIED,
            purpose=purpose,
            used_by=user,
            used_at=now,
        )
        for certificate in certificates
    )
    audit_record(
        action="certificate.query",
        actor=user,
        target_type="case",
        target_id=case.number,
        center_id=case.center_id,
        data={"purpose": purpose, "certificates": [c.identifier for c in certificates]},
    )
    return certificates
