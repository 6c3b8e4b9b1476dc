"""The appointments API: slots, booking with a code or a session, cancel and kiosk check-in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client, TestCase
from django.utils import translation

from accounts.roles import Role
from catalog.tests.factories import make_center, make_staff, make_user
from hall.auth import device_create
from hall.models import Appointment, Device, OutboxMessage
from hall.tests.factories import Floor, make_floor
from hall.tests.test_booking_services import MOBILE, MORNING, TUESDAY, resident_id
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


def post(
    client: Client,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(path, body or {}, content_type="application/json", headers=headers or {})


def booking_body(floor: Floor, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "A",
        "center": floor.center.slug,
        "date": TUESDAY.isoformat(),
        "slot_start": "09:00",
        "name": "张小三",
        "id_number": resident_id(1),
        "mobile": MOBILE,
    }
    body.update(changes)
    return body


def sent_code(client: Client) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post(client, "/api/v1/appointments/verification-code", {"mobile": MOBILE})
    assert response.status_code == 202, response.content
    message = OutboxMessage.objects.filter(mobile=MOBILE).first()
    assert message is not None
    match = re.search(r"\d{6}", message.text)
    assert match is not None
    return match.group()


def test_slots_are_listed_with_their_free_places(client: Client, floor: Floor) -> None:
    response = client.get(
        "/api/v1/appointments/slots",
        {"category": "a", "date": TUESDAY.isoformat(), "center": floor.center.slug},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["working_day"] is True
    assert data["slots"][0] == {
        "start": "09:00:00",
        "end": "09:30:00",
        "capacity": 6,
        "booked": 0,
        "available": 6,
    }


def test_a_malformed_date_is_422(client: Client, floor: Floor) -> None:
    response = client.get(
        "/api/v1/appointments/slots",
        {"category": "A", "date": "2026-13-45", "center": floor.center.slug},
    )
    assert response.status_code == 422
    assert "message" in response.json()


def test_an_unreleased_day_is_422_and_an_unknown_queue_404(client: Client, floor: Floor) -> None:
    far = (TUESDAY + dt.timedelta(days=30)).isoformat()
    slug = floor.center.slug
    response = client.get(
        "/api/v1/appointments/slots", {"category": "A", "date": far, "center": slug}
    )
    assert response.status_code == 422
    response = client.get(
        "/api/v1/appointments/slots", {"category": "Z", "date": TUESDAY.isoformat(), "center": slug}
    )
    assert response.status_code == 404


def test_booking_with_a_verification_code_is_201(client: Client, floor: Floor) -> None:
    code = sent_code(client)
    response = post(client, "/api/v1/appointments", booking_body(floor, verification_code=code))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "booked"
    assert data["mobile"] == "138****8000"
    assert Appointment.objects.get(code=data["code"]).id_number == resident_id(1)


def test_booking_without_a_code_or_with_a_wrong_one_is_422(client: Client, floor: Floor) -> None:
    assert post(client, "/api/v1/appointments", booking_body(floor)).status_code == 422
    code = sent_code(client)
    wrong = "000000" if code != "000000" else "111111"
    response = post(client, "/api/v1/appointments", booking_body(floor, verification_code=wrong))
    assert response.status_code == 422
    assert "wrong" in response.json()["message"]
    assert not Appointment.objects.exists()


def test_a_bad_id_number_is_422_and_keeps_the_code_usable(client: Client, floor: Floor) -> None:
    code = sent_code(client)
    bad = booking_body(floor, id_number="110105198001010011", verification_code=code)
    response = post(client, "/api/v1/appointments", bad)
    assert response.status_code == 422
    assert "ID number" in response.json()["message"]
    good = booking_body(floor, verification_code=code)
    assert post(client, "/api/v1/appointments", good).status_code == 201


def test_a_second_code_within_a_minute_is_409(client: Client, floor: Floor) -> None:
    sent_code(client)
    response = post(client, "/api/v1/appointments/verification-code", {"mobile": MOBILE})
    assert response.status_code == 409


def test_a_logged_in_citizen_books_without_a_code_but_with_the_csrf_token(floor: Floor) -> None:
    citizen = make_user("citizen")
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = post(client, "/api/v1/appointments", booking_body(floor))
    assert response.status_code == 403
    client.get(
        f"/hall/c/{floor.center.slug}/book/slot/",
        {"category": "A", "date": TUESDAY.isoformat(), "slot": "09:00"},
    )
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = post(
        client, "/api/v1/appointments", booking_body(floor), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    assert Appointment.objects.get().user == citizen


def test_cancel_by_code_then_again_is_409_and_an_unknown_code_404(
    client: Client, floor: Floor
) -> None:
    code = sent_code(client)
    booked = post(client, "/api/v1/appointments", booking_body(floor, verification_code=code))
    number = booked.json()["code"]
    assert post(client, f"/api/v1/appointments/{number}/cancel").status_code == 200
    assert post(client, f"/api/v1/appointments/{number}/cancel").status_code == 409
    assert post(client, "/api/v1/appointments/NOSUCHCODE/cancel").status_code == 404


def _booked_code(client: Client, floor: Floor) -> str:
    code = sent_code(client)
    booked = post(client, "/api/v1/appointments", booking_body(floor, verification_code=code))
    number: str = booked.json()["code"]
    return number


def test_a_kiosk_checks_a_booking_in_once(client: Client, floor: Floor) -> None:
    number = _booked_code(client, floor)
    token = device_create(center=floor.center, kind=Device.Kind.KIOSK, name="Kiosk 1")
    auth = {"Authorization": f"Bearer {token}"}
    assert post(client, f"/api/v1/appointments/{number}/check-in").status_code == 401
    response = post(client, f"/api/v1/appointments/{number}/check-in", headers=auth)
    assert response.status_code == 200, response.content
    assert response.json()["number"] == "A001"
    again = post(client, f"/api/v1/appointments/{number}/check-in", headers=auth)
    assert again.status_code == 409
    assert post(client, "/api/v1/appointments/NOSUCHCODE/check-in", headers=auth).status_code == 404


def test_a_kiosk_of_another_center_is_refused(client: Client, floor: Floor) -> None:
    number = _booked_code(client, floor)
    other = make_center()
    token = device_create(center=other, kind=Device.Kind.KIOSK, name="Elsewhere")
    response = post(
        client,
        f"/api/v1/appointments/{number}/check-in",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


def test_staff_of_the_center_check_in_at_reception(client: Client, floor: Floor) -> None:
    number = _booked_code(client, floor)
    receptionist = make_user("reception")
    make_staff(receptionist, floor.center, Role.CLERK)
    client.force_login(receptionist)
    response = post(client, f"/api/v1/appointments/{number}/check-in")
    assert response.status_code == 200
