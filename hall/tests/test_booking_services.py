"""Booking services: slots, the anti-abuse rules, verification codes, check-in and no-shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import ric

from hall.models import Appointment, HallPolicy, OutboxMessage, Ticket, VerificationCode
from hall.services import booking as services
from hall.services.tickets import HallConflictError, policy_for, ticket_issue
from hall.tests.factories import Floor, make_floor
from workdays.services import calendar_seed

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = dt.date(2026, 12, 1)
SATURDAY = dt.date(2026, 12, 5)
MORNING = dt.datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
NINE = dt.time(9, 0)
MOBILE = "13800138000"

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def resident_id(serial: int) -> str:
    body = f"11010519800101{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def floor(db: None) -> Floor:
    """Queues A and B served by two counters: 2 × 30 ÷ 10 = 6 places a slot."""
    calendar_seed(first_year=2026, last_year=2027)
    return make_floor(counters=2)


def book(floor: Floor, serial: int = 1, **changes: Any) -> Appointment:
    values: dict[str, Any] = {
        "category": floor.general,
        "day": TUESDAY,
        "slot_start": NINE,
        "id_number": resident_id(serial),
        "name": "张小三",
        "mobile": MOBILE,
        "now": MORNING,
    }
    values.update(changes)
    return services.appointment_book(**values)


def set_policy(floor: Floor, **fields: Any) -> HallPolicy:
    policy = policy_for(floor.center)
    HallPolicy.objects.filter(pk=policy.pk).update(**fields)
    policy.refresh_from_db()
    return policy


def test_slots_follow_the_opening_hours_and_the_counters_capacity(floor: Floor) -> None:
    slots = services.slots_for(category=floor.general, day=TUESDAY, now=MORNING)
    # 09:00–12:00 and 13:30–17:30 in half hours.
    assert len(slots) == 6 + 8
    assert (slots[0].start, slots[0].end) == (NINE, dt.time(9, 30))
    assert slots[6].start == dt.time(13, 30)
    assert {slot.capacity for slot in slots} == {6}
    assert slots[0].available == 6


def test_evening_hours_that_close_near_midnight_end_their_slots_there() -> None:
    # A slot read as a time of day wraps past midnight: 23:30 + 30 minutes is 00:00.
    policy = HallPolicy(
        morning_opens=dt.time(8, 0),
        morning_closes=dt.time(9, 0),
        afternoon_opens=dt.time(22, 30),
        afternoon_closes=dt.time(23, 45),
        slot_minutes=30,
    )
    assert services.slot_periods(policy) == [
        (dt.time(8, 0), dt.time(8, 30)),
        (dt.time(8, 30), dt.time(9, 0)),
        (dt.time(22, 30), dt.time(23, 0)),
        (dt.time(23, 0), dt.time(23, 30)),
    ]


def test_a_weekend_day_has_no_slots(floor: Floor) -> None:
    assert services.slots_for(category=floor.general, day=SATURDAY, now=MORNING) == []
    with pytest.raises(ValidationError, match="closed"):
        book(floor, day=SATURDAY)


def test_days_beyond_the_release_horizon_are_refused(floor: Floor) -> None:
    set_policy(floor, booking_days_ahead=7)
    services.slots_for(category=floor.general, day=TUESDAY + dt.timedelta(days=7), now=MORNING)
    with pytest.raises(ValidationError, match="7 days ahead"):
        services.slots_for(category=floor.general, day=TUESDAY + dt.timedelta(days=8), now=MORNING)
    with pytest.raises(ValidationError, match="7 days ahead"):
        book(floor, day=TUESDAY + dt.timedelta(days=8))


def test_slots_of_today_that_have_begun_cannot_be_booked(floor: Floor) -> None:
    ten_past_ten = MORNING.replace(hour=10, minute=10)
    slots = services.slots_for(category=floor.general, day=TUESDAY, now=ten_past_ten)
    assert [slot.available for slot in slots[:4]] == [0, 0, 0, 6]
    with pytest.raises(ValidationError, match="begun"):
        book(floor, slot_start=dt.time(10, 0), now=ten_past_ten)


def test_a_time_that_is_not_a_slot_is_refused(floor: Floor) -> None:
    with pytest.raises(ValidationError, match="not the beginning of a slot"):
        book(floor, slot_start=dt.time(9, 10))


def test_a_booking_takes_a_place_and_sends_its_code_by_sms(
    floor: Floor, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(floor)
    assert appointment.status == Appointment.Status.BOOKED
    assert re.fullmatch(r"[A-Z2-9]{10}", appointment.code)
    slots = services.slots_for(category=floor.general, day=TUESDAY, now=MORNING)
    assert (slots[0].booked, slots[0].available) == (1, 5)
    assert appointment.code in OutboxMessage.objects.get(mobile=MOBILE).text


def test_a_full_slot_refuses_the_next_booking(floor: Floor) -> None:
    set_policy(floor, average_service_minutes=30)  # 2 counters × 30 ÷ 30 = 2 places
    book(floor, 1)
    book(floor, 2)
    with pytest.raises(HallConflictError, match="fully booked"):
        book(floor, 3)


def test_one_id_number_may_hold_only_the_policys_number_of_bookings(floor: Floor) -> None:
    set_policy(floor, max_active_bookings=2)
    book(floor, 1, day=TUESDAY)
    book(floor, 1, day=TUESDAY + dt.timedelta(days=1))
    with pytest.raises(HallConflictError, match="At most 2 bookings"):
        book(floor, 1, day=TUESDAY + dt.timedelta(days=2))
    book(floor, 2, day=TUESDAY + dt.timedelta(days=2))


def test_a_bad_id_number_is_refused(floor: Floor) -> None:
    with pytest.raises(ValidationError, match="check digit"):
        book(floor, id_number=resident_id(1)[:-1] + ("0" if resident_id(1)[-1] != "0" else "1"))


def test_a_cancelled_place_returns_only_after_the_delay(floor: Floor) -> None:
    set_policy(floor, average_service_minutes=60, cancel_return_minutes=30)  # 1 place
    appointment = book(floor, 1)
    services.appointment_cancel(appointment=appointment, now=MORNING)
    with pytest.raises(HallConflictError, match="fully booked"):
        book(floor, 2, now=MORNING + dt.timedelta(minutes=29))
    assert book(floor, 2, now=MORNING + dt.timedelta(minutes=31)).status == "booked"


def test_three_no_shows_suspend_booking_for_thirty_days(floor: Floor) -> None:
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)]
    for day in days:
        booked_at = dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI)
        book(floor, 1, day=day, now=booked_at)
        services.appointments_mark_no_shows(day=day, now=booked_at.replace(hour=18))
    assert Appointment.objects.filter(status=Appointment.Status.NO_SHOW).count() == 3
    with pytest.raises(HallConflictError, match="suspended until 2026-12-04"):
        book(floor, 1)
    later = dt.datetime(2026, 12, 4, 8, tzinfo=SHANGHAI)
    assert book(floor, 1, day=dt.date(2026, 12, 4), now=later).status == "booked"


def test_marking_no_shows_leaves_slots_that_have_not_ended(floor: Floor) -> None:
    early = book(floor, 1)
    late = book(floor, 2, slot_start=dt.time(16, 0))
    marked = services.appointments_mark_no_shows(day=TUESDAY, now=MORNING.replace(hour=12))
    assert marked == 1
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("no_show", "booked")


def test_check_in_turns_the_booking_into_a_ticket_ahead_of_walk_ins(floor: Floor) -> None:
    appointment = book(floor)
    at = MORNING.replace(hour=8, minute=30)
    walk_in = ticket_issue(category=floor.general, now=at - dt.timedelta(minutes=5))
    ticket = services.appointment_check_in(code=appointment.code.lower(), now=at)
    assert ticket.source == Ticket.Source.APPOINTMENT
    assert ticket.queue_at < walk_in.queue_at
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert appointment.ticket == ticket


def test_a_second_check_in_is_a_conflict(floor: Floor) -> None:
    appointment = book(floor)
    services.appointment_check_in(appointment=appointment, now=MORNING.replace(hour=8, minute=30))
    with pytest.raises(HallConflictError, match="checked in already"):
        services.appointment_check_in(code=appointment.code, now=MORNING.replace(hour=8, minute=31))


def test_check_in_is_open_from_an_hour_before_until_the_slot_ends(floor: Floor) -> None:
    appointment = book(floor)
    with pytest.raises(HallConflictError, match="opens at 08:00"):
        services.appointment_check_in(appointment=appointment, now=MORNING.replace(hour=7))
    with pytest.raises(HallConflictError, match="closed at 09:30"):
        services.appointment_check_in(
            appointment=appointment, now=MORNING.replace(hour=9, minute=30)
        )


def test_rescheduling_keeps_the_code_and_frees_the_old_place(floor: Floor) -> None:
    appointment = book(floor)
    moved = services.appointment_reschedule(
        appointment=appointment, day=TUESDAY, slot_start=dt.time(10, 0), now=MORNING
    )
    assert (moved.code, moved.slot_start) == (appointment.code, dt.time(10, 0))
    slots = services.slots_for(category=floor.general, day=TUESDAY, now=MORNING)
    assert (slots[0].booked, slots[2].booked) == (0, 1)


def test_rescheduling_to_a_full_slot_keeps_the_old_booking(floor: Floor) -> None:
    set_policy(floor, average_service_minutes=60)  # 1 place
    appointment = book(floor, 1)
    book(floor, 2, slot_start=dt.time(10, 0))
    with pytest.raises(HallConflictError, match="fully booked"):
        services.appointment_reschedule(
            appointment=appointment, day=TUESDAY, slot_start=dt.time(10, 0), now=MORNING
        )
    appointment.refresh_from_db()
    assert (appointment.slot_start, appointment.status) == (NINE, "booked")


def _sent_code(django_capture_on_commit_callbacks: CaptureCallbacks, now: dt.datetime) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_code_send(mobile=MOBILE, now=now)
    text = OutboxMessage.objects.filter(mobile=MOBILE).first()
    assert text is not None
    match = re.search(r"\d{6}", text.text)
    assert match is not None
    return match.group()


def test_a_verification_code_is_checked_once(
    db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    code = _sent_code(django_capture_on_commit_callbacks, MORNING)
    assert VerificationCode.objects.get().code_hash != code
    verification = services.verification_code_check(mobile=MOBILE, code=code, now=MORNING)
    services.verification_code_use(verification=verification, now=MORNING)
    with pytest.raises(ValidationError, match="No valid verification code"):
        services.verification_code_check(mobile=MOBILE, code=code, now=MORNING)


def test_a_code_may_be_asked_for_once_a_minute(db: None) -> None:
    services.verification_code_send(mobile=MOBILE, now=MORNING)
    with pytest.raises(HallConflictError, match="less than a minute ago"):
        services.verification_code_send(mobile=MOBILE, now=MORNING + dt.timedelta(seconds=59))
    services.verification_code_send(mobile=MOBILE, now=MORNING + dt.timedelta(seconds=61))


def test_five_wrong_codes_kill_the_code(
    db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    code = _sent_code(django_capture_on_commit_callbacks, MORNING)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError, match="4 attempts left"):
        services.verification_code_check(mobile=MOBILE, code=wrong, now=MORNING)
    for _attempt in range(4):
        with pytest.raises(ValidationError, match="wrong"):
            services.verification_code_check(mobile=MOBILE, code=wrong, now=MORNING)
    with pytest.raises(ValidationError, match="too often"):
        services.verification_code_check(mobile=MOBILE, code=code, now=MORNING)


def test_an_expired_code_is_refused(
    db: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    code = _sent_code(django_capture_on_commit_callbacks, MORNING)
    with pytest.raises(ValidationError, match="No valid verification code"):
        services.verification_code_check(
            mobile=MOBILE, code=code, now=MORNING + dt.timedelta(minutes=5)
        )
