"""Writes of work orders: receipt from every channel, the lifecycle from dispatch to the
complainant's rating, the reveal of a complainant's identity, reminders and late notices."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import message_send
from audit.services import audit_record
from cases.models import Case
from catalog.models import Center, Counter, Department, StaffProfile
from govhall.db import day_counter_next
from govhall.errors import ConflictError
from govhall.identifiers import clean_resident_id
from hall.sms import send_sms
from supervision.services import notice_issue_automatic
from workdays.calendar import add_working_days, working_day_with_days_left
from workdays.selectors import calendar_current
from workorders.models import (
    CONCLUDED_STATES,
    DEFAULT_DAYS,
    OPEN_STATES,
    Channel,
    ComplaintFinding,
    Kind,
    Satisfaction,
    State,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderNumberCounter,
    WorkOrderPolicy,
)
from workorders.selectors import Complainant, WorkOrderScope, work_order_scope

CONTENT_LIMIT = 4000
NOTE_LIMIT = 2000
# Follow-up codes avoid the characters people misread (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Working days a department has to answer the supervision notice a late work order brings.
LATE_NOTICE_DAYS = 2


# --- numbers, deadlines and people --------------------------------------------------------------


def work_order_number_next(day: dt.date) -> str:
    """GDyyyymmdd-nnnnnn, numbered like the cases (GH…): the day's counter row stays locked
    until the transaction ends, so concurrent receipts wait their turn."""
    return f"GD{day:%Y%m%d}-{day_counter_next(WorkOrderNumberCounter, day):06d}"


def work_order_days(*, center_id: int, kind: str) -> int:
    """The working days an order of this kind has in this center: its policy, or the default."""
    policy = WorkOrderPolicy.objects.filter(center_id=center_id).first()
    return policy.days_for(kind) if policy is not None else DEFAULT_DAYS[Kind(kind)]


def _staff_with(center_id: int, roles: tuple[Role, ...], department_id: int | None) -> list[User]:
    profiles = StaffProfile.objects.filter(
        center_id=center_id, user__is_active=True, user__groups__name__in=[r.value for r in roles]
    )
    if department_id is not None:
        profiles = profiles.filter(department_id=department_id)
    return list(User.objects.filter(staff_profile__in=profiles).distinct().order_by("pk"))


def dispatchers_of(center_id: int) -> list[User]:
    return _staff_with(center_id, (Role.HALL_MANAGER,), None)


def handlers_of(department: Department) -> list[User]:
    return _staff_with(
        department.center_id, (Role.DEPARTMENT_HEAD, Role.REVIEWER), department_id=department.pk
    )


def _tell(
    people: list[User], *, order: WorkOrder, subject: str, kind: str, skip: User | None
) -> None:
    link = reverse("workorders:detail", args=[order.number])
    for person in people:
        if skip is None or person.pk != skip.pk:
            message_send(user=person, subject=subject, link=link, kind=kind)


def _scope_of(actor: User, order: WorkOrder) -> WorkOrderScope:
    scope = work_order_scope(actor)
    if scope is None or scope.center_id != order.center_id:
        raise Http404(
            _("There is no work order %(number)s among yours.") % {"number": order.number}
        )
    return scope


def _require_dispatcher(actor: User, order: WorkOrder) -> None:
    if not _scope_of(actor, order).dispatches:
        raise PermissionDenied(_("Only the hall manager's office does this with a work order."))


def _require_handler(actor: User, order: WorkOrder) -> None:
    if not _scope_of(actor, order).handles(order):
        raise PermissionDenied(
            _("Only the department the work order is dispatched to does this with it.")
        )


# --- receipt ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkOrderInput:
    """A work order as a channel brings it in; the links are already looked up by the caller."""

    kind: str
    channel: str
    content: str
    anonymous: bool = False
    name: str = ""
    mobile: str = ""
    id_number: str = ""
    hotline_id: str = ""
    case: Case | None = None
    counter: Counter | None = None
    staff: User | None = None


def _clean_mobile(value: str) -> str:
    mobile = value.strip().replace(" ", "").replace("-", "")
    if mobile and not (mobile.isdigit() and 7 <= len(mobile) <= 20):
        raise ValidationError(_("Give a phone number of digits only, such as 13800000000."))
    return mobile


def work_order_input_clean(*, center: Center, given: WorkOrderInput) -> WorkOrderInput:
    """The input with its text normalised, or a ValidationError naming each wrong field."""
    errors: dict[str, str] = {}
    if given.kind not in Kind.values:
        errors["kind"] = _("Choose consultation, request for help, complaint or suggestion.")
    if given.channel not in Channel.values:
        errors["channel"] = _("There is no such channel.")
    content = given.content.strip()
    if not content:
        errors["content"] = _("Say what the work order is about.")
    elif len(content) > CONTENT_LIMIT:
        errors["content"] = _("Keep the content under %(limit)s characters.") % {
            "limit": CONTENT_LIMIT
        }
    name = " ".join(given.name.split())
    if len(name) > 60:
        errors["name"] = _("Keep the name under 60 characters.")
    try:
        mobile = _clean_mobile(given.mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages[0]
        mobile = ""
    id_number = ""
    if given.id_number.strip():
        try:
            id_number = clean_resident_id(given.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    anonymous = given.anonymous
    if anonymous and (name or mobile or id_number):
        errors["anonymous"] = _("An anonymous work order carries no name, phone or ID number.")
    if not anonymous and not name:
        errors["name"] = _("Give the complainant's name, or mark the work order anonymous.")
    hotline_id = given.hotline_id.strip()
    if given.channel == Channel.HOTLINE and not hotline_id:
        errors["hotline_id"] = _("A 12345 work order needs the number the hotline gave it.")
    elif len(hotline_id) > 40:
        errors["hotline_id"] = _("A 12345 order number has at most 40 characters.")
    if given.case is not None and given.case.center_id != center.pk:
        errors["case"] = _("That case belongs to another center.")
    if given.counter is not None and given.counter.center_id != center.pk:
        errors["counter"] = _("That counter belongs to another center.")
    if (
        given.staff is not None
        and not StaffProfile.objects.filter(user=given.staff, center=center).exists()
    ):
        errors["staff"] = _("That person is not on the staff of this center.")
    if errors:
        raise ValidationError(errors)
    return WorkOrderInput(
        kind=given.kind,
        channel=given.channel,
        content=content,
        anonymous=anonymous,
        name=name,
        mobile=mobile,
        id_number=id_number,
        hotline_id=hotline_id,
        case=given.case,
        counter=given.counter,
        staff=given.staff,
    )


@dataclass(frozen=True)
class Received:
    """The new order and, for an online complainant, the follow-up code shown once."""

    work_order: WorkOrder
    code: str
    created: bool = True


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def _create(
    *,
    center: Center,
    given: WorkOrderInput,
    actor: User | None,
    complainant: User | None,
    now: dt.datetime,
    code: str,
) -> WorkOrder:
    today = timezone.localdate(now)
    calendar = calendar_current()
    due = add_working_days(calendar, today, work_order_days(center_id=center.pk, kind=given.kind))
    order = WorkOrder(
        number=work_order_number_next(today),
        center=center,
        kind=given.kind,
        channel=given.channel,
        hotline_id=given.hotline_id,
        content=given.content,
        anonymous=given.anonymous,
        complainant_name=given.name,
        complainant_mobile=given.mobile,
        complainant_id_number=given.id_number,
        complainant_user=complainant,
        follow_code_hash=make_password(code) if code else "",
        case=given.case,
        counter=given.counter,
        staff=given.staff,
        received_at=now,
        received_on=today,
        received_by=actor,
        due=due,
        remind_on=max(today, working_day_with_days_left(calendar, due, 1)),
    )
    order.full_clean(
        exclude=["center", "complainant_user", "case", "counter", "staff", "received_by"],
        validate_constraints=False,
    )
    order.save()
    WorkOrderEvent.objects.create(work_order=order, to_state=State.RECEIVED, actor=actor, at=now)
    audit_record(
        action="work_order.receive",
        actor=actor,
        target_type="work_order",
        target_id=order.number,
        center_id=center.pk,
        data={"kind": order.kind, "channel": order.channel, "hotline_id": order.hotline_id},
    )
    return order


@transaction.atomic
def work_order_receive(
    *,
    center: Center,
    given: WorkOrderInput,
    actor: User | None,
    complainant: User | None = None,
    now: dt.datetime | None = None,
) -> Received:
    """受理: take in a work order from any channel.

    A staff member entering an order must be the center's dispatcher; an online order has no
    actor and its complainant gets a follow-up code. A 12345 order already taken in (same
    platform number) is returned as it is, so a repeated import or API call is harmless.
    """
    now = now or timezone.now()
    if actor is not None:
        scope = work_order_scope(actor)
        if scope is None or scope.center_id != center.pk or not scope.dispatches:
            raise PermissionDenied(_("Only the hall manager's office takes in work orders."))
    elif given.channel != Channel.ONLINE:
        raise PermissionDenied(_("Only the online form takes in work orders without staff."))
    given = work_order_input_clean(center=center, given=given)
    if given.hotline_id:
        existing = WorkOrder.objects.filter(center=center, hotline_id=given.hotline_id).first()
        if existing is not None:
            return Received(work_order=existing, code="", created=False)
    code = _code_new() if given.channel == Channel.ONLINE else ""
    try:
        # A savepoint: the same 12345 order sent twice at once must fail alone.
        with transaction.atomic():
            order = _create(
                center=center,
                given=given,
                actor=actor,
                complainant=complainant,
                now=now,
                code=code,
            )
    except IntegrityError:
        existing = WorkOrder.objects.filter(center=center, hotline_id=given.hotline_id).first()
        if existing is None:
            raise
        return Received(work_order=existing, code="", created=False)
    if actor is None:
        _tell(
            dispatchers_of(center.pk),
            order=order,
            subject=_("New work order %(number)s (%(kind)s) awaits dispatch.")
            % {"number": order.number, "kind": order.get_kind_display()},
            kind="work_order.received",
            skip=None,
        )
    return Received(work_order=order, code=code)


# --- the lifecycle ------------------------------------------------------------------------------


def _note(note: str, *, required: str = "") -> str:
    note = note.strip()
    if required and not note:
        raise ValidationError({"note": required})
    if len(note) > NOTE_LIMIT:
        raise ValidationError(
            {"note": _("Keep the note under %(limit)s characters.") % {"limit": NOTE_LIMIT}}
        )
    return note


def _move(
    order: WorkOrder,
    *,
    old: tuple[State, ...],
    new: State,
    actor: User,
    note: str = "",
    department: Department | None = None,
    now: dt.datetime,
    **changes: object,
) -> WorkOrder:
    """The guarded transition: the update holds only if the order is still in an old state."""
    moved = WorkOrder.objects.filter(pk=order.pk, state__in=old).update(state=new, **changes)
    if moved != 1:
        raise ConflictError(_("This work order is no longer at that step: reload the page."))
    from_state = order.state
    order.refresh_from_db()
    WorkOrderEvent.objects.create(
        work_order=order,
        from_state=from_state,
        to_state=new,
        actor=actor,
        department=department or order.department,
        at=now,
        note=note,
    )
    audit_record(
        action=f"work_order.{new}",
        actor=actor,
        target_type="work_order",
        target_id=order.number,
        center_id=order.center_id,
        data={"from": from_state, "to": new, "department": order.department_id},
    )
    return order


@transaction.atomic
def work_order_dispatch(
    *,
    work_order: WorkOrder,
    actor: User,
    department: Department,
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """派单: the dispatcher sends a new or sent-back order to the department that must act."""
    now = now or timezone.now()
    _require_dispatcher(actor, work_order)
    if department.center_id != work_order.center_id:
        raise ValidationError({"department": _("That department belongs to another center.")})
    order = _move(
        work_order,
        old=(State.RECEIVED, State.RETURNED),
        new=State.DISPATCHED,
        actor=actor,
        note=_note(note),
        department=department,
        now=now,
        department_id=department.pk,
    )
    _tell(
        handlers_of(department),
        order=order,
        subject=_(
            "Work order %(number)s is dispatched to your department: sign for it; due %(due)s."
        )
        % {"number": order.number, "due": order.due.isoformat()},
        kind="work_order.dispatched",
        skip=actor,
    )
    return order


@transaction.atomic
def work_order_return(
    *, work_order: WorkOrder, actor: User, reason: str, now: dt.datetime | None = None
) -> WorkOrder:
    """退单: a department sends a misdirected order back to the dispatcher, saying why."""
    now = now or timezone.now()
    _require_handler(actor, work_order)
    department = work_order.department
    order = _move(
        work_order,
        old=(State.DISPATCHED, State.SIGNED),
        new=State.RETURNED,
        actor=actor,
        note=_note(reason, required=_("Say why the work order is not your department's.")),
        department=department,
        now=now,
        department_id=None,
    )
    _tell(
        dispatchers_of(order.center_id),
        order=order,
        subject=_("Work order %(number)s was sent back by %(department)s: dispatch it again.")
        % {"number": order.number, "department": department.name if department else ""},
        kind="work_order.returned",
        skip=actor,
    )
    return order


@transaction.atomic
def work_order_sign(
    *, work_order: WorkOrder, actor: User, now: dt.datetime | None = None
) -> WorkOrder:
    """签收: the department takes the order on."""
    _require_handler(actor, work_order)
    return _move(
        work_order,
        old=(State.DISPATCHED,),
        new=State.SIGNED,
        actor=actor,
        now=now or timezone.now(),
    )


@transaction.atomic
def work_order_handle(
    *, work_order: WorkOrder, actor: User, note: str = "", now: dt.datetime | None = None
) -> WorkOrder:
    """办理: the department starts working on it."""
    _require_handler(actor, work_order)
    return _move(
        work_order,
        old=(State.SIGNED,),
        new=State.HANDLING,
        actor=actor,
        note=_note(note),
        now=now or timezone.now(),
    )


@transaction.atomic
def work_order_reply(
    *, work_order: WorkOrder, actor: User, reply: str, now: dt.datetime | None = None
) -> WorkOrder:
    """回复: the department's answer, which the complainant reads on the follow-up page."""
    now = now or timezone.now()
    _require_handler(actor, work_order)
    text = reply.strip()
    if not text:
        raise ValidationError({"reply": _("Write the reply to the complainant.")})
    if len(text) > CONTENT_LIMIT:
        raise ValidationError(
            {"reply": _("Keep the reply under %(limit)s characters.") % {"limit": CONTENT_LIMIT}}
        )
    order = _move(
        work_order,
        old=(State.HANDLING,),
        new=State.REPLIED,
        actor=actor,
        now=now,
        reply=text,
        replied_at=now,
    )
    _tell(
        dispatchers_of(order.center_id),
        order=order,
        subject=_("Work order %(number)s has its reply: check it and conclude.")
        % {"number": order.number},
        kind="work_order.replied",
        skip=actor,
    )
    if order.complainant_user is not None:
        message_send(
            user=order.complainant_user,
            subject=_("Your work order %(number)s has a reply.") % {"number": order.number},
            link=reverse("workorders:follow"),
            kind="work_order.replied",
        )
    if order.complainant_mobile:
        sms = _("Your work order %(number)s has a reply: %(reply)s") % {
            "number": order.number,
            "reply": text[:200],
        }
        send_sms(mobile=order.complainant_mobile, text=sms)
    return order


def _finding_check(work_order: WorkOrder, finding: str) -> None:
    if work_order.kind != Kind.COMPLAINT:
        raise ValidationError({"finding": _("Only a complaint is found upheld or not.")})
    if finding not in ComplaintFinding.values:
        raise ValidationError(
            {"finding": _("Choose whether the complaint was upheld, partly upheld or not upheld.")}
        )


@transaction.atomic
def work_order_conclude(
    *,
    work_order: WorkOrder,
    actor: User,
    note: str = "",
    finding: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """办结: the dispatcher accepts the reply; on time if concluded by the due date. A complaint
    may get its finding (属实 / 部分属实 / 不属实) here, or later."""
    now = now or timezone.now()
    _require_dispatcher(actor, work_order)
    if finding:
        _finding_check(work_order, finding)
    order = _move(
        work_order,
        old=(State.REPLIED,),
        new=State.CONCLUDED,
        actor=actor,
        note=_note(note),
        now=now,
        concluded_at=now,
        concluded_on=timezone.localdate(now),
        finding=finding,
        finding_at=now if finding else None,
        finding_by=actor if finding else None,
    )
    if finding:
        _finding_audit(order, actor)
    return order


def _finding_audit(order: WorkOrder, actor: User) -> None:
    audit_record(
        action="work_order.finding",
        actor=actor,
        target_type="work_order",
        target_id=order.number,
        center_id=order.center_id,
        data={"finding": order.finding, "staff": order.staff_id, "counter": order.counter_id},
    )


@transaction.atomic
def work_order_finding_record(
    *, work_order: WorkOrder, actor: User, finding: str, now: dt.datetime | None = None
) -> WorkOrder:
    """The hall manager records whether a concluded complaint was upheld, once, if it was not
    recorded on conclusion; the assessment counts upheld and partly upheld ones."""
    now = now or timezone.now()
    _require_dispatcher(actor, work_order)
    _finding_check(work_order, finding)
    changed = WorkOrder.objects.filter(
        pk=work_order.pk, state__in=CONCLUDED_STATES, finding=""
    ).update(finding=finding, finding_at=now, finding_by=actor)
    if changed != 1:
        raise ConflictError(
            _("This complaint is not concluded, or its finding is recorded already.")
        )
    work_order.refresh_from_db()
    _finding_audit(work_order, actor)
    return work_order


@transaction.atomic
def work_order_visit(
    *, work_order: WorkOrder, actor: User, note: str, now: dt.datetime | None = None
) -> WorkOrder:
    """回访: the dispatcher calls the complainant back (or records why nobody could be)."""
    _require_dispatcher(actor, work_order)
    text = _note(note, required=_("Write down what the complainant said, or why no call was made."))
    return _move(
        work_order,
        old=(State.CONCLUDED,),
        new=State.VISITED,
        actor=actor,
        note=text,
        now=now or timezone.now(),
        visit_note=text,
    )


@transaction.atomic
def work_order_rate(
    *, work_order: WorkOrder, actor: User, satisfaction: int, now: dt.datetime | None = None
) -> WorkOrder:
    """评价: the complainant's satisfaction, as told on the call-back."""
    _require_dispatcher(actor, work_order)
    if satisfaction not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": _("Choose satisfied, basically satisfied or dissatisfied.")}
        )
    return _move(
        work_order,
        old=(State.VISITED,),
        new=State.RATED,
        actor=actor,
        note=str(Satisfaction(satisfaction).label),
        now=now or timezone.now(),
        satisfaction=satisfaction,
    )


# --- personal data and the public follow-up -----------------------------------------------------


def work_order_identity_reveal(*, work_order: WorkOrder, user: User, ip: str = "") -> Complainant:
    """The complainant's identity unmasked, for the order's handlers only; each read is logged
    (个人信息保护法), naming the order, never the data."""
    scope = work_order_scope(user)
    if scope is None or not scope.sees_identity(work_order):
        raise PermissionDenied(_("Only the handlers of this work order see who complained."))
    audit_record(
        action="personal_data.read",
        actor=user,
        target_type="work_order",
        target_id=work_order.number,
        center_id=work_order.center_id,
        ip=ip,
        data={"what": "complainant"},
    )
    return Complainant(
        anonymous=work_order.anonymous,
        name=work_order.complainant_name,
        mobile=work_order.complainant_mobile,
        id_number=work_order.complainant_id_number,
        masked=False,
    )


def work_order_follow(*, number: str, code: str) -> WorkOrder:
    """The order the number and its follow-up code open; a wrong code answers exactly as an
    unknown number does, so that neither can be probed."""
    order = (
        WorkOrder.objects.filter(number=number.strip().upper()).exclude(follow_code_hash="").first()
    )
    given = code.strip().upper().replace(" ", "")
    if order is None:
        # Hash anyway: an unknown number takes as long to refuse as a wrong code.
        make_password(given)
    elif check_password(given, order.follow_code_hash):
        return order
    raise Http404(_("No work order matches this number and code."))


# --- deadlines ----------------------------------------------------------------------------------


def _claim(order: WorkOrder, column: str, now: dt.datetime) -> bool:
    """Stamp the column if nobody has: the one worker whose update counts a row goes on."""
    stamped = WorkOrder.objects.filter(pk=order.pk, **{f"{column}__isnull": True}).update(
        **{column: now}
    )
    return stamped == 1


def work_orders_remind(*, now: dt.datetime | None = None) -> int:
    """The day before the due date, tell the department once (the claim is the update)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = WorkOrder.objects.filter(
        state__in=OPEN_STATES,
        department__isnull=False,
        reminded_at__isnull=True,
        remind_on__lte=today,
        due__gte=today,
    ).select_related("department")
    sent = 0
    for order in due:
        with transaction.atomic():
            if not _claim(order, "reminded_at", now):
                continue
            assert order.department is not None
            _tell(
                handlers_of(order.department),
                order=order,
                subject=_("Work order %(number)s is due %(due)s: reply before then.")
                % {"number": order.number, "due": order.due.isoformat()},
                kind="work_order.reminder",
                skip=None,
            )
            sent += 1
    return sent


def work_orders_late_notify(*, now: dt.datetime | None = None) -> int:
    """Past the due date, tell the department, the dispatcher and the supervisors once, and send
    the department a supervision notice (督办单) to answer; the violation itself is recorded by
    the supervision sweep (`workorders.rules`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    late = WorkOrder.objects.overdue(today).filter(late_notified_at__isnull=True)
    sent = 0
    for order in late.select_related("department"):
        with transaction.atomic():
            if not _claim(order, "late_notified_at", now):
                continue
            people = {u.pk: u for u in dispatchers_of(order.center_id)}
            people.update({u.pk: u for u in _staff_with(order.center_id, (Role.SUPERVISOR,), None)})
            if order.department is not None:
                people.update({u.pk: u for u in handlers_of(order.department)})
            _tell(
                list(people.values()),
                order=order,
                subject=_("Supervision: work order %(number)s was due %(due)s and is still open.")
                % {"number": order.number, "due": order.due.isoformat()},
                kind="work_order.late",
                skip=None,
            )
            if order.department is not None:
                notice_issue_automatic(
                    department=order.department,
                    subject=_("Work order %(number)s past its deadline") % {"number": order.number},
                    request=_(
                        "Work order %(number)s was due %(due)s and is still open. Reply to it, "
                        "and explain here why it is late."
                    )
                    % {"number": order.number, "due": order.due.isoformat()},
                    days=LATE_NOTICE_DAYS,
                    now=now,
                    case=order.case,
                )
            audit_record(
                action="work_order.late",
                target_type="work_order",
                target_id=order.number,
                center_id=order.center_id,
                data={"due": order.due, "department": order.department_id},
            )
            sent += 1
    return sent


@dataclass(frozen=True)
class SweepResult:
    reminders: int
    late: int


def work_orders_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    return SweepResult(reminders=work_orders_remind(now=now), late=work_orders_late_notify(now=now))
