"""Personal-data retention in the hall: bookings, special-service requests, tickets' mobiles, texts
and verification codes past the period lose the visitor's data; the hall's figures stay."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from audit.models import AuditEntry
from govhall.retention import ANONYMISED
from hall.models import (
    Appointment,
    OutboxMessage,
    SpecialServiceRequest,
    Ticket,
    VerificationCode,
)
from hall.retention import hall_anonymise_expired
from hall.services import booking as services
from hall.services.tickets import ticket_issue
from hall.tests.factories import Floor, make_floor
from hall.tests.test_booking_services import MOBILE, MORNING, TUESDAY, book, resident_id
from stats.selectors import Scope, totals
from workdays.services import calendar_seed

pytestmark = pytest.mark.django_db

# Three years and three days after the floor's morning: past HALL_RETENTION_YEARS (3) for that
# day, not for a booking a week later.
THREE_YEARS_ON = MORNING.replace(year=MORNING.year + 3)
LATER = THREE_YEARS_ON + dt.timedelta(days=3)


@pytest.fixture
def floor(db: None) -> Floor:
    calendar_seed(first_year=2026, last_year=2027)
    return make_floor()


def special_request(floor: Floor, *, closed: bool) -> SpecialServiceRequest:
    request = services.special_service_request(
        center=floor.center,
        kind=SpecialServiceRequest.Kind.HOME_VISIT,
        priority_group="elderly",
        name="李大爷",
        id_number=resident_id(7),
        mobile=MOBILE,
        requested_by="李小明（儿子）",
        address="清河路 8 号 3 单元",
        note="腿脚不便，上午在家。",
        now=MORNING,
    )
    if closed:
        SpecialServiceRequest.objects.filter(pk=request.pk).update(
            status=SpecialServiceRequest.Status.DONE, outcome="上门办结。", closed_at=MORNING
        )
    return request


def test_old_hall_records_lose_the_visitors_data_and_the_figures_stay(floor: Floor) -> None:
    booking = book(floor, user=floor.clerks[0])
    ticket = ticket_issue(category=floor.general, mobile=MOBILE, now=MORNING)
    done = special_request(floor, closed=True)
    still_open = special_request(floor, closed=False)
    services.verification_code_send(mobile=MOBILE, now=MORNING)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    pending = OutboxMessage.objects.create(
        mobile=MOBILE, text="尚未发出", status=OutboxMessage.Status.PENDING, backend="local"
    )
    OutboxMessage.objects.filter(pk=pending.pk).update(created_at=MORNING)
    # A booking inside the period keeps everything.
    recent = book(floor, serial=2, day=TUESDAY + dt.timedelta(days=7))
    figures_before = totals(scope=Scope(center=floor.center, department_id=None))
    statuses_before = Counter(Appointment.objects.values_list("status", flat=True))

    run = hall_anonymise_expired(now=LATER)

    assert run is not None
    assert (run.appointments, run.requests, run.tickets, run.codes) == (1, 1, 1, 1)
    # The booking's confirmation and the code, sent; the pending ones are still to be sent.
    assert run.messages == 2
    booking.refresh_from_db()
    assert (booking.name, booking.id_number, booking.mobile, booking.user) == (
        ANONYMISED,
        "",
        "",
        None,
    )
    assert (booking.day, booking.status) == (TUESDAY, Appointment.Status.BOOKED)
    ticket.refresh_from_db()
    assert (ticket.mobile, ticket.number, ticket.status) == ("", "A001", Ticket.Status.WAITING)
    done.refresh_from_db()
    assert (done.name, done.id_number, done.mobile) == (ANONYMISED, "", "")
    assert (done.requested_by, done.address, done.note) == ("", "", "")
    assert (done.kind, done.priority_group, done.outcome) == (
        SpecialServiceRequest.Kind.HOME_VISIT,
        "elderly",
        "上门办结。",
    )
    still_open.refresh_from_db()
    assert (still_open.name, still_open.address) == ("李大爷", "清河路 8 号 3 单元")
    recent.refresh_from_db()
    assert (recent.name, recent.id_number) == ("张小三", resident_id(2))
    assert not VerificationCode.objects.exists()
    assert OutboxMessage.objects.filter(pk=pending.pk).exists()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).exists()
    assert totals(scope=Scope(center=floor.center, department_id=None)) == figures_before
    assert Counter(Appointment.objects.values_list("status", flat=True)) == statuses_before
    entry = AuditEntry.objects.get(action="hall.personal_data_removed")
    assert entry.data["appointments"] == 1
    assert entry.data["verification_codes"] == 1

    again = hall_anonymise_expired(now=LATER)
    assert again is not None
    assert (again.appointments, again.requests, again.tickets, again.messages) == (0, 0, 0, 0)


def test_a_record_inside_the_period_or_with_retention_off_keeps_its_data(floor: Floor) -> None:
    booking = book(floor)
    inside = hall_anonymise_expired(now=THREE_YEARS_ON - dt.timedelta(days=1))
    assert inside is not None and inside.appointments == 0
    assert hall_anonymise_expired(now=LATER, years=0) is None
    booking.refresh_from_db()
    assert booking.name == "张小三"


def test_the_command_says_what_it_removed(floor: Floor) -> None:
    book(floor)
    output = io.StringIO()
    call_command("hall_retention", "--years", "0", stdout=output)
    assert "Retention is off" in output.getvalue()
    assert Appointment.objects.get().name == "张小三"
    output = io.StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("hall_retention", "--years", "1", stdout=output)
    assert "1 bookings" in output.getvalue()
    assert Appointment.objects.get().name == ANONYMISED
