"""Writes of bookings: slots, verification codes, appointments and their check-in, special services.

A slot's capacity is floor(counters serving the category × slot length ÷ average service time).
Booking the last places of a slot is serialised per queue category: on PostgreSQL the category's
row is locked (`SELECT … FOR UPDATE`), on SQLite the write transaction is taken at its start
(IMMEDIATE), so concurrent bookings never exceed the capacity.

Check-in is open on the booked day from `GOVHALL_CHECK_IN_EARLY_MINUTES` (default 60) before the
slot begins until `GOVHALL_CHECK_IN_LATE_MINUTES` (default 0) after it ends; a booking whose window
has closed without a check-in becomes a no-show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from catalog.models import Center, Counter, QueueCategory, ServiceItem
from govhall.identifiers import clean_resident_id
from hall.models import (
    Appointment,
    HallPolicy,
    PriorityGroup,
    SpecialServiceRequest,
    Ticket,
    VerificationCode,
)
from hall.services.tickets import HallConflictError, policy_for, ticket_issue
from hall.sms import send_sms
from workdays.calendar import is_working_day
from workdays.selectors import calendar_current

CODE_DIGITS = 6
CODE_VALID_MINUTES = 5
CODE_INTERVAL_SECONDS = 60
CODE_DAILY_LIMIT = 10
CODE_MAX_ATTEMPTS = 5
BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
BOOKING_CODE_LENGTH = 10

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A place counts as taken in these states; a cancelled one until its return delay has passed.
_TAKEN = (
    Appointment.Status.BOOKED,
    Appointment.Status.CHECKED_IN,
    Appointment.Status.NO_SHOW,
)


@dataclass(frozen=True)
class Slot:
    """One bookable period of a day; `available` is 0 once the slot has begun."""

    start: dt.time
    end: dt.time
    capacity: int
    booked: int
    available: int


def clean_mobile(value: str) -> str:
    """The 11-digit mainland mobile number, or ValidationError."""
    number = (value or "").strip().replace(" ", "").replace("-", "")
    if not _MOBILE.match(number):
        raise ValidationError(_("A mobile number has 11 digits and begins with 13 to 19."))
    return number


def check_in_early_minutes() -> int:
    return int(getattr(settings, "GOVHALL_CHECK_IN_EARLY_MINUTES", 60))


def check_in_late_minutes() -> int:
    return int(getattr(settings, "GOVHALL_CHECK_IN_LATE_MINUTES", 0))


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def slot_periods(policy: HallPolicy) -> list[tuple[dt.time, dt.time]]:
    """The (start, end) of every slot of a day from the policy's opening hours."""
    length = dt.timedelta(minutes=policy.slot_minutes)
    periods = []
    for opens, closes in (
        (policy.morning_opens, policy.morning_closes),
        (policy.afternoon_opens, policy.afternoon_closes),
    ):
        start = dt.datetime.combine(dt.date.min, opens)
        # Compared as moments of one day: a slot's end read as a time of day would wrap past
        # midnight and never pass a closing time near it.
        end = dt.datetime.combine(dt.date.min, closes)
        while length > dt.timedelta(0) and start + length <= end:
            periods.append((start.time(), (start + length).time()))
            start += length
    return periods


def slot_capacity(*, category: QueueCategory, policy: HallPolicy) -> int:
    """Places per slot: the counters serving the category × slot length ÷ average service time."""
    counters = Counter.objects.filter(categories=category).count()
    if counters == 0:
        return 0
    return max(1, counters * policy.slot_minutes // max(policy.average_service_minutes, 1))


def _taken(policy: HallPolicy, now: dt.datetime) -> Q:
    returned_before = now - dt.timedelta(minutes=policy.cancel_return_minutes)
    return Q(status__in=_TAKEN) | Q(
        status=Appointment.Status.CANCELLED, cancelled_at__gt=returned_before
    )


def _check_released(policy: HallPolicy, day: dt.date, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    if day < today:
        raise ValidationError(_("%(day)s has passed: choose a later day.") % {"day": day})
    last = today + dt.timedelta(days=policy.booking_days_ahead)
    if day > last:
        raise ValidationError(
            _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
            % {"days": policy.booking_days_ahead, "last": last}
        )


def slots_for(
    *, category: QueueCategory, day: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """The slots of a released day with their places; empty on a non-working day.

    Raises ValidationError for a day that has passed or is not yet released, or that the
    working-day calendar does not cover.
    """
    now = now or timezone.now()
    policy = policy_for(category.center)
    _check_released(policy, day, now)
    if not is_working_day(calendar_current(), day):
        return []
    capacity = slot_capacity(category=category, policy=policy)
    booked = dict(
        Appointment.objects.filter(category=category, day=day)
        .filter(_taken(policy, now))
        .values_list("slot_start")
        .annotate(places=Count("pk"))
    )
    slots = []
    for start, end in slot_periods(policy):
        taken = booked.get(start, 0)
        open_ = _at(day, start) > now
        available = max(capacity - taken, 0) if open_ else 0
        slots.append(
            Slot(start=start, end=end, capacity=capacity, booked=taken, available=available)
        )
    return slots


def _code_digest(mobile: str, code: str) -> str:
    message = f"{mobile}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def verification_code_send(
    *,
    mobile: str,
    purpose: str = VerificationCode.Purpose.BOOKING,
    now: dt.datetime | None = None,
) -> VerificationCode:
    """Send a 6-digit code valid for 5 minutes; one a minute and ten a day per mobile."""
    now = now or timezone.now()
    mobile = clean_mobile(mobile)
    sent = VerificationCode.objects.filter(mobile=mobile, purpose=purpose)
    if sent.filter(created_at__gt=now - dt.timedelta(seconds=CODE_INTERVAL_SECONDS)).exists():
        raise HallConflictError(
            _("A code was sent to this number less than a minute ago: wait before asking again.")
        )
    if sent.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= CODE_DAILY_LIMIT:
        raise HallConflictError(
            _("Too many codes were sent to this number today: please try again tomorrow.")
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    verification = VerificationCode.objects.create(
        mobile=mobile,
        code_hash=_code_digest(mobile, code),
        purpose=purpose,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_VALID_MINUTES),
    )
    text = _(
        "Your verification code is %(code)s, valid for %(minutes)s minutes. "
        "Do not tell it to anyone."
    ) % {"code": code, "minutes": CODE_VALID_MINUTES}
    send_sms(mobile=mobile, text=text)
    return verification


def verification_code_check(
    *,
    mobile: str,
    code: str,
    purpose: str = VerificationCode.Purpose.BOOKING,
    now: dt.datetime | None = None,
) -> VerificationCode:
    """The latest unused code sent to this mobile if `code` matches it; ValidationError otherwise.

    Not atomic on purpose: a wrong attempt is counted even when the caller's transaction fails.
    After five wrong attempts the code is dead. Mark the code used with `verification_code_use`
    in the transaction of the action it allows.
    """
    now = now or timezone.now()
    mobile = clean_mobile(mobile)
    latest = (
        VerificationCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.expires_at <= now:
        raise ValidationError(
            _("No valid verification code was sent to this number: ask for a new code.")
        )
    if latest.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(_("The code was entered wrongly too often: ask for a new code."))
    if not hmac.compare_digest(latest.code_hash, _code_digest(mobile, (code or "").strip())):
        counted = VerificationCode.objects.filter(
            pk=latest.pk, attempts__lt=CODE_MAX_ATTEMPTS
        ).update(attempts=F("attempts") + 1)
        left = max(CODE_MAX_ATTEMPTS - latest.attempts - counted, 0)
        raise ValidationError(
            _("The verification code is wrong: %(left)s attempts left.") % {"left": left}
        )
    return latest


def verification_code_use(
    *, verification: VerificationCode, now: dt.datetime | None = None
) -> None:
    """Mark a checked code as used, so it allows one action only."""
    now = now or timezone.now()
    if (
        VerificationCode.objects.filter(pk=verification.pk, used_at__isnull=True).update(
            used_at=now
        )
        != 1
    ):
        raise HallConflictError(_("This verification code was used already: ask for a new code."))


def _lock_category(category: QueueCategory) -> None:
    # Serialises the bookings of one queue: on SQLite the IMMEDIATE transaction already has.
    QueueCategory.objects.select_for_update().filter(pk=category.pk).exists()


def _suspended_until(policy: HallPolicy, id_number: str, today: dt.date) -> dt.date | None:
    """The end of a booking suspension: `no_show_limit` no-shows within the window suspend
    booking for `suspension_days` from the last of them."""
    if policy.no_show_limit == 0:
        return None
    days = list(
        Appointment.objects.filter(
            center=policy.center_id, id_number=id_number, status=Appointment.Status.NO_SHOW
        )
        .order_by("-day")
        .values_list("day", flat=True)[: policy.no_show_limit]
    )
    if len(days) < policy.no_show_limit:
        return None
    if (days[0] - days[-1]).days > policy.no_show_window_days:
        return None
    until = days[0] + dt.timedelta(days=policy.suspension_days)
    return until if today < until else None


def _check_slot(
    *,
    category: QueueCategory,
    policy: HallPolicy,
    day: dt.date,
    slot_start: dt.time,
    now: dt.datetime,
    moving: Appointment | None = None,
) -> None:
    """The slot exists, is still ahead and has a free place (the category is locked)."""
    _check_released(policy, day, now)
    if not is_working_day(calendar_current(), day):
        raise ValidationError(
            _("The hall is closed on %(day)s: choose a working day.") % {"day": day}
        )
    if slot_start not in {start for start, _end in slot_periods(policy)}:
        raise ValidationError(
            _("%(time)s is not the beginning of a slot: choose one of the listed slots.")
            % {"time": slot_start.strftime("%H:%M")}
        )
    if _at(day, slot_start) <= now:
        raise ValidationError(_("This slot has begun already: choose a later one."))
    taken = Appointment.objects.filter(category=category, day=day, slot_start=slot_start).filter(
        _taken(policy, now)
    )
    if moving is not None:
        taken = taken.exclude(pk=moving.pk)
    if taken.count() >= slot_capacity(category=category, policy=policy):
        raise HallConflictError(_("This slot is fully booked: please choose another."))


def _new_booking_code() -> str:
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _i in range(BOOKING_CODE_LENGTH))


def _booking_text(appointment: Appointment) -> str:
    return _(
        "Booked: %(category)s on %(day)s at %(time)s. Booking code %(code)s: check in at the hall "
        "up to %(minutes)s minutes before."
    ) % {
        "category": appointment.category.name,
        "day": appointment.day,
        "time": appointment.slot_start.strftime("%H:%M"),
        "code": appointment.code,
        "minutes": check_in_early_minutes(),
    }


@transaction.atomic
def appointment_book(
    *,
    category: QueueCategory,
    day: dt.date,
    slot_start: dt.time,
    id_number: str,
    name: str,
    mobile: str,
    item: ServiceItem | None = None,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a place in a slot for a person, within the anti-abuse rules of the center's policy."""
    now = now or timezone.now()
    id_number = clean_resident_id(id_number)
    mobile = clean_mobile(mobile)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the name of the person who will come."))
    if item is not None:
        if item.center_id != category.center_id:
            raise PermissionDenied(_("This service item belongs to another center."))
        if not item.appointment_allowed:
            raise ValidationError(_("This service cannot be booked: please come in person."))
    policy = policy_for(category.center)
    _lock_category(category)
    today = timezone.localdate(now)
    until = _suspended_until(policy, id_number, today)
    if until is not None:
        raise HallConflictError(
            _("Booking is suspended until %(day)s after repeated missed appointments.")
            % {"day": until}
        )
    active = Appointment.objects.filter(
        id_number=id_number, status=Appointment.Status.BOOKED, day__gte=today
    )
    if active.filter(category=category, day=day).exists():
        raise HallConflictError(_("This person has a booking for this queue on that day already."))
    if active.count() >= policy.max_active_bookings:
        raise HallConflictError(
            _("At most %(limit)s bookings may be open per ID number: cancel one first.")
            % {"limit": policy.max_active_bookings}
        )
    _check_slot(category=category, policy=policy, day=day, slot_start=slot_start, now=now)
    appointment = Appointment(
        center_id=category.center_id,
        category=category,
        item=item,
        day=day,
        slot_start=slot_start,
        id_number=id_number,
        name=name,
        mobile=mobile,
        user=user,
        code=_new_booking_code(),
        created_at=now,
    )
    appointment.full_clean(exclude=["code", "center", "category", "item", "user", "ticket"])
    appointment.save()
    send_sms(mobile=mobile, text=_booking_text(appointment))
    return appointment


def _check_not_over(appointment: Appointment, policy: HallPolicy, now: dt.datetime) -> None:
    ends = _at(appointment.day, appointment.slot_start) + dt.timedelta(minutes=policy.slot_minutes)
    if ends <= now:
        raise HallConflictError(_("The booked slot is over: it can no longer be changed."))


def _refresh(appointment: Appointment) -> Appointment:
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Give a booking up; its place returns to the pool after the policy's delay."""
    now = now or timezone.now()
    _check_not_over(appointment, policy_for(appointment.center), now)
    if (
        Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.BOOKED).update(
            status=Appointment.Status.CANCELLED, cancelled_at=now
        )
        != 1
    ):
        raise HallConflictError(_("Only an open booking can be cancelled."))
    return _refresh(appointment)


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    day: dt.date,
    slot_start: dt.time,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booking to another slot of its queue; it keeps its code. The old place is freed
    only if the new one is booked (one atomic update)."""
    now = now or timezone.now()
    policy = policy_for(appointment.center)
    _check_not_over(appointment, policy, now)
    if (day, slot_start) == (appointment.day, appointment.slot_start):
        raise HallConflictError(_("The booking is at that time already."))
    _lock_category(appointment.category)
    _check_slot(
        category=appointment.category,
        policy=policy,
        day=day,
        slot_start=slot_start,
        now=now,
        moving=appointment,
    )
    if (
        Appointment.objects.filter(
            pk=appointment.pk,
            status=Appointment.Status.BOOKED,
            day=appointment.day,
            slot_start=appointment.slot_start,
        ).update(day=day, slot_start=slot_start)
        != 1
    ):
        raise HallConflictError(_("The booking changed meanwhile: reload it."))
    appointment = _refresh(appointment)
    send_sms(mobile=appointment.mobile, text=_booking_text(appointment))
    return appointment


def appointment_by_code(code: str) -> Appointment:
    """The booking with this code (as typed, or read from its QR code); 404 otherwise."""
    normalised = (code or "").strip().upper()
    appointment = (
        Appointment.objects.select_related("center", "category", "item", "ticket")
        .filter(code=normalised)
        .first()
    )
    if appointment is None:
        raise Http404(_("There is no booking with the code %(code)s.") % {"code": normalised})
    return appointment


@transaction.atomic
def appointment_check_in(
    *,
    appointment: Appointment | None = None,
    code: str | None = None,
    center: Center | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Turn a booking into an appointment ticket, which is queued ahead of ordinary walk-ins.

    Open on the booked day from `check_in_early_minutes()` before the slot until
    `check_in_late_minutes()` after its end. `center` is the center of the kiosk or staff member
    checking in: a booking of another center is refused.
    """
    now = now or timezone.now()
    if appointment is None:
        if code is None:
            raise ValueError("check in an appointment or a code")
        appointment = appointment_by_code(code)
    if center is not None and appointment.center_id != center.pk:
        raise PermissionDenied(_("This booking is for another service center."))
    if appointment.status == Appointment.Status.CHECKED_IN:
        raise HallConflictError(_("This booking has been checked in already."))
    if appointment.status != Appointment.Status.BOOKED:
        raise HallConflictError(
            _("This booking is %(status)s: please take an ordinary ticket.")
            % {"status": appointment.get_status_display()}
        )
    policy = policy_for(appointment.center)
    starts = _at(appointment.day, appointment.slot_start)
    opens = starts - dt.timedelta(minutes=check_in_early_minutes())
    closes = starts + dt.timedelta(minutes=policy.slot_minutes + check_in_late_minutes())
    if now < opens:
        raise HallConflictError(
            _("Check-in opens at %(time)s on %(day)s.")
            % {"time": timezone.localtime(opens).strftime("%H:%M"), "day": appointment.day}
        )
    if now >= closes:
        raise HallConflictError(
            _("Check-in for this booking closed at %(time)s: please take an ordinary ticket.")
            % {"time": timezone.localtime(closes).strftime("%H:%M")}
        )
    if (
        Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.BOOKED).update(
            status=Appointment.Status.CHECKED_IN, checked_in_at=now
        )
        != 1
    ):
        raise HallConflictError(_("This booking has been checked in already."))
    ticket = ticket_issue(
        category=appointment.category,
        source=Ticket.Source.APPOINTMENT,
        item=appointment.item,
        mobile=appointment.mobile,
        now=now,
    )
    Appointment.objects.filter(pk=appointment.pk).update(ticket=ticket)
    return ticket


@transaction.atomic
def appointments_mark_no_shows(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """Mark the bookings of `day` and earlier days whose check-in window closed without a
    check-in as no-shows; returns how many. Running it again changes nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = Q(day__lt=min(day, today))
    if day >= today:
        local_now = timezone.localtime(now)
        centers = (
            Appointment.objects.filter(status=Appointment.Status.BOOKED, day=today)
            .values_list("center_id", flat=True)
            .distinct()
        )
        for center_id in centers:
            policy = HallPolicy.objects.filter(center_id=center_id).first()
            slot_minutes = policy.slot_minutes if policy else HallPolicy().slot_minutes
            cutoff = local_now - dt.timedelta(minutes=slot_minutes + check_in_late_minutes())
            if cutoff.date() == today:
                ended |= Q(center_id=center_id, day=today, slot_start__lte=cutoff.time())
    return Appointment.objects.filter(ended, status=Appointment.Status.BOOKED).update(
        status=Appointment.Status.NO_SHOW
    )


def may_manage_special_services(user: User, center: Center) -> bool:
    """Hall managers and administrators of the center (and superusers) handle its requests."""
    if user.is_superuser:
        return True
    profile = getattr(user, "staff_profile", None)
    if profile is None or profile.center_id != center.pk:
        return False
    return user.groups.filter(name__in=[Role.HALL_MANAGER, Role.ADMINISTRATOR]).exists()


def _check_manager(user: User, center: Center) -> None:
    if not may_manage_special_services(user, center):
        raise PermissionDenied(
            _("Only the hall managers and administrators of this center handle special services.")
        )


@transaction.atomic
def special_service_request(
    *,
    center: Center,
    kind: str,
    priority_group: str,
    name: str,
    id_number: str,
    mobile: str,
    requested_by: str = "",
    item: ServiceItem | None = None,
    address: str = "",
    preferred_day: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SpecialServiceRequest:
    """Ask for extended hours, a home visit or assisted handling for someone of a priority group."""
    now = now or timezone.now()
    if kind not in SpecialServiceRequest.Kind.values:
        raise ValidationError(_("Choose the kind of special service."))
    if not priority_group or priority_group not in PriorityGroup.values:
        raise ValidationError(
            _(
                "Special services are for the elderly, disabled, veterans and the other priority "
                "groups: choose the group."
            )
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the name of the person the service is for."))
    address = (address or "").strip()
    if kind == SpecialServiceRequest.Kind.HOME_VISIT and not address:
        raise ValidationError(_("Enter the address of the home visit."))
    if item is not None and item.center_id != center.pk:
        raise PermissionDenied(_("This service item belongs to another center."))
    if preferred_day is not None and preferred_day < timezone.localdate(now):
        raise ValidationError(_("The preferred day has passed: choose a later day."))
    request = SpecialServiceRequest(
        center=center,
        kind=kind,
        priority_group=priority_group,
        name=name,
        id_number=clean_resident_id(id_number),
        mobile=clean_mobile(mobile),
        requested_by=(requested_by or "").strip(),
        item=item,
        address=address,
        preferred_day=preferred_day,
        note=(note or "").strip(),
        created_at=now,
    )
    request.full_clean(exclude=["center", "item", "assigned_to"])
    request.save()
    return request


def _move_request(
    request: SpecialServiceRequest, old: tuple[str, ...], **changes: object
) -> SpecialServiceRequest:
    if SpecialServiceRequest.objects.filter(pk=request.pk, status__in=old).update(**changes) != 1:
        raise HallConflictError(
            _("Request #%(number)s is no longer open for that: reload the list.")
            % {"number": request.pk}
        )
    request.refresh_from_db()
    return request


@transaction.atomic
def special_service_assign(
    *,
    request: SpecialServiceRequest,
    staff: User,
    by: User,
    now: dt.datetime | None = None,
) -> SpecialServiceRequest:
    """Give the request to a member of the center's staff (again, to reassign it)."""
    _check_manager(by, request.center)
    profile = getattr(staff, "staff_profile", None)
    if profile is None or profile.center_id != request.center_id:
        raise PermissionDenied(_("Assign the request to staff of this center."))
    status = SpecialServiceRequest.Status
    return _move_request(
        request,
        (status.REQUESTED, status.ASSIGNED),
        status=status.ASSIGNED,
        assigned_to=staff,
        assigned_at=now or timezone.now(),
    )


@transaction.atomic
def special_service_complete(
    *,
    request: SpecialServiceRequest,
    outcome: str,
    by: User,
    now: dt.datetime | None = None,
) -> SpecialServiceRequest:
    """Record what was done; the assigned member of staff or a manager closes the request."""
    if by.pk != request.assigned_to_id:
        _check_manager(by, request.center)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError(_("Describe the outcome of the service."))
    status = SpecialServiceRequest.Status
    return _move_request(
        request,
        (status.ASSIGNED,),
        status=status.DONE,
        outcome=outcome,
        closed_at=now or timezone.now(),
    )


@transaction.atomic
def special_service_decline(
    *,
    request: SpecialServiceRequest,
    reason: str,
    by: User,
    now: dt.datetime | None = None,
) -> SpecialServiceRequest:
    """Refuse the request with the reason the applicant is told."""
    _check_manager(by, request.center)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for declining the request."))
    status = SpecialServiceRequest.Status
    return _move_request(
        request,
        (status.REQUESTED, status.ASSIGNED),
        status=status.DECLINED,
        outcome=reason,
        closed_at=now or timezone.now(),
    )
