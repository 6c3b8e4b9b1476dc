"""The booking pages: book with an SMS code, the QR page, kiosk check-in and special services."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.test import Client, TestCase
from django.utils import translation

from accounts.roles import Role
from catalog.tests.factories import make_center, make_staff, make_user
from hall.models import Appointment, OutboxMessage, SpecialServiceRequest, Ticket
from hall.services import booking as services
from hall.services.tickets import HallConflictError
from hall.tests.factories import Floor, make_floor
from hall.tests.test_booking_services import MOBILE, MORNING, NINE, TUESDAY, resident_id
from workdays.services import calendar_seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _morning() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def floor(db: None) -> Floor:
    calendar_seed(first_year=2026, last_year=2027)
    return make_floor(counters=2)


@pytest.fixture
def client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_visitor_books_a_slot_with_an_sms_code(client: Client, floor: Floor) -> None:
    start = f"/hall/c/{floor.center.slug}/book/"
    page = client.get(start, {"category": "A", "date": TUESDAY.isoformat()})
    assert page.status_code == 200
    assert "6 places free" in page.content.decode()
    form_url = f"{start}slot/?category=A&date={TUESDAY.isoformat()}&slot=09:00"
    details = {"name": "张小三", "id_number": resident_id(1), "mobile": MOBILE}
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = client.post(form_url, {**details, "send_code": "1"})
    assert sent.status_code == 200
    message = OutboxMessage.objects.get(mobile=MOBILE)
    match = re.search(r"\d{6}", message.text)
    assert match is not None
    booked = client.post(form_url, {**details, "verification_code": match.group(), "book": "1"})
    appointment = Appointment.objects.get()
    assert booked.status_code == 302
    assert booked["Location"].endswith(f"/book/{appointment.code}/")
    confirmation = client.get(booked["Location"]).content.decode()
    assert "data:image/svg+xml" in confirmation
    assert appointment.code in confirmation
    assert "张*三" in confirmation


def test_a_wrong_code_books_nothing(client: Client, floor: Floor) -> None:
    form_url = f"/hall/c/{floor.center.slug}/book/slot/?category=A&date={TUESDAY}&slot=09:00"
    details = {"name": "张小三", "id_number": resident_id(1), "mobile": MOBILE}
    page = client.post(form_url, {**details, "verification_code": "123456", "book": "1"})
    assert page.status_code == 200
    assert "No valid verification code" in page.content.decode()
    assert not Appointment.objects.exists()


def test_the_booking_page_cancels_the_booking(client: Client, floor: Floor) -> None:
    appointment = services.appointment_book(
        category=floor.general,
        day=TUESDAY,
        slot_start=NINE,
        id_number=resident_id(1),
        name="张三",
        mobile=MOBILE,
    )
    url = f"/hall/c/{floor.center.slug}/book/{appointment.code}/cancel/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_the_kiosk_page_shows_the_ticket_number(client: Client, floor: Floor) -> None:
    appointment = services.appointment_book(
        category=floor.general,
        day=TUESDAY,
        slot_start=NINE,
        id_number=resident_id(1),
        name="张三",
        mobile=MOBILE,
    )
    url = f"/hall/c/{floor.center.slug}/check-in/"
    assert client.get(url).status_code == 200  # a kiosk or the visitor's own phone
    scanned = f"http://testserver{url}?code={appointment.code}"
    page = client.post(url, {"code": scanned})
    assert page.status_code == 200
    assert "A001" in page.content.decode()


def test_a_booking_is_not_checked_in_at_another_center(client: Client, floor: Floor) -> None:
    appointment = services.appointment_book(
        category=floor.general,
        day=TUESDAY,
        slot_start=NINE,
        id_number=resident_id(1),
        name="张三",
        mobile=MOBILE,
    )
    elsewhere = make_center()
    page = client.post(f"/hall/c/{elsewhere.slug}/check-in/", {"code": appointment.code})
    assert page.status_code == 200
    assert not Ticket.objects.exists()


def _request(floor: Floor) -> SpecialServiceRequest:
    return services.special_service_request(
        center=floor.center,
        kind=SpecialServiceRequest.Kind.HOME_VISIT,
        priority_group="elderly",
        name="王大妈",
        id_number=resident_id(2),
        mobile=MOBILE,
        requested_by="王小明",
        address="清河路1号",
    )


def test_a_relative_asks_for_a_home_visit(client: Client, floor: Floor) -> None:
    url = f"/hall/c/{floor.center.slug}/special/"
    data = {
        "kind": "home_visit",
        "priority_group": "elderly",
        "name": "王大妈",
        "id_number": resident_id(2),
        "mobile": MOBILE,
        "requested_by": "王小明",
    }
    page = client.post(url, data)
    assert "address of the home visit" in page.content.decode()
    page = client.post(url, {**data, "address": "清河路1号"})
    assert page.status_code == 200
    assert SpecialServiceRequest.objects.get().requested_by == "王小明"


def test_a_hall_manager_assigns_and_completes_a_request(client: Client, floor: Floor) -> None:
    special = _request(floor)
    manager = make_user("manager")
    make_staff(manager, floor.center, Role.HALL_MANAGER)
    client.force_login(manager)
    page = client.get("/hall/special/").content.decode()
    assert "王*妈" in page
    assert resident_id(2) not in page
    clerk = floor.clerks[0]
    client.post(f"/hall/special/{special.pk}/assign/", {"staff": clerk.pk})
    client.post(f"/hall/special/{special.pk}/complete/", {"text": "上门办结"})
    special.refresh_from_db()
    assert (special.status, special.assigned_to, special.outcome) == ("done", clerk, "上门办结")


def test_a_citizen_or_a_clerk_cannot_open_the_special_services_list(
    client: Client, floor: Floor
) -> None:
    assert client.get("/hall/special/").status_code == 302
    client.force_login(make_user("citizen"))
    assert client.get("/hall/special/").status_code == 403
    client.force_login(floor.clerks[0])
    assert client.get("/hall/special/").status_code == 403


def test_a_manager_of_another_center_cannot_touch_a_request(client: Client, floor: Floor) -> None:
    special = _request(floor)
    outsider = make_user("other-manager")
    make_staff(outsider, make_center(), Role.HALL_MANAGER)
    client.force_login(outsider)
    assert client.post(f"/hall/special/{special.pk}/decline/", {"text": "x"}).status_code == 404
    special.refresh_from_db()
    assert special.status == SpecialServiceRequest.Status.REQUESTED


def test_a_closed_request_cannot_be_declined(floor: Floor) -> None:
    special = _request(floor)
    manager = make_user("manager")
    make_staff(manager, floor.center, Role.HALL_MANAGER)
    services.special_service_decline(request=special, reason="重复申请", by=manager)
    with pytest.raises(HallConflictError):
        services.special_service_decline(request=special, reason="again", by=manager)


def test_the_outbox_page_is_for_staff(client: Client, floor: Floor) -> None:
    OutboxMessage.objects.create(mobile=MOBILE, text="code 123456", status="sent", backend="local")
    client.force_login(make_user("citizen"))
    assert client.get("/hall/sms-outbox/").status_code == 403
    client.force_login(floor.clerks[0])
    page = client.get("/hall/sms-outbox/").content.decode()
    assert "138****8000" in page
    assert "code 123456" in page
