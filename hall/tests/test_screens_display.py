"""The hall display: its public page and the JSON it polls every second."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from hall.models import CounterPause, HallNotice
from hall.services.tickets import counter_pause, counter_sign_in, ticket_call_next, ticket_issue
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def floor() -> Floor:
    return make_floor()


def display(client: Client, slug: str = "qinghe") -> Any:
    response = client.get("/api/v1/hall/display", {"center": slug}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def call_next(floor: Floor, index: int = 0) -> None:
    ticket_call_next(counter=floor.counters[index], staff=floor.clerks[index])


def test_a_new_call_shows_on_the_display_with_its_voice(client: Client, floor: Floor) -> None:
    with time_machine.travel(MORNING, tick=False):
        counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
        ticket_issue(category=floor.general)
        call_next(floor)
        data = display(client)
    call = data["calls"][0]
    assert call["number"] == "A001"
    assert call["counter"] == floor.counters[0].number
    assert call["text"] == f"请A001号到{floor.counters[0].number}号窗口办理"
    assert call["speech"] == f"请A零零一号到{floor.counters[0].number}号窗口办理"
    assert call["audio"] == f"/hall/voice/{call['id']}.wav"
    assert data["counters"][0]["ticket"] == "A001"


def test_the_display_answer_is_kept_one_second_then_shows_the_new_call(
    client: Client, floor: Floor
) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    with time_machine.travel(MORNING, tick=False) as clock:
        ticket_issue(category=floor.general)
        assert display(client)["calls"] == []
        call_next(floor)
        assert display(client)["calls"] == [], "within the second the cached answer stands"
        clock.shift(dt.timedelta(seconds=1.1))
        assert [call["number"] for call in display(client)["calls"]] == ["A001"]


def test_the_display_shows_pauses_queues_and_notices(client: Client, floor: Floor) -> None:
    HallNotice.objects.create(center=floor.center, text="今日办理社保业务请到二楼")
    HallNotice.objects.create(center=floor.center, text="已撤下的通知", active=False)
    with time_machine.travel(MORNING, tick=False):
        counter_sign_in(counter=floor.counters[1], staff=floor.clerks[1])
        counter_pause(
            counter=floor.counters[1], staff=floor.clerks[1], reason=CounterPause.Reason.MEETING
        )
        ticket_issue(category=floor.business)
        data = display(client)
    assert data["counters"][0]["status"] == "paused"
    assert data["counters"][0]["pause_reason_label"] == "Meeting"
    assert {queue["letter"]: queue["waiting"] for queue in data["queues"]} == {"A": 0, "B": 1}
    assert data["notices"] == ["今日办理社保业务请到二楼"]


def test_the_display_keeps_staff_names_off_the_screen(client: Client, floor: Floor) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    response = client.get("/api/v1/hall/display", {"center": "qinghe"})
    assert floor.clerks[0].full_name not in response.content.decode()
    assert floor.clerks[0].username not in response.content.decode()


def test_an_unknown_center_is_404_and_a_missing_one_422(client: Client, floor: Floor) -> None:
    assert client.get("/api/v1/hall/display", {"center": "nowhere"}).status_code == 404
    assert client.get("/api/v1/hall/display").status_code == 422
    assert client.get("/api/v1/hall/display", {"center": "a b"}).status_code == 422


def test_the_openapi_declares_the_display_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/hall/display"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(responses)


def test_the_display_page_is_public_and_polls_the_json(client: Client, floor: Floor) -> None:
    response = client.get("/hall/c/qinghe/display/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-display-url="/api/v1/hall/display?center=qinghe"' in page
    assert "hall/screens/display.js" in page
    assert "<script>" not in page
    assert "style=" not in page
    assert client.get("/hall/c/nowhere/display/").status_code == 404
