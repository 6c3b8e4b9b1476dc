import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from catalog.tests.factories import make_user
from hall.auth import device_create, devices_revoke
from hall.models import Device, Ticket
from hall.services.tickets import counter_sign_in, ticket_issue
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor() -> Floor:
    cache.clear()
    return make_floor()


def post(client: Client, url: str, body: dict[str, Any] | None = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_a_kiosk_takes_a_ticket_with_its_token(client: Client, floor: Floor) -> None:
    token = device_create(center=floor.center, kind=Device.Kind.KIOSK, name="一楼取号机")
    response = post(client, "/api/v1/tickets", {"category": "a"}, token=token)
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "A001" and body["ahead"] == 0
    assert Ticket.objects.get().source == Ticket.Source.KIOSK


def test_a_phone_takes_a_few_tickets_an_hour(client: Client, floor: Floor) -> None:
    for number in ("A001", "A002", "A003"):
        assert post(client, "/api/v1/tickets", {"category": "A"}).json()["number"] == number
    refused = post(client, "/api/v1/tickets", {"category": "A"})
    assert refused.status_code == 429 and refused.json()["message"]
    assert Ticket.objects.filter(source=Ticket.Source.REMOTE).count() == 3
    # Another phone on the same network (the hall's Wi-Fi) still takes its own; a cookie that
    # is not signed by the center counts as none, and the phone gets an id of its own.
    other = Client()
    other.cookies["govhall_phone"] = "forged"
    answer = post(other, "/api/v1/tickets", {"category": "A"})
    assert answer.json()["number"] == "A004"
    assert answer.cookies["govhall_phone"].value not in ("", "forged")


def test_phones_behind_one_address_share_a_ceiling(
    client: Client, floor: Floor, settings: Any
) -> None:
    settings.REMOTE_TICKETS_PER_ADDRESS_HOUR = 5
    phones = [Client() for _phone in range(6)]
    answers = [post(phone, "/api/v1/tickets", {"category": "A"}) for phone in phones]
    assert [answer.status_code for answer in answers] == [201] * 5 + [429]
    # A phone that throws its cookie away counts as a new phone, and meets the ceiling.
    assert post(Client(), "/api/v1/tickets", {"category": "A"}).status_code == 429
    assert Ticket.objects.filter(source=Ticket.Source.REMOTE).count() == 5


def test_a_ticket_is_followed_by_its_key_with_place_and_estimate(
    client: Client, floor: Floor
) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    first = ticket_issue(category=floor.general)
    second = ticket_issue(category=floor.general)
    body = client.get(f"/api/v1/tickets/{second.access_key}").json()
    assert (body["number"], body["ahead"], body["counters_open"]) == ("A002", 1, 1)
    assert body["estimated_minutes"] == 20  # two services of the default 10 minutes, one counter
    assert client.get(f"/api/v1/tickets/{first.pk}").status_code == 404


def test_bad_ticket_requests_get_a_message(client: Client, floor: Floor) -> None:
    for body, status in (
        ({"category": "Z"}, 404),
        ({"category": ""}, 422),
        ({"category": "A", "priority_group": "vip"}, 422),
        ({"category": "A", "mobile": "12"}, 422),
        ({"category": "A", "item": "NO-SUCH"}, 404),
    ):
        response = post(client, "/api/v1/tickets", body)
        assert response.status_code == status, body
        assert response.json()["message"]


def test_a_clerk_runs_the_counter_through_the_api(client: Client, floor: Floor) -> None:
    ticket_issue(category=floor.general)
    client.force_login(floor.clerks[0])
    number = floor.counters[0].number
    assert post(client, f"/api/v1/counters/{number}/sign-in").json()["status"] == "free"
    called = post(client, f"/api/v1/counters/{number}/call-next").json()
    assert called["ticket"]["number"] == "A001" and called["status"] == "serving"
    assert post(client, f"/api/v1/counters/{number}/recall").status_code == 200
    assert post(client, f"/api/v1/counters/{number}/finish").json()["status"] == "free"
    paused = post(client, f"/api/v1/counters/{number}/pause", {"reason": "training"}).json()
    assert (paused["status"], paused["pause_reason"]) == ("paused", "training")
    conflict = post(client, f"/api/v1/counters/{number}/call-next")
    assert conflict.status_code == 409 and conflict.json()["message"]
    assert post(client, f"/api/v1/counters/{number}/resume").json()["status"] == "free"
    assert post(client, f"/api/v1/counters/{number}/dance").status_code == 422


def test_a_counter_terminal_acts_for_the_clerk_signed_in(client: Client, floor: Floor) -> None:
    counter, other = floor.counters
    token = device_create(
        center=floor.center, kind=Device.Kind.COUNTER, name="终端", counter=counter
    )
    assert (
        post(client, f"/api/v1/counters/{counter.number}/call-next", token=token).status_code == 409
    )
    counter_sign_in(counter=counter, staff=floor.clerks[0])
    ticket_issue(category=floor.business)
    response = post(client, f"/api/v1/counters/{counter.number}/call-next", token=token)
    assert response.json()["ticket"]["number"] == "B001"
    assert Ticket.objects.get().staff == floor.clerks[0]
    assert (
        post(client, f"/api/v1/counters/{other.number}/call-next", token=token).status_code == 403
    )
    assert (
        post(client, f"/api/v1/counters/{counter.number}/sign-in", token=token).status_code == 403
    )


def test_outsiders_cannot_act_at_counters(client: Client, floor: Floor) -> None:
    number = floor.counters[0].number
    assert post(client, f"/api/v1/counters/{number}/call-next").status_code == 401
    client.force_login(make_user("citizen"))
    assert post(client, f"/api/v1/counters/{number}/call-next").status_code == 401
    other = make_floor(slug="other", counters=1)
    client.force_login(other.clerks[0])
    # Their own center has no counter with the first center's second number.
    assert post(client, f"/api/v1/counters/{floor.counters[1].number}/call-next").status_code == 404
    revoked = device_create(center=floor.center, kind=Device.Kind.KIOSK, name="旧取号机")
    Device.objects.update(revoked_at="2026-01-01T00:00:00Z")
    client.logout()
    response = post(client, f"/api/v1/counters/{number}/call-next", token=revoked)
    assert response.status_code == 401


def test_session_posts_need_the_csrf_token(floor: Floor) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(floor.clerks[0])
    response = post(client, f"/api/v1/counters/{floor.counters[0].number}/sign-in")
    assert response.status_code == 403


def test_a_revoked_kiosk_token_stops_working_at_once(client: Client, floor: Floor) -> None:
    token = device_create(center=floor.center, kind=Device.Kind.KIOSK, name="取号机")
    assert post(client, "/api/v1/tickets", {"category": "A"}, token=token).status_code == 201
    devices_revoke(devices=Device.objects.all())
    # The token no longer counts: the request is a phone's, not the kiosk's.
    post(client, "/api/v1/tickets", {"category": "A"}, token=token)
    assert Ticket.objects.filter(source=Ticket.Source.KIOSK).count() == 1
