"""The rating pad at a counter: one rating per finished service."""

import pytest
from django.test import Client

from catalog.tests.factories import make_user
from hall.auth import device_create
from hall.models import Device, PadRating, Ticket
from hall.services.tickets import (
    counter_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor() -> Floor:
    floor = make_floor()
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    return floor


@pytest.fixture
def pad_client(client: Client, floor: Floor) -> Client:
    """The tablet at counter 1, opened once with its device link."""
    token = device_create(
        center=floor.center, kind=Device.Kind.COUNTER, name="评价器1", counter=floor.counters[0]
    )
    client.get(f"/hall/pad/{floor.counters[0].pk}/", {"device": token})
    return client


def serve(floor: Floor, *, finish: bool = True) -> Ticket:
    ticket_issue(category=floor.general)
    ticket = ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    assert ticket is not None
    if finish:
        ticket_finish(counter=floor.counters[0], staff=floor.clerks[0])
    return ticket


def rate(client: Client, floor: Floor, ticket: Ticket, level: int = 5) -> tuple[int, str]:
    response = client.post(
        f"/hall/pad/{floor.counters[0].pk}/rate/",
        {"ticket": ticket.pk, "level": level},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return response.status_code, response.json()["message"]


def test_the_pad_shows_the_five_levels(pad_client: Client, floor: Floor) -> None:
    url = f"/hall/pad/{floor.counters[0].pk}/"
    page = pad_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    labels = ["Very satisfied", "Satisfied", "Basically satisfied", "Dissatisfied"]
    for label in [*labels, "Very dissatisfied"]:
        assert f">{label}</button>" in page
    assert "csrfmiddlewaretoken" in page


def test_the_pad_asks_about_the_service_just_finished(pad_client: Client, floor: Floor) -> None:
    url = f"/hall/pad/{floor.counters[0].pk}/state/"
    assert pad_client.get(url).json() == {"ticket": None}
    ticket = serve(floor)
    assert pad_client.get(url).json() == {"ticket": {"id": ticket.pk, "number": "A001"}}
    rate(pad_client, floor, ticket)
    assert pad_client.get(url).json() == {"ticket": None}


def test_a_service_is_rated_once_and_the_second_rating_is_refused(
    pad_client: Client, floor: Floor
) -> None:
    ticket = serve(floor)
    assert rate(pad_client, floor, ticket, level=4)[0] == 201
    status, message = rate(pad_client, floor, ticket, level=1)
    assert status == 409
    assert message == "This service has been rated already. Thank you!"
    rating = PadRating.objects.get(ticket=ticket)
    assert (rating.level, rating.staff, rating.counter) == (4, floor.clerks[0], floor.counters[0])


def test_a_service_not_finished_cannot_be_rated(pad_client: Client, floor: Floor) -> None:
    ticket = serve(floor, finish=False)
    status, _message = rate(pad_client, floor, ticket)
    assert status == 409
    assert not PadRating.objects.exists()


def test_bad_levels_and_other_counters_tickets_are_refused(
    pad_client: Client, floor: Floor
) -> None:
    ticket = serve(floor)
    assert rate(pad_client, floor, ticket, level=9)[0] == 409
    response = pad_client.post(f"/hall/pad/{floor.counters[0].pk}/rate/", {"level": "x"})
    assert response.status_code == 400
    counter_sign_in(counter=floor.counters[1], staff=floor.clerks[1])
    ticket_issue(category=floor.general)
    elsewhere = ticket_call_next(counter=floor.counters[1], staff=floor.clerks[1])
    assert elsewhere is not None
    ticket_finish(counter=floor.counters[1], staff=floor.clerks[1])
    assert rate(pad_client, floor, elsewhere)[0] == 404


def test_the_pad_needs_its_device_or_staff_and_a_csrf_token(floor: Floor) -> None:
    ticket = serve(floor)
    stranger = Client()
    assert stranger.get(f"/hall/pad/{floor.counters[0].pk}/").status_code == 403
    stranger.force_login(make_user("citizen"))
    assert rate_status(stranger, floor, ticket) == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(floor.clerks[0])
    assert rate_status(strict, floor, ticket) == 403
    assert not PadRating.objects.exists()


def rate_status(client: Client, floor: Floor, ticket: Ticket) -> int:
    url = f"/hall/pad/{floor.counters[0].pk}/rate/"
    return client.post(url, {"ticket": ticket.pk, "level": 5}).status_code
