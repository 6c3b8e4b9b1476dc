"""Writes of cases: application, intake, correction, acceptance, refusal, withdrawal, 即办.

Every change of state is a guarded update (the state read must still hold, one row changes) that
writes a `CaseEvent`; the applicant is told by SMS once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from cases.models import (
    AWAITING_ACCEPTANCE,
    ApplicantKind,
    Case,
    CaseAccess,
    CaseDraft,
    CaseEvent,
    CaseMaterial,
    CaseNumberCounter,
    CaseStatus,
    Channel,
    CorrectionNotice,
)
from cases.selectors import staff_may_act, staff_may_see
from catalog.models import Counter, ItemField, MaterialSpec, ServiceItem
from govhall.errors import ConflictError
from govhall.identifiers import clean_resident_id, clean_uscc
from hall.models import CounterState
from hall.sms import send_sms
from workdays.calendar import add_working_days, explain_add
from workdays.selectors import calendar_current

ACCEPTANCE_DECISION_DAYS = 5  # 行政许可法 art. 32
VIOLATION_SECOND_CORRECTION = "violation: second correction"
MB = 1024 * 1024

# The first bytes of the only formats accepted, whatever the file's name says.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class CaseConflictError(ConflictError):
    """The case is no longer in the state the action needs."""


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str = ""
    uscc: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class CorrectionMark:
    """A material the clerk marks missing or faulty: a spec of the item, or one named freely."""

    reason: str
    spec_id: int | None = None
    name: str = ""


def file_limit() -> int:
    return int(getattr(settings, "GOVHALL_CASE_FILE_MAX_BYTES", 10 * MB))


def case_limit() -> int:
    return int(getattr(settings, "GOVHALL_CASE_TOTAL_MAX_BYTES", 50 * MB))


# --- checking input ------------------------------------------------------------------------


def clean_applicant(*, item: ServiceItem, applicant: Applicant) -> Applicant:
    """The applicant with identifiers normalised, or a ValidationError naming each problem."""
    errors: dict[str, str] = {}
    name = applicant.name.strip()
    if not name or len(name) > 100:
        errors["applicant_name"] = _("Give the applicant's name (at most 100 characters).")
    id_number = uscc = ""
    if applicant.kind == ApplicantKind.PERSON:
        if item.subject == ServiceItem.Subject.LEGAL:
            errors["applicant_kind"] = _("This item is for legal entities only.")
        try:
            id_number = clean_resident_id(applicant.id_number)
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    elif applicant.kind == ApplicantKind.LEGAL:
        if item.subject == ServiceItem.Subject.PERSON:
            errors["applicant_kind"] = _("This item is for individuals only.")
        try:
            uscc = clean_uscc(applicant.uscc)
        except ValidationError as exc:
            errors["uscc"] = " ".join(exc.messages)
    else:
        errors["applicant_kind"] = _("The applicant is an individual or a legal entity.")
    mobile = applicant.mobile.strip()
    if mobile and not (len(mobile) == 11 and mobile.isdigit() and mobile.startswith("1")):
        errors["mobile"] = _("A mobile number has 11 digits and starts with 1.")
    if errors:
        raise ValidationError(errors)
    return Applicant(applicant.kind, name, id_number, uscc, mobile)


def _clean_field(field: ItemField, value: Any) -> Any:
    text = str(value).strip()
    if field.kind == ItemField.Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(_("Enter a number.")) from None
        if number != number or abs(number) > 1e12:  # NaN or absurd
            raise ValidationError(_("Enter a number."))
        return int(number) if number.is_integer() else number
    if field.kind == ItemField.Kind.DATE:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        return day.isoformat()
    if field.kind == ItemField.Kind.CHOICE:
        if text not in field.choice_list():
            raise ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": "、".join(field.choice_list())}
            )
        return text
    if field.kind == ItemField.Kind.ID_NUMBER:
        return clean_resident_id(text)
    limit = 200 if field.kind == ItemField.Kind.ADDRESS else 500
    if len(text) > limit:
        raise ValidationError(_("At most %(limit)s characters.") % {"limit": limit})
    return text


def clean_form_data(*, item: ServiceItem, data: dict[str, Any]) -> dict[str, Any]:
    """The item's extra fields checked against its schema (catalog `ItemField`)."""
    fields = {field.key: field for field in item.fields.all()}
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        errors["fields"] = _("This item's form has no field %(keys)s.") % {
            "keys": ", ".join(unknown)[:200]
        }
    cleaned: dict[str, Any] = {}
    for key, field in fields.items():
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if field.required:
                errors[key] = _("%(label)s is required.") % {"label": field.label}
            continue
        if isinstance(value, dict | list):
            errors[key] = _("%(label)s takes one value.") % {"label": field.label}
            continue
        try:
            cleaned[key] = _clean_field(field, value)
        except ValidationError as exc:
            errors[key] = f"{field.label}: {' '.join(exc.messages)}"
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- numbering, events, notices -----------------------------------------------------------------


def case_number_next(day: dt.date) -> str:
    """GHyyyymmdd-nnnnnn: the day's counter row is locked until the transaction ends.

    On PostgreSQL `select_for_update` makes concurrent submissions wait their turn; SQLite's
    IMMEDIATE transactions serialise the writers anyway.
    """
    CaseNumberCounter.objects.get_or_create(day=day)
    counter = CaseNumberCounter.objects.select_for_update().get(day=day)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"GH{day:%Y%m%d}-{counter.last:06d}"


def _notify(case: Case, text: str) -> None:
    if case.mobile:
        mobile = case.mobile
        transaction.on_commit(lambda: send_sms(mobile=mobile, text=text))


def _status_text(case: Case) -> str:
    return _("Case %(number)s (%(item)s): %(status)s.") % {
        "number": case.number,
        "item": case.item.name,
        "status": CaseStatus(case.status).label,
    }


def _transition(
    case: Case,
    new: CaseStatus,
    *,
    allowed: tuple[CaseStatus, ...],
    actor: User | None,
    now: dt.datetime,
    note: str = "",
    **changes: Any,
) -> None:
    """Move the case from the state it was read in to `new`, if that state still holds."""
    old = case.status
    if old not in allowed or (
        Case.objects.filter(pk=case.pk, status=old).update(status=new, **changes) != 1
    ):
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise CaseConflictError(
            _("Case %(number)s is %(status)s: that cannot be done now. Reload the case.")
            % {"number": case.number, "status": CaseStatus(current or old).label}
        )
    CaseEvent.objects.create(
        case=case, from_status=old, to_status=new, actor=actor, at=now, note=note
    )
    case.status = new
    for name, value in changes.items():
        setattr(case, name, value)
    _notify(case, _status_text(case))


def _require_actor(staff: User, case: Case) -> None:
    if not staff_may_act(staff, case):
        raise PermissionDenied(_("You may not take decisions on this case."))


def _require_applicant(user: User, case: Case) -> None:
    if case.applicant_user_id is None or case.applicant_user_id != user.pk:
        raise PermissionDenied(_("Only the applicant may do this."))


# --- application and intake ----------------------------------------------------------------


def case_draft_save(
    *, user: User, item: ServiceItem, data: dict[str, Any], draft: CaseDraft | None = None
) -> CaseDraft:
    """Keep what the applicant has written so far, checked only when submitted."""
    if draft is None:
        draft = CaseDraft(user=user, item=item)
    elif draft.user_id != user.pk or draft.item_id != item.pk:
        raise PermissionDenied(_("This draft is not yours."))
    if draft.case_id is not None:
        raise CaseConflictError(_("This application has already been submitted."))
    draft.data = {str(key): str(value)[:500] for key, value in data.items()}
    draft.save()
    return draft


def _create_case(
    *,
    item: ServiceItem,
    applicant: Applicant,
    form_data: dict[str, Any],
    channel: Channel,
    now: dt.datetime,
    actor: User | None,
    **extra: Any,
) -> Case:
    day = timezone.localdate(now)
    case = Case(
        center_id=item.center_id,
        item=item,
        number=case_number_next(day),
        channel=channel,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        id_number=applicant.id_number,
        uscc=applicant.uscc,
        mobile=applicant.mobile,
        form_data=form_data,
        status=CaseStatus.RECEIVED,
        submitted_at=now,
        received_day=day,
        acceptance_due=add_working_days(calendar_current(), day, ACCEPTANCE_DECISION_DAYS),
        **extra,
    )
    case.save()
    CaseEvent.objects.create(case=case, to_status=CaseStatus.RECEIVED, actor=actor, at=now)
    _notify(case, _status_text(case))
    return case


@transaction.atomic
def case_submit(
    *,
    user: User,
    item: ServiceItem,
    applicant: Applicant,
    form_data: dict[str, Any],
    idempotency_key: str,
    draft: CaseDraft | None = None,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Submit an online application; the same key again returns the same case (created False)."""
    now = now or timezone.now()
    key = idempotency_key.strip()[:100]
    if not key:
        raise ValidationError(_("The request needs an idempotency key."))
    existing = Case.objects.filter(applicant_user=user, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if item.status != ServiceItem.Status.PUBLISHED or item.online_level < (
        ServiceItem.OnlineLevel.PRE_REVIEW
    ):
        raise ValidationError(_("This item cannot be applied for online."))
    applicant = clean_applicant(item=item, applicant=applicant)
    cleaned = clean_form_data(item=item, data=form_data)
    try:
        with transaction.atomic():
            case = _create_case(
                item=item,
                applicant=applicant,
                form_data=cleaned,
                channel=Channel.ONLINE,
                now=now,
                actor=user,
                applicant_user=user,
                idempotency_key=key,
            )
    except IntegrityError:
        # The same submission won a race in another request: answer with its case.
        return Case.objects.get(applicant_user=user, idempotency_key=key), False
    if draft is not None:
        CaseDraft.objects.filter(pk=draft.pk, user=user, case__isnull=True).update(case=case)
    return case, True


@transaction.atomic
def case_open_at_counter(
    *,
    staff: User,
    counter: Counter,
    item: ServiceItem,
    applicant: Applicant,
    form_data: dict[str, Any],
    now: dt.datetime | None = None,
) -> Case:
    """A clerk takes in a case for the ticket being served at their counter."""
    now = now or timezone.now()
    state = CounterState.objects.select_related("ticket").filter(counter=counter).first()
    if state is None or state.staff_id != staff.pk:
        raise CaseConflictError(
            _("Sign in to counter %(number)s first.") % {"number": counter.number}
        )
    if state.ticket is None:
        raise CaseConflictError(_("Call a ticket first: a counter case starts from a ticket."))
    if item.center_id != counter.center_id:
        raise ValidationError(_("This item belongs to another center."))
    profile = getattr(staff, "staff_profile", None)
    if profile is None or profile.center_id != counter.center_id:
        raise PermissionDenied(_("You are not staff of this counter's center."))
    if profile.department_id is not None and profile.department_id != item.department_id:
        raise PermissionDenied(_("This item belongs to another department."))
    applicant = clean_applicant(item=item, applicant=applicant)
    if not applicant.mobile and state.ticket.mobile:
        applicant = Applicant(
            applicant.kind, applicant.name, applicant.id_number, applicant.uscc, state.ticket.mobile
        )
    return _create_case(
        item=item,
        applicant=applicant,
        form_data=clean_form_data(item=item, data=form_data),
        channel=Channel.COUNTER,
        now=now,
        actor=staff,
        ticket=state.ticket,
        handled_by=staff,
    )


def _sniff(upload: UploadedFile) -> tuple[str, str]:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, content_type, suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    raise ValidationError(
        _("%(name)s is not a PDF, JPEG or PNG file (its content was checked, not its name).")
        % {"name": upload.name}
    )


@transaction.atomic
def material_upload(
    *,
    case: Case,
    user: User,
    upload: UploadedFile,
    spec: MaterialSpec | None = None,
    now: dt.datetime | None = None,
) -> CaseMaterial:
    """Keep one uploaded material privately, after checking its kind by content and its size."""
    now = now or timezone.now()
    allowed: tuple[CaseStatus, ...]
    if case.applicant_user_id == user.pk and case.applicant_user_id is not None:
        allowed = (*AWAITING_ACCEPTANCE, CaseStatus.CORRECTION_START)
    elif staff_may_act(user, case):
        allowed = (*AWAITING_ACCEPTANCE, CaseStatus.CORRECTION_START, CaseStatus.ACCEPTED)
    else:
        raise PermissionDenied(_("You may not add materials to this case."))
    if case.status not in allowed:
        raise CaseConflictError(
            _("Case %(number)s is %(status)s: materials can no longer be added.")
            % {"number": case.number, "status": CaseStatus(case.status).label}
        )
    if spec is not None and spec.item_id != case.item_id:
        raise ValidationError(_("That material is not one of this item's materials."))
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": upload.name})
    if size > file_limit():
        raise ValidationError(
            _(
                "%(name)s is %(size).1f MB; a file may be at most %(max)s MB. "
                "Scan it at a lower resolution or split it."
            )
            % {"name": upload.name, "size": size / MB, "max": file_limit() // MB}
        )
    used = case.materials.aggregate(total=Sum("size"))["total"] or 0
    if used + size > case_limit():
        raise ValidationError(
            _("The materials of a case may take at most %(max)s MB; %(used).1f MB are used.")
            % {"max": case_limit() // MB, "used": used / MB}
        )
    content_type, suffix = _sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    material = CaseMaterial(
        case=case,
        spec=spec,
        sha256=digest.hexdigest(),
        size=size,
        content_type=content_type,
        original_name=(upload.name or "file")[:200],
        uploaded_at=now,
        uploaded_by=user,
    )
    material.file.save(f"upload{suffix}", upload, save=False)
    material.save()
    return material


# --- acceptance, refusal, correction -------------------------------------------------------


@transaction.atomic
def case_accept(*, case: Case, staff: User, now: dt.datetime | None = None) -> Case:
    """受理: the limits start. Accepted after the five-day limit, they count from receipt."""
    now = now or timezone.now()
    _require_actor(staff, case)
    today = timezone.localdate(now)
    late = case.acceptance_due is not None and today > case.acceptance_due
    # Art. 32: without a decision within five working days the application counts as accepted
    # on the day it was received, so a late acceptance cannot shorten the applicant's clock.
    clock_start = case.received_day if late else today
    calendar = calendar_current()
    promised = explain_add(calendar, clock_start, case.item.promised_days)
    statutory = explain_add(calendar, clock_start, case.item.statutory_days)
    note = (
        _("Accepted after the five-working-day limit: the limits count from the day of receipt.")
        if late
        else ""
    )
    _transition(
        case,
        CaseStatus.ACCEPTED,
        allowed=AWAITING_ACCEPTANCE,
        actor=staff,
        now=now,
        note=note,
        accepted_at=now,
        clock_start=clock_start,
        promised_due=promised.end,
        statutory_due=statutory.end,
        due_provisional=promised.provisional or statutory.provisional,
        handled_by=staff,
    )
    return case


@transaction.atomic
def case_refuse(*, case: Case, staff: User, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理: always with a reason, which the applicant receives."""
    now = now or timezone.now()
    _require_actor(staff, case)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for not accepting: the applicant receives it.")}
        )
    _transition(
        case,
        CaseStatus.NOT_ACCEPTED,
        allowed=AWAITING_ACCEPTANCE,
        actor=staff,
        now=now,
        note=reason[:2000],
        handled_by=staff,
    )
    return case


def _correction_items(case: Case, marks: list[CorrectionMark]) -> list[dict[str, Any]]:
    if not marks:
        raise ValidationError(
            {"items": _("Mark every missing or faulty material, each with its reason.")}
        )
    specs = {spec.pk: spec for spec in case.item.materials.all()}
    items: list[dict[str, Any]] = []
    for mark in marks:
        reason = mark.reason.strip()
        if mark.spec_id is not None:
            spec = specs.get(mark.spec_id)
            if spec is None:
                raise ValidationError({"items": _("A marked material is not one of this item's.")})
            name = spec.name
        else:
            name = mark.name.strip()
            if not name:
                raise ValidationError({"items": _("Name the material that is not on the list.")})
        if not reason:
            raise ValidationError(
                {"items": _("Say what is missing or wrong with %(name)s.") % {"name": name}}
            )
        items.append({"spec": mark.spec_id, "name": name[:150], "reason": reason[:500]})
    return items


@transaction.atomic
def case_request_correction(
    *,
    case: Case,
    staff: User,
    marks: list[CorrectionMark],
    note: str = "",
    allowed_by: User | None = None,
    now: dt.datetime | None = None,
) -> CorrectionNotice:
    """补正 with the one-time notice; a second one needs a supervisor and is a violation."""
    now = now or timezone.now()
    _require_actor(staff, case)
    items = _correction_items(case, marks)
    event_note = "; ".join(f"{item['name']}: {item['reason']}" for item in items)
    if case.corrections_count >= 1:
        if allowed_by is None:
            raise CaseConflictError(
                _(
                    "Case %(number)s already had its one-time correction notice: a second "
                    "request breaks the one-time rule and needs a supervisor's permission."
                )
                % {"number": case.number}
            )
        profile = getattr(allowed_by, "staff_profile", None)
        if (
            not allowed_by.has_role(Role.SUPERVISOR)
            or profile is None
            or profile.center_id != case.center_id
        ):
            raise PermissionDenied(_("Only a supervisor of this center may allow a second notice."))
        event_note = (
            f"{VIOLATION_SECOND_CORRECTION}; allowed by {allowed_by.get_username()}; {event_note}"
        )
    _transition(
        case,
        CaseStatus.CORRECTION_START,
        allowed=AWAITING_ACCEPTANCE,
        actor=staff,
        now=now,
        note=event_note[:2000],
        corrections_count=F("corrections_count") + 1,
        handled_by=staff,
    )
    case.refresh_from_db(fields=["corrections_count"])
    return CorrectionNotice.objects.create(
        case=case,
        items=items,
        note=note.strip()[:2000],
        created_by=staff,
        created_at=now,
        sent_at=now,
        allowed_by=allowed_by,
    )


@transaction.atomic
def case_correction_submit(*, case: Case, user: User, now: dt.datetime | None = None) -> Case:
    """The applicant hands in what the notice asked for; a new five-day clock starts."""
    now = now or timezone.now()
    _require_applicant(user, case)
    notice = case.correction_notices.order_by("-created_at", "-pk").first()
    if notice is not None:
        uploaded = set(
            case.materials.filter(uploaded_at__gte=notice.created_at).values_list(
                "spec_id", flat=True
            )
        )
        missing = [item["name"] for item in notice.items if item["spec"] not in (None, *uploaded)]
        if missing:
            raise ValidationError(
                _("Upload these materials first: %(names)s.") % {"names": "、".join(missing)}
            )
    today = timezone.localdate(now)
    _transition(
        case,
        CaseStatus.CORRECTION_END,
        allowed=(CaseStatus.CORRECTION_START,),
        actor=user,
        now=now,
        acceptance_due=add_working_days(calendar_current(), today, ACCEPTANCE_DECISION_DAYS),
    )
    return case


@transaction.atomic
def case_withdraw(
    *, case: Case, user: User, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """撤件 by the applicant before acceptance."""
    now = now or timezone.now()
    _require_applicant(user, case)
    _transition(
        case,
        CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE,
        allowed=(*AWAITING_ACCEPTANCE, CaseStatus.CORRECTION_START),
        actor=user,
        now=now,
        note=reason.strip()[:2000],
    )
    return case


def may_conclude_on_the_spot(staff: User, case: Case) -> bool:
    """The department's chief representative, or a clerk given the permission."""
    if not staff_may_act(staff, case):
        return False
    if case.item.department.chief_representative_id == staff.pk:
        return True
    return staff.has_role(Role.CHIEF_REPRESENTATIVE) or staff.has_perm("cases.conclude_on_the_spot")


@transaction.atomic
def case_conclude_on_the_spot(*, case: Case, staff: User, now: dt.datetime | None = None) -> Case:
    """即办件: accepted and concluded (approved) in one step at the counter."""
    now = now or timezone.now()
    if not case.item.is_instant:
        raise CaseConflictError(_("Only on-the-spot items (promised 0 days) conclude at once."))
    if not may_conclude_on_the_spot(staff, case):
        raise PermissionDenied(
            _("Only the chief representative or an authorised clerk concludes on the spot.")
        )
    today = timezone.localdate(now)
    statutory = explain_add(calendar_current(), today, case.item.statutory_days)
    _transition(
        case,
        CaseStatus.ACCEPTED,
        allowed=AWAITING_ACCEPTANCE,
        actor=staff,
        now=now,
        accepted_at=now,
        clock_start=today,
        promised_due=today,
        statutory_due=statutory.end,
        due_provisional=statutory.provisional,
        handled_by=staff,
    )
    _transition(
        case,
        CaseStatus.CONCLUDED_APPROVED,
        allowed=(CaseStatus.ACCEPTED,),
        actor=staff,
        now=now,
        note=_("Concluded on the spot."),
        concluded_at=now,
    )
    return case


def case_access_record(*, case: Case, user: User, what: str) -> None:
    """Log a read of the case's personal data by someone other than the applicant."""
    if case.applicant_user_id != user.pk and staff_may_see(user, case):
        CaseAccess.objects.create(case=case, user=user, at=timezone.now(), what=what[:60])
