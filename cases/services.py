"""Writes of cases: application, intake, correction, acceptance, refusal, stages, suspension,
extension, decision, delivery, withdrawal, 即办, and the due dates' recomputation.

Every change of state is a guarded update (the state read must still hold, one row changes) that
writes a `CaseEvent`; the applicant is told by SMS once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import message_send
from audit.services import audit_record
from cases.hooks import certificate_issued_on_commit
from cases.models import (
    AWAITING_ACCEPTANCE,
    CONCLUDED,
    IN_PROCESS,
    OPEN_AFTER_ACCEPTANCE,
    ApplicantKind,
    BundleApplication,
    Case,
    CaseAccess,
    CaseCertificate,
    CaseDecision,
    CaseDraft,
    CaseEvent,
    CaseExtension,
    CaseFee,
    CaseMaterial,
    CaseNumberCounter,
    CaseRuleCheck,
    CaseStage,
    CaseStatus,
    CaseSuspension,
    Channel,
    CorrectionNotice,
    DeliveryMethod,
    ExtensionStatus,
    StageStatus,
    SuspensionKind,
)
from cases.selectors import (
    case_deadline_explain,
    certificate_valid_for,
    staff_may_act,
    staff_may_see,
)
from catalog.models import (
    AutoRule,
    Bundle,
    Counter,
    Fee,
    ItemField,
    MaterialSpec,
    ServiceItem,
    StageSpec,
)
from catalog.search import BundleForm, bundle_form
from govhall.db import day_counter_next, insert, rows
from govhall.errors import ConflictError
from govhall.identifiers import clean_resident_id, clean_uscc
from govhall.retention import years_later
from hall.models import CounterState
from hall.sms import send_sms
from workdays.calendar import (
    Calendar,
    OutOfCalendar,
    add_working_days,
    count_working_days,
    explain_add,
    working_day_with_days_left,
)
from workdays.selectors import calendar_current

ACCEPTANCE_DECISION_DAYS = 5  # 行政许可法 art. 32
EXTENSION_ALLOWANCE_DAYS = 10  # 行政许可法 art. 42: +10 working days on the 20-day limit
MAX_SUSPENSION_DAYS = 250
logger = logging.getLogger(__name__)
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
    # By position alone: the model's ordering would join the item, its center and department.
    fields = {
        field.key: field for field in rows(ItemField, {"item_id": item.pk}, ("position", "id"))
    }
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
    """GHyyyymmdd-nnnnnn: the day's counter row is locked until the transaction ends."""
    return f"GH{day:%Y%m%d}-{day_counter_next(CaseNumberCounter, day):06d}"


def _notify(case: Case, text: str) -> None:
    if case.mobile:
        send_sms(mobile=case.mobile, text=text)
    if case.applicant_user is not None:
        message_send(
            user=case.applicant_user,
            subject=text,
            link=reverse("cases:detail", args=[case.number]),
            kind="case.status",
        )


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
    tell: str = "",
    quiet: bool = False,
    **changes: Any,
) -> None:
    """Move the case from the state it was read in to `new`, if that state still holds.

    The applicant is told the new state, followed by `tell` when given, unless `quiet` (a state
    that follows another at once, told together).
    """
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
    audit_record(
        action=f"case.{new.name.lower()}",
        actor=actor,
        target_type="case",
        target_id=case.number,
        center_id=case.center_id,
        data={"from": int(old), "to": int(new)},
    )
    case.status = new
    for name, value in changes.items():
        setattr(case, name, value)
    if not quiet:
        _notify(case, f"{_status_text(case)} {tell}".strip())


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
        department_id=item.department_id,
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
    # Every submission makes both rows: by hand-written statements (`govhall.db`).
    insert(case)
    insert(CaseEvent(case=case, to_status=CaseStatus.RECEIVED, actor=actor, at=now))
    audit_record(
        action="case.received",
        actor=actor,
        target_type="case",
        target_id=case.number,
        center_id=case.center_id,
        data={"to": int(CaseStatus.RECEIVED)},
    )
    _notify(case, _status_text(case))
    return case


def _submitted(user: User, key: str) -> int | None:
    """The case the user already submitted with this idempotency key, if any.

    The unique index's condition is repeated, so that SQLite searches that index rather than
    every case of the applicant's; only the id is read, by hand as each submission asks.
    """
    quote = connection.ops.quote_name
    table, column = quote(Case._meta.db_table), quote("idempotency_key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')} FROM {table} WHERE {quote('applicant_user_id')} = %s "  # noqa: S608
            f"AND {column} = %s AND {column} <> ''",
            [user.pk, key],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def case_submit(
    *,
    user: User,
    item: ServiceItem,
    applicant: Applicant,
    form_data: dict[str, Any],
    idempotency_key: str,
    materials: Sequence[tuple[MaterialSpec | None, UploadedFile]] = (),
    draft: CaseDraft | None = None,
    person_requested: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Submit an online application; the same key again returns the same case (created False).

    `materials`: files uploaded with the application, each with the item's material it is (or
    None), checked like `material_upload` and kept with the case in one transaction: the case
    exists with all of them or not at all. `person_requested`: the applicant wants a person,
    not automatic approval, to handle it.
    """
    now = now or timezone.now()
    key = idempotency_key.strip()[:100]
    if not key:
        raise ValidationError(_("The request needs an idempotency key."))
    # The condition of the unique index repeated, so that SQLite searches that index rather
    # than every case of the applicant's.
    existing = _submitted(user, key)
    if existing is not None:
        return Case.objects.get(pk=existing), False
    if item.status != ServiceItem.Status.PUBLISHED or item.online_level < (
        ServiceItem.OnlineLevel.PRE_REVIEW
    ):
        raise ValidationError(_("This item cannot be applied for online."))
    applicant = clean_applicant(item=item, applicant=applicant)
    cleaned = clean_form_data(item=item, data=form_data)
    checked: list[tuple[MaterialSpec | None, _CheckedFile]] = []
    for spec, upload in materials:
        if spec is not None and spec.item_id != item.pk:
            raise ValidationError(_("That material is not one of this item's materials."))
        checked.append((spec, _material_check(upload, used=sum(f.size for _s, f in checked))))
    # Everything is checked before the write transaction opens: on SQLite it holds the one
    # writer's lock, and a duplicate key is caught by the unique index inside it.
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
                person_requested=person_requested,
            )
            for spec, file in checked:
                _material_store(case=case, user=user, spec=spec, file=file, now=now)
            if draft is not None:
                CaseDraft.objects.filter(pk=draft.pk, user=user, case__isnull=True).update(
                    case=case
                )
    except IntegrityError:
        # The same submission won a race in another request: answer with its case.
        return Case.objects.get(applicant_user=user, idempotency_key=key), False
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


def upload_sniff(upload: UploadedFile) -> tuple[str, str]:
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


@dataclass(frozen=True)
class _CheckedFile:
    """An upload whose size and kind were checked, with its digest."""

    upload: UploadedFile
    size: int
    content_type: str
    suffix: str
    sha256: str


def _material_check(upload: UploadedFile, *, used: int) -> _CheckedFile:
    """The upload checked by size (the file's and, with `used` bytes, the case's) and content."""
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
    if used + size > case_limit():
        raise ValidationError(
            _("The materials of a case may take at most %(max)s MB; %(used).1f MB are used.")
            % {"max": case_limit() // MB, "used": used / MB}
        )
    content_type, suffix = upload_sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return _CheckedFile(upload, size, content_type, suffix, digest.hexdigest())


def _material_store(
    *, case: Case, user: User, spec: MaterialSpec | None, file: _CheckedFile, now: dt.datetime
) -> CaseMaterial:
    material = CaseMaterial(
        case=case,
        spec=spec,
        sha256=file.sha256,
        size=file.size,
        content_type=file.content_type,
        original_name=(file.upload.name or "file")[:200],
        uploaded_at=now,
        uploaded_by=user,
    )
    material.file.save(f"upload{file.suffix}", file.upload, save=False)
    insert(material)
    return material


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
        allowed = (*AWAITING_ACCEPTANCE, CaseStatus.CORRECTION_START, *IN_PROCESS)
    else:
        raise PermissionDenied(_("You may not add materials to this case."))
    if case.status not in allowed:
        raise CaseConflictError(
            _("Case %(number)s is %(status)s: materials can no longer be added.")
            % {"number": case.number, "status": CaseStatus(case.status).label}
        )
    if spec is not None and spec.item_id != case.item_id:
        raise ValidationError(_("That material is not one of this item's materials."))
    used = case.materials.aggregate(total=Sum("size"))["total"] or 0
    file = _material_check(upload, used=used)
    return _material_store(case=case, user=user, spec=spec, file=file, now=now)


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
    warn_on = warning_day(calendar, clock_start, promised.end, case.item.warning_lead())
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
        warn_on=warn_on,
        due_provisional=promised.provisional or statutory.provisional,
        promised_days=case.item.promised_days,
        statutory_days=case.item.statutory_days,
        handled_by=staff,
    )
    _stages_create(case)
    started = _stages_start_next(case, now=now, calendar=calendar)
    _transition(
        case,
        CaseStatus.PROCESSING,
        allowed=(CaseStatus.ACCEPTED,),
        actor=staff,
        now=now,
        note=_("Stages started: %(names)s.") % {"names": ", ".join(s.name for s in started)},
        quiet=True,
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
    """撤件 by the applicant: before acceptance (2) or after it, before the conclusion (14)."""
    now = now or timezone.now()
    _require_applicant(user, case)
    if case.status in OPEN_AFTER_ACCEPTANCE:
        _transition(
            case,
            CaseStatus.WITHDRAWN,
            allowed=OPEN_AFTER_ACCEPTANCE,
            actor=user,
            now=now,
            note=reason.strip()[:2000],
            concluded_at=now,
        )
        return case
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
    _accept_and_conclude(case, actor=staff, now=now, note=_("Concluded on the spot."))
    return case


def _accept_and_conclude(case: Case, *, actor: User | None, now: dt.datetime, note: str) -> None:
    """Accepted and concluded approved the same day (即办, 秒批); the certificate is issued."""
    today = timezone.localdate(now)
    statutory = explain_add(calendar_current(), today, case.item.statutory_days)
    _transition(
        case,
        CaseStatus.ACCEPTED,
        allowed=AWAITING_ACCEPTANCE,
        actor=actor,
        now=now,
        accepted_at=now,
        clock_start=today,
        promised_due=today,
        statutory_due=statutory.end,
        due_provisional=statutory.provisional,
        handled_by=actor,
    )
    _transition(
        case,
        CaseStatus.CONCLUDED_APPROVED,
        allowed=(CaseStatus.ACCEPTED,),
        actor=actor,
        now=now,
        note=note,
        concluded_at=now,
    )
    _certificate_issue(case, now=now)


def case_access_record(*, case: Case, user: User, what: str) -> None:
    """Log a read of the case's personal data by someone other than the applicant."""
    if case.applicant_user_id != user.pk and staff_may_see(user, case):
        CaseAccess.objects.create(case=case, user=user, at=timezone.now(), what=what[:60])
        # Whose data was read is the case number: the ID number itself never enters the log.
        audit_record(
            action="personal_data.read",
            actor=user,
            target_type="case",
            target_id=case.number,
            center_id=case.center_id,
            data={"what": what[:60]},
        )


# --- approval stages (审批环节, 并联审批) -------------------------------------------------------

# Roles that work on stages, suspend, ask for extensions and decide.
PROCESSING_ROLES = frozenset({Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE})
# Roles that hand out a department's stages.
ASSIGNING_ROLES = (Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE)


def extension_allowance() -> int:
    return int(getattr(settings, "GOVHALL_CASE_EXTENSION_DAYS", EXTENSION_ALLOWANCE_DAYS))


def _note(case: Case, note: str, *, actor: User | None, now: dt.datetime) -> None:
    """An event that does not change the state (a stage done, an extension asked)."""
    CaseEvent.objects.create(
        case=case, from_status=case.status, to_status=case.status, actor=actor, at=now, note=note
    )


def _hold(case: Case, allowed: tuple[CaseStatus, ...]) -> None:
    """Lock the case's row while it is in one of `allowed`, or raise: a guard without a change."""
    if case.status not in allowed or (
        Case.objects.filter(pk=case.pk, status=case.status).update(status=F("status")) != 1
    ):
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise CaseConflictError(
            _("Case %(number)s is %(status)s: that cannot be done now. Reload the case.")
            % {"number": case.number, "status": CaseStatus(current or case.status).label}
        )


def _department_of(user: User) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return None if profile is None else profile.department_id


def _has_any_role(user: User, roles: frozenset[Role] | tuple[Role, ...]) -> bool:
    return bool(set(user.role_names()) & {role.value for role in roles})


def _require_processor(staff: User, case: Case, *, own_department: bool = False) -> None:
    """A reviewer, head or chief representative who may act on the case (of the item's
    department when `own_department`)."""
    if not (staff_may_act(staff, case) and _has_any_role(staff, PROCESSING_ROLES)):
        raise PermissionDenied(_("Only the departments' reviewers and heads handle this case."))
    if own_department and _department_of(staff) != case.item.department_id:
        raise PermissionDenied(
            _("Only the staff of %(department)s may do this.")
            % {"department": case.item.department.name}
        )


def _default_specs(item: ServiceItem) -> list[StageSpec]:
    decide = item.promised_days // 2
    return [
        StageSpec(
            item=item,
            position=1,
            name=str(_("Review")),
            department_id=item.department_id,
            role=Role.REVIEWER,
            days=item.promised_days - decide,
        ),
        StageSpec(
            item=item,
            position=2,
            name=str(_("Decision")),
            department_id=item.department_id,
            role=Role.DEPARTMENT_HEAD,
            days=decide,
        ),
    ]


def _stages_create(case: Case) -> list[CaseStage]:
    """The case's stages from the item's definitions, or review → decide in its department."""
    specs = list(case.item.stage_specs.order_by("position", "pk")) or _default_specs(case.item)
    stages: list[CaseStage] = []
    step, previous_group = 0, ""
    for spec in specs:
        if not (spec.parallel_group and spec.parallel_group == previous_group):
            step += 1
        previous_group = spec.parallel_group
        stages.append(
            CaseStage(
                case=case,
                step=step,
                name=spec.name,
                department_id=spec.department_id or case.item.department_id,
                role=spec.role,
                days=spec.days,
            )
        )
    return CaseStage.objects.bulk_create(stages)


def _stages_start_next(case: Case, *, now: dt.datetime, calendar: Calendar) -> list[CaseStage]:
    """Start every stage of the next step when none is active; the stages started."""
    if case.stages.filter(status=StageStatus.ACTIVE).exists():
        return []
    waiting = case.stages.filter(status=StageStatus.WAITING)
    step = waiting.order_by("step").values_list("step", flat=True).first()
    if step is None:
        return []
    today = timezone.localdate(now)
    started = list(waiting.filter(step=step).select_related("department").order_by("pk"))
    for stage in started:
        stage.status = StageStatus.ACTIVE
        stage.started_at = now
        stage.started_on = today
        stage.due = add_working_days(calendar, today, stage.days)
        stage.warn_on = _stage_warn_on(calendar, case, stage)
    CaseStage.objects.bulk_update(started, ["status", "started_at", "started_on", "due", "warn_on"])
    return started


def may_assign_stage(user: User, stage: CaseStage) -> bool:
    return _department_of(user) == stage.department_id and _has_any_role(user, ASSIGNING_ROLES)


def may_work_stage(user: User, stage: CaseStage) -> bool:
    """The assignee; without one, anyone of the stage's department holding its role; the
    department's head and chief representative always."""
    if _department_of(user) != stage.department_id:
        return False
    if _has_any_role(user, ASSIGNING_ROLES):
        return True
    if stage.assignee_id is not None:
        return stage.assignee_id == user.pk
    return user.has_role(Role(stage.role))


@transaction.atomic
def stage_assign(
    *, stage: CaseStage, staff: User, assignee: User, now: dt.datetime | None = None
) -> CaseStage:
    """Give (or take back and give again) a stage to someone of its department."""
    now = now or timezone.now()
    case = stage.case
    if not may_assign_stage(staff, stage):
        raise PermissionDenied(
            _("Only the head or the chief representative of the department assigns its stages.")
        )
    profile = getattr(assignee, "staff_profile", None)
    if (
        profile is None
        or not assignee.is_active
        or profile.center_id != case.center_id
        or profile.department_id != stage.department_id
    ):
        raise ValidationError(
            {"assignee": _("Choose someone of %(name)s.") % {"name": stage.department.name}}
        )
    _hold(case, OPEN_AFTER_ACCEPTANCE)
    if (
        CaseStage.objects.filter(pk=stage.pk)
        .exclude(status=StageStatus.DONE)
        .update(assignee=assignee)
        != 1
    ):
        raise CaseConflictError(_("This stage is already done: it can no longer be assigned."))
    stage.assignee = assignee
    _note(
        case,
        _("Stage %(stage)s assigned to %(name)s.")
        % {"stage": stage.name, "name": assignee.get_full_name() or assignee.get_username()},
        actor=staff,
        now=now,
    )
    return stage


@transaction.atomic
def stage_complete(
    *, stage: CaseStage, staff: User, result: str, now: dt.datetime | None = None
) -> CaseStage:
    """Finish an active stage with its result; when its step is done, the next one starts."""
    now = now or timezone.now()
    case = stage.case
    if not may_work_stage(staff, stage):
        raise PermissionDenied(_("This stage belongs to someone else."))
    result = result.strip()
    if not result:
        raise ValidationError({"result": _("Write the stage's result: the next stage reads it.")})
    _hold(case, IN_PROCESS)
    if (
        CaseStage.objects.filter(pk=stage.pk, status=StageStatus.ACTIVE).update(
            status=StageStatus.DONE, finished_at=now, finished_by=staff, result=result[:2000]
        )
        != 1
    ):
        raise CaseConflictError(
            _("Stage %(stage)s is not active: reload the case.") % {"stage": stage.name}
        )
    stage.refresh_from_db()
    note = _("Stage %(stage)s (%(department)s) done: %(result)s") % {
        "stage": stage.name,
        "department": stage.department.short_name,
        "result": result[:500],
    }
    started = _stages_start_next(case, now=now, calendar=calendar_current())
    if started:
        note += " " + _("Next: %(names)s.") % {"names": ", ".join(s.name for s in started)}
    elif not case.stages.exclude(status=StageStatus.DONE).exists():
        note += " " + _("All stages are done: the case awaits its decision.")
    _note(case, note, actor=staff, now=now)
    return stage


# --- the clock: suspension, extension, recomputation ----------------------------------------


def warning_day(calendar: Calendar, start: dt.date, due: dt.date, lead: int) -> dt.date:
    """The working day from which the light is yellow: `lead` working days before `due`, or
    `start` itself when the whole limit is that short."""
    if count_working_days(calendar, start, max(start, due)) <= lead:
        return start
    return working_day_with_days_left(calendar, due, lead)


def _stage_warn_on(calendar: Calendar, case: Case, stage: CaseStage) -> dt.date | None:
    if stage.started_on is None or stage.due is None:
        return None
    lead = case.item.warning_lead(stage.department)
    return warning_day(calendar, stage.started_on, stage.due, lead)


def _apply_deadlines(case: Case, calendar: Calendar) -> bool:
    """Store the due dates and warning days counted afresh (case and active stages); whether
    the case's due dates moved."""
    explained = case_deadline_explain(case, calendar)
    promised, statutory = explained.promised, explained.statutory
    changed = (promised.end, statutory.end) != (case.promised_due, case.statutory_due)
    warn_on = warning_day(calendar, explained.clock_start, promised.end, case.item.warning_lead())
    Case.objects.filter(pk=case.pk).update(
        promised_due=promised.end,
        statutory_due=statutory.end,
        warn_on=warn_on,
        due_provisional=promised.provisional or statutory.provisional,
    )
    case.promised_due, case.statutory_due, case.warn_on = promised.end, statutory.end, warn_on
    case.due_provisional = promised.provisional or statutory.provisional
    stages = case.stages.filter(status=StageStatus.ACTIVE, started_on__isnull=False)
    for stage in stages.select_related("department"):
        assert stage.started_on is not None
        old = (stage.due, stage.warn_on)
        stage.due = add_working_days(calendar, stage.started_on, stage.days + stage.suspended_days)
        stage.warn_on = _stage_warn_on(calendar, case, stage)
        if (stage.due, stage.warn_on) != old:
            CaseStage.objects.filter(pk=stage.pk).update(due=stage.due, warn_on=stage.warn_on)
    return changed


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    staff: User,
    kind: str,
    reason: str,
    expected_days: int,
    now: dt.datetime | None = None,
) -> CaseSuspension:
    """特别程序 (art. 45): the clock stops until the procedure ends; the applicant is told why."""
    now = now or timezone.now()
    _require_processor(staff, case)
    errors: dict[str, str] = {}
    if kind not in SuspensionKind.values:
        errors["kind"] = _("Choose the special procedure: %(kinds)s.") % {
            "kinds": ", ".join(SuspensionKind.values)
        }
    reason = reason.strip()
    if not reason:
        errors["reason"] = _("Give the reason for the special procedure: the applicant gets it.")
    if not 1 <= expected_days <= MAX_SUSPENSION_DAYS:
        errors["expected_days"] = _("Expect between 1 and %(max)s working days.") % {
            "max": MAX_SUSPENSION_DAYS
        }
    if errors:
        raise ValidationError(errors)
    label = SuspensionKind(kind).label
    _transition(
        case,
        CaseStatus.SPECIAL_START,
        allowed=IN_PROCESS,
        actor=staff,
        now=now,
        note=f"{label}: {reason[:1800]}",
        tell=_("%(kind)s, expected %(days)s working days: the time limit stops meanwhile.")
        % {"kind": label, "days": expected_days},
    )
    return CaseSuspension.objects.create(
        case=case,
        kind=kind,
        reason=reason[:2000],
        expected_days=expected_days,
        started_at=now,
        start_day=timezone.localdate(now),
        started_by=staff,
    )


@transaction.atomic
def case_resume(
    *, case: Case, staff: User, result: str, now: dt.datetime | None = None
) -> CaseSuspension:
    """End the special procedure: the due dates move by the working days it lasted."""
    now = now or timezone.now()
    _require_processor(staff, case)
    result = result.strip()
    if not result:
        raise ValidationError({"result": _("Write the special procedure's result.")})
    suspension = case.suspensions.filter(ended_at__isnull=True).order_by("-pk").first()
    if suspension is None:
        raise CaseConflictError(_("This case has no special procedure under way."))
    calendar = calendar_current()
    today = timezone.localdate(now)
    lasted = count_working_days(calendar, suspension.start_day, max(today, suspension.start_day))
    if (
        CaseSuspension.objects.filter(pk=suspension.pk, ended_at__isnull=True).update(
            ended_at=now, end_day=today, ended_by=staff, result=result[:2000], working_days=lasted
        )
        != 1
    ):
        raise CaseConflictError(_("This special procedure has already ended."))
    CaseStage.objects.filter(case=case, status=StageStatus.ACTIVE).update(
        suspended_days=F("suspended_days") + lasted
    )
    _apply_deadlines(case, calendar)
    _transition(
        case,
        CaseStatus.SPECIAL_END,
        allowed=(CaseStatus.SPECIAL_START,),
        actor=staff,
        now=now,
        note=_("%(result)s (%(days)s working days not counted)")
        % {"result": result[:1800], "days": lasted},
        tell=_("The promised due date is now %(due)s.") % {"due": case.promised_due},
    )
    suspension.refresh_from_db()
    return suspension


def _extension_days_used(case: Case) -> int:
    used = case.extensions.filter(
        status__in=(ExtensionStatus.REQUESTED, ExtensionStatus.APPROVED)
    ).aggregate(total=Sum("days"))["total"]
    return int(used or 0)


@transaction.atomic
def extension_request(
    *, case: Case, staff: User, days: int, reason: str, now: dt.datetime | None = None
) -> CaseExtension:
    """延期: a reviewer asks for more days, within the statutory allowance (art. 42)."""
    now = now or timezone.now()
    _require_processor(staff, case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    _hold(case, OPEN_AFTER_ACCEPTANCE)
    left = extension_allowance() - _extension_days_used(case)
    if not 1 <= days <= left:
        raise ValidationError(
            {
                "days": _(
                    "An extension may add at most %(allowance)s working days in all; "
                    "%(left)s are left for this case."
                )
                % {"allowance": extension_allowance(), "left": max(left, 0)}
            }
        )
    extension = CaseExtension.objects.create(
        case=case, days=days, reason=reason[:2000], requested_by=staff, requested_at=now
    )
    _note(
        case,
        _("Extension of %(days)s working days asked: %(reason)s")
        % {"days": days, "reason": reason[:1800]},
        actor=staff,
        now=now,
    )
    return extension


def _decide_extension(
    extension: CaseExtension, staff: User, status: ExtensionStatus, note: str, now: dt.datetime
) -> Case:
    case = extension.case
    _require_processor(staff, case, own_department=True)
    if not staff.has_role(Role.DEPARTMENT_HEAD):
        raise PermissionDenied(_("Only the department head decides on an extension."))
    _hold(case, OPEN_AFTER_ACCEPTANCE)
    if (
        CaseExtension.objects.filter(pk=extension.pk, status=ExtensionStatus.REQUESTED).update(
            status=status, decided_by=staff, decided_at=now, note=note.strip()[:2000]
        )
        != 1
    ):
        raise CaseConflictError(_("This extension has already been decided."))
    extension.refresh_from_db()
    return case


@transaction.atomic
def extension_approve(
    *, extension: CaseExtension, staff: User, note: str = "", now: dt.datetime | None = None
) -> CaseExtension:
    """The head approves: the promised and statutory due dates move by the days."""
    now = now or timezone.now()
    case = _decide_extension(extension, staff, ExtensionStatus.APPROVED, note, now)
    _apply_deadlines(case, calendar_current())
    _note(
        case,
        _("Extension of %(days)s working days approved: due %(due)s.")
        % {"days": extension.days, "due": case.promised_due},
        actor=staff,
        now=now,
    )
    _notify(
        case,
        _("Case %(number)s: the time limit is extended by %(days)s working days, to %(due)s.")
        % {"number": case.number, "days": extension.days, "due": case.promised_due},
    )
    return extension


@transaction.atomic
def extension_refuse(
    *, extension: CaseExtension, staff: User, note: str = "", now: dt.datetime | None = None
) -> CaseExtension:
    now = now or timezone.now()
    case = _decide_extension(extension, staff, ExtensionStatus.REFUSED, note, now)
    _note(
        case,
        _("Extension of %(days)s working days refused.") % {"days": extension.days},
        actor=staff,
        now=now,
    )
    return extension


def case_deadlines_recompute(years: set[int]) -> None:
    """The `workdays.hooks.calendar_changed` hook: count the open cases' due dates afresh.

    Only cases whose span (clock start to statutory due date) touches a changed year are looked
    at; those whose promised date moved get an event and their applicant is told.
    """
    if not years:
        return
    calendar = calendar_current()
    cases = Case.objects.filter(
        status__in=OPEN_AFTER_ACCEPTANCE,
        clock_start__isnull=False,
        clock_start__year__lte=max(years),
        statutory_due__year__gte=min(years),
    ).select_related("item")
    for case in cases.iterator():
        try:
            with transaction.atomic():
                old = case.promised_due
                if _apply_deadlines(case, calendar):
                    _note(
                        case,
                        _("The working-day calendar changed: due %(old)s → %(new)s.")
                        % {"old": old, "new": case.promised_due},
                        actor=None,
                        now=timezone.now(),
                    )
                    _notify(
                        case,
                        _("Case %(number)s: the promised due date is now %(due)s.")
                        % {"number": case.number, "due": case.promised_due},
                    )
        except OutOfCalendar:
            logger.warning("case %s: its due dates lie outside the calendar", case.number)


# --- decision and delivery ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    outcome: CaseStatus
    reason: str = ""
    gaps: str = ""
    gaps_due: dt.date | None = None


@transaction.atomic
def case_decide(
    *, case: Case, staff: User, decision: Decision, now: dt.datetime | None = None
) -> CaseDecision:
    """办结: approved, approved with tolerated gaps (容缺), or denied with its reason."""
    now = now or timezone.now()
    _require_processor(staff, case, own_department=True)
    reason, gaps = decision.reason.strip(), decision.gaps.strip()
    if decision.outcome not in CONCLUDED:
        raise ValidationError({"outcome": _("Decide approved, approved with gaps, or denied.")})
    if decision.outcome == CaseStatus.CONCLUDED_DENIED and not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the denial: the applicant receives it.")}
        )
    if decision.outcome == CaseStatus.CONCLUDED_WITH_GAPS:
        if not gaps or decision.gaps_due is None:
            raise ValidationError(
                {"gaps": _("Say what must still be handed in, and by which day.")}
            )
        if decision.gaps_due < timezone.localdate(now):
            raise ValidationError({"gaps_due": _("The day to hand in the rest has passed.")})
    pending = [s.name for s in case.stages.exclude(status=StageStatus.DONE).order_by("step", "pk")]
    if pending:
        raise CaseConflictError(
            _("Stages not done yet: %(names)s. Decide once every stage is done.")
            % {"names": ", ".join(pending)}
        )
    note = reason or gaps
    if decision.outcome == CaseStatus.CONCLUDED_WITH_GAPS:
        note = _("To hand in by %(due)s: %(gaps)s") % {"due": decision.gaps_due, "gaps": gaps}
    _transition(
        case,
        decision.outcome,
        allowed=IN_PROCESS,
        actor=staff,
        now=now,
        note=note[:2000],
        tell=note[:200],
        concluded_at=now,
    )
    record = CaseDecision.objects.create(
        case=case,
        outcome=decision.outcome,
        reason=reason[:2000],
        gaps=gaps[:2000],
        gaps_due=decision.gaps_due if gaps else None,
        decided_by=staff,
        decided_at=now,
    )
    if decision.outcome != CaseStatus.CONCLUDED_DENIED:
        _certificate_issue(case, now=now)
    return record


@transaction.atomic
def case_deliver(
    *,
    case: Case,
    staff: User,
    method: str,
    tracking_number: str = "",
    counter: Counter | None = None,
    now: dt.datetime | None = None,
) -> CaseDecision:
    """送达: the decision handed over at a counter, mailed (tracking number) or sent online."""
    now = now or timezone.now()
    if not staff_may_act(staff, case):
        raise PermissionDenied(_("You may not deliver this case's decision."))
    tracking_number = tracking_number.strip()
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("Deliver at a counter, by mail or electronically.")})
    if method == DeliveryMethod.MAIL and not tracking_number:
        raise ValidationError({"tracking_number": _("Give the mail's tracking number.")})
    if counter is not None and counter.center_id != case.center_id:
        raise ValidationError({"counter": _("That counter is in another center.")})
    decision = CaseDecision.objects.filter(case=case).first()
    if decision is None:
        raise CaseConflictError(_("The case has no decision to deliver yet."))
    _hold(case, CONCLUDED)
    if (
        CaseDecision.objects.filter(pk=decision.pk, delivered_at__isnull=True).update(
            delivery_method=method,
            tracking_number=tracking_number[:40],
            delivery_counter=counter if method == DeliveryMethod.COUNTER else None,
            delivered_at=now,
            delivered_by=staff,
        )
        != 1
    ):
        raise CaseConflictError(_("The decision has already been delivered."))
    decision.refresh_from_db()
    text = _("Delivered: %(method)s") % {"method": DeliveryMethod(method).label}
    if tracking_number:
        text += f" ({tracking_number})"
    _note(case, text, actor=staff, now=now)
    _notify(case, f"{case.number}: {text}")
    return decision


# The states in which a fee may be recorded: from acceptance on, through conclusion.
FEE_STATES = (*OPEN_AFTER_ACCEPTANCE, *CONCLUDED)
FEE_MAX = Decimal("99999999.99")


@transaction.atomic
def case_fee_charge(
    *,
    case: Case,
    staff: User,
    amount: Decimal,
    fee: Fee | None = None,
    name: str = "",
    receipt_number: str = "",
    note: str = "",
    free_item_confirmed: bool = False,
    now: dt.datetime | None = None,
) -> CaseFee:
    """收费: record a fee the applicant paid on the case, under one of the item's catalog fees.

    On an item the catalog lists as free there is no fee to charge under: the charge is still
    recorded (money taken is a fact, and hiding it would help no one), once the clerk confirms
    it and says what it was for; supervision's rule `fee_on_free_item` takes it up.
    """
    now = now or timezone.now()
    if not staff_may_act(staff, case):
        raise PermissionDenied(_("You may not record fees on this case."))
    item = case.item
    name, note, receipt_number = name.strip(), note.strip(), receipt_number.strip()
    if not amount.is_finite() or amount <= 0 or amount > FEE_MAX:
        raise ValidationError({"amount": _("Give the amount in yuan, more than 0.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Give the amount in yuan and fen (two decimals).")})
    if fee is not None and fee.item_id != item.pk:
        raise ValidationError({"fee": _("That fee is not one of this item's fees.")})
    if item.is_free:
        if not free_item_confirmed:
            raise ValidationError(
                {
                    "free_item_confirmed": _(
                        "%(item)s is free of charge: a fee on it is recorded as a violation. "
                        "Confirm that the fee was charged to record it."
                    )
                    % {"item": item.name}
                }
            )
        if not (name or note):
            raise ValidationError({"note": _("Say what the fee on a free item was charged for.")})
    elif fee is None:
        raise ValidationError({"fee": _("Choose the catalog fee the amount is charged under.")})
    _hold(case, FEE_STATES)
    charge = CaseFee(
        case=case,
        fee=fee,
        name=(fee.name if fee is not None else name)[:100],
        basis=fee.basis if fee is not None else "",
        amount=amount,
        item_free=item.is_free,
        receipt_number=receipt_number[:40],
        note=note[:2000],
        charged_by=staff,
        charged_at=now,
    )
    charge.full_clean()
    charge.save()
    _note(
        case,
        _("Fee charged: %(name)s, %(amount)s yuan") % {"name": charge.name, "amount": amount},
        actor=staff,
        now=now,
    )
    audit_record(
        action="case.fee_charged",
        actor=staff,
        target_type="case",
        target_id=case.number,
        center_id=case.center_id,
        data={
            "fee": charge.pk,
            "catalog_fee": fee.pk if fee is not None else None,
            "amount": str(amount),
            "item_free": item.is_free,
        },
    )
    return charge


# --- certificates and automatic approval (秒批) ------------------------------------------------


def _certificate_issue(case: Case, *, now: dt.datetime) -> CaseCertificate | None:
    """The certificate record of an approved case, for items that issue one."""
    item = case.item
    if not item.certificate_name:
        return None
    issued = timezone.localdate(now)
    years = item.certificate_valid_years
    certificate = CaseCertificate.objects.create(
        case=case,
        number=f"{item.department.uscc}-{case.number}",
        name=item.certificate_name,
        holder_name=case.applicant_name,
        holder_identifier=case.identifier,
        issuer=item.department,
        issued_on=issued,
        valid_until=years_later(issued, years) - dt.timedelta(days=1) if years else None,
    )
    certificate_issued_on_commit(certificate.pk)
    _note(
        case,
        _("%(certificate)s no. %(number)s issued.")
        % {"certificate": certificate.name, "number": certificate.number},
        actor=None,
        now=now,
    )
    return certificate


def _field_label(item: ServiceItem, key: str) -> str:
    field = next((field for field in item.fields.all() if field.key == key), None)
    return field.label if field is not None else key


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is no number


def _rule_check(case: Case, rule: AutoRule, today: dt.date) -> tuple[str, bool, str]:
    """A rule's description, whether it holds for the case, and what was found."""
    kind = AutoRule.Kind
    label = _field_label(case.item, rule.field_key)
    value = case.form_data.get(rule.field_key)
    given = _("Given: %(value)s") % {"value": "—" if value in (None, "") else value}
    if rule.kind == kind.CERTIFICATE:
        text = _("Holds a valid %(name)s") % {"name": rule.certificate_name}
        held = certificate_valid_for(
            identifier=case.identifier, name=rule.certificate_name, today=today
        )
        if held is None:
            return text, False, _("No valid certificate of the applicant's ID was found.")
        until = held.valid_until.isoformat() if held.valid_until else _("no expiry")
        return (
            text,
            True,
            _("No. %(number)s, valid until %(until)s")
            % {
                "number": held.number,
                "until": until,
            },
        )
    if rule.kind == kind.NUMBER:
        low = "−∞" if rule.minimum is None else f"{rule.minimum.normalize():f}"
        high = "∞" if rule.maximum is None else f"{rule.maximum.normalize():f}"
        text = _("%(field)s between %(low)s and %(high)s") % {
            "field": label,
            "low": low,
            "high": high,
        }
        number = _number(value)
        held_ok = (
            number is not None
            and (rule.minimum is None or number >= float(rule.minimum))
            and (rule.maximum is None or number <= float(rule.maximum))
        )
        return text, held_ok, given
    if rule.kind == kind.CHOICE:
        text = _("%(field)s is one of %(values)s") % {
            "field": label,
            "values": "、".join(rule.value_list()),
        }
        return text, str(value) in rule.value_list(), given
    if rule.kind == kind.PAST_DATE:
        text = _("%(field)s is not in the future") % {"field": label}
        try:
            day = parse_date(str(value))
        except ValueError:
            day = None
        return text, day is not None and day <= today, given
    kinds = [
        str(ApplicantKind(name).label) for name in rule.value_list() if name in ApplicantKind.values
    ]
    text = _("The applicant is: %(kinds)s") % {"kinds": "、".join(kinds)}
    given = _("Given: %(value)s") % {"value": ApplicantKind(case.applicant_kind).label}
    return text, case.applicant_kind in rule.value_list(), given


def case_auto_decide(*, case: Case, now: dt.datetime | None = None) -> bool:
    """秒批: check every automatic approval rule of the item on a new online application.

    Each rule checked is recorded with its outcome. When all hold, the case is accepted and
    concluded approved by the system (no actor) and its decision delivered electronically;
    otherwise it goes to the clerks' pre-review, which shows the rules that failed. Whether the
    case was concluded.
    """
    now = now or timezone.now()
    item = case.item
    if not item.auto_approval or case.channel != Channel.ONLINE:
        return False
    if case.status != CaseStatus.RECEIVED:
        return False
    # A transaction only for the items that may be approved automatically: on SQLite every
    # transaction here waits for the one writer's lock, even one that writes nothing.
    with transaction.atomic():
        return _auto_decide(case, item=item, now=now)


def _auto_decide(case: Case, *, item: ServiceItem, now: dt.datetime) -> bool:
    """The rules checked and recorded; the case concluded when all hold."""
    if case.person_requested:
        _note(
            case,
            _("The applicant asked for a person to handle the case: no automatic approval."),
            actor=None,
            now=now,
        )
        return False
    rules = list(item.auto_rules.order_by("position", "pk"))
    if not rules:
        return False
    today = timezone.localdate(now)
    checks = [
        CaseRuleCheck(
            case=case,
            position=position,
            rule=text[:300],
            passed=passed,
            detail=detail[:300],
            checked_at=now,
        )
        for position, (text, passed, detail) in enumerate(
            (_rule_check(case, rule, today) for rule in rules), start=1
        )
    ]
    CaseRuleCheck.objects.bulk_create(checks)
    failed = [check.rule for check in checks if not check.passed]
    if failed:
        _note(
            case,
            _("Automatic approval not possible, for a clerk to review: %(rules)s.")
            % {"rules": "; ".join(failed)},
            actor=None,
            now=now,
        )
        return False
    note = _("Approved automatically (秒批): %(count)s rules held.") % {"count": len(checks)}
    _accept_and_conclude(case, actor=None, now=now, note=note)
    CaseDecision.objects.create(
        case=case,
        outcome=CaseStatus.CONCLUDED_APPROVED,
        reason=note,
        decided_by=None,
        decided_at=now,
        delivery_method=DeliveryMethod.ELECTRONIC,
        delivered_at=now,
    )
    return True


# --- bundles (一件事一次办) ------------------------------------------------------------------


def _material_share(material: CaseMaterial, *, case: Case, spec: MaterialSpec) -> CaseMaterial:
    """The same stored file attached to another case of the bundle: uploaded once."""
    return CaseMaterial.objects.create(
        case=case,
        spec=spec,
        file=material.file.name,
        sha256=material.sha256,
        size=material.size,
        content_type=material.content_type,
        original_name=material.original_name,
        uploaded_at=material.uploaded_at,
        uploaded_by=material.uploaded_by,
    )


def _bundle_check(bundle: Bundle, form: BundleForm) -> None:
    if not bundle.published or not form.items:
        raise ValidationError(_("This bundle cannot be applied for."))
    closed = [
        item.name
        for item in form.items
        if item.status != ServiceItem.Status.PUBLISHED
        or item.online_level < ServiceItem.OnlineLevel.PRE_REVIEW
    ]
    if closed:
        raise ValidationError(
            _("These items of the bundle cannot be applied for online now: %(names)s.")
            % {"names": "、".join(closed)}
        )


@transaction.atomic
def bundle_submit(
    *,
    user: User,
    bundle: Bundle,
    applicant: Applicant,
    form_data: dict[str, Any],
    idempotency_key: str,
    uploads: dict[str, list[UploadedFile]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[BundleApplication, bool]:
    """一件事: one form and one set of documents make one linked case per item of the bundle.

    `form_data` holds the union of the items' fields; each case keeps its item's. `uploads` maps
    a document's key (`BundleMaterial.key`) to its files: each file is checked and stored once
    and attached to every case whose item asks for that document. The same key again returns
    the same application (created False). Items with automatic approval (秒批) are checked.
    """
    now = now or timezone.now()
    key = idempotency_key.strip()[:100]
    if not key:
        raise ValidationError(_("The request needs an idempotency key."))
    existing = BundleApplication.objects.filter(applicant_user=user, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    form = bundle_form(bundle)
    _bundle_check(bundle, form)
    cleaned: dict[int, tuple[Applicant, dict[str, Any]]] = {}
    errors: dict[str, list[str]] = {}
    for item in form.items:
        keys = {field.key for field in item.fields.all()}
        try:
            cleaned_applicant = clean_applicant(item=item, applicant=applicant)
            data = clean_form_data(
                item=item, data={k: v for k, v in form_data.items() if k in keys}
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    text = f"{item.name}: {message}" if field == "applicant_kind" else message
                    if text not in errors.setdefault(field, []):
                        errors[field].append(text)
            continue
        cleaned[item.pk] = (cleaned_applicant, data)
    unknown = sorted(set(form_data) - {field.key for field in form.fields})
    if unknown:
        errors.setdefault("fields", []).append(
            _("This bundle's form has no field %(keys)s.") % {"keys": ", ".join(unknown)[:200]}
        )
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(now)
    first_applicant = next(iter(cleaned.values()))[0]
    try:
        with transaction.atomic():
            application = BundleApplication.objects.create(
                center_id=bundle.center_id,
                bundle=bundle,
                number="YJ" + case_number_next(day)[2:],
                applicant_user=user,
                applicant_name=first_applicant.name,
                submitted_at=now,
                idempotency_key=key,
            )
    except IntegrityError:
        # The same submission won a race in another request: answer with its application.
        return BundleApplication.objects.get(applicant_user=user, idempotency_key=key), False
    cases: dict[int, Case] = {}
    for item in form.items:
        item_applicant, data = cleaned[item.pk]
        cases[item.pk] = _create_case(
            item=item,
            applicant=item_applicant,
            form_data=data,
            channel=Channel.ONLINE,
            now=now,
            actor=user,
            applicant_user=user,
            bundle_application=application,
        )
    for document in form.materials:
        for upload in (uploads or {}).get(document.key, []):
            first, *others = document.specs
            stored = material_upload(
                case=cases[first.item_id], user=user, upload=upload, spec=first, now=now
            )
            for spec in others:
                _material_share(stored, case=cases[spec.item_id], spec=spec)
    for case in cases.values():
        case_auto_decide(case=case, now=now)
    return application, True
