"""The hall manager's board: shown to hall managers and administrators, refused to others."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from catalog.tests.factories import make_staff, make_user
from hall.alerts import hall_alerts_check
from hall.models import CounterPause, HallPolicy
from hall.services.tickets import (
    counter_pause,
    counter_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def floor() -> Floor:
    return make_floor()


@pytest.fixture
def manager(floor: Floor) -> User:
    user = make_user("manager", full_name="大厅主任")
    make_staff(user, floor.center, Role.HALL_MANAGER)
    return user


def test_the_board_is_refused_to_a_clerk_and_a_citizen(client: Client, floor: Floor) -> None:
    client.force_login(floor.clerks[0])
    assert client.get("/hall/manager/").status_code == 403
    assert client.get("/hall/manager/board/").status_code == 403
    client.force_login(make_user("citizen"))
    assert client.get("/hall/manager/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/hall/manager/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_a_manager_of_another_center_sees_only_their_own(client: Client, floor: Floor) -> None:
    other = make_floor(slug="other")
    outsider = make_user("other-manager")
    make_staff(outsider, other.center, Role.HALL_MANAGER)
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    client.force_login(outsider)
    page = client.get("/hall/manager/").content.decode()
    assert floor.clerks[0].full_name not in page


def test_the_board_shows_queues_counters_pauses_figures_and_alerts(
    client: Client, floor: Floor, manager: User
) -> None:
    HallPolicy.objects.create(center=floor.center, queue_alert_length=2)
    with time_machine.travel(MORNING, tick=False) as clock:
        counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
        counter_sign_in(counter=floor.counters[1], staff=floor.clerks[1])
        for _person in range(4):
            ticket_issue(category=floor.general)
        clock.shift(dt.timedelta(minutes=6))
        ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
        ticket_finish(counter=floor.counters[0], staff=floor.clerks[0])
        counter_pause(
            counter=floor.counters[1], staff=floor.clerks[1], reason=CounterPause.Reason.TRAINING
        )
        hall_alerts_check(center=floor.center)
        clock.shift(dt.timedelta(minutes=12))
        client.force_login(manager)
        response = client.get("/hall/manager/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.served_today == 1
    assert board.mean_wait_minutes == 6
    assert [(load.category.letter, load.waiting) for load in board.queues] == [("A", 3), ("B", 0)]
    paused = board.counters[1]
    assert (paused.status, paused.pause_reason, paused.minutes_in_state) == (
        "paused",
        "Training",
        12,
    )
    page = response.content.decode()
    assert "窗口2" in page
    assert "3 people wait (alert at 2)." in page
    assert "hall/screens/manager.js" in page


def test_an_administrator_sees_the_board_part(client: Client, floor: Floor) -> None:
    admin = make_user("admin")
    make_staff(admin, floor.center, Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get("/hall/manager/board/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No open alerts." in response.content.decode()
