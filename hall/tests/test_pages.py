import pytest
from django.core.cache import cache
from django.test import Client

from catalog.tests.factories import make_user
from hall.models import CounterState, Ticket
from hall.services.tickets import ticket_issue
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor() -> Floor:
    cache.clear()
    return make_floor()


def test_a_phone_takes_a_ticket_and_lands_on_its_page(client: Client, floor: Floor) -> None:
    page = client.get("/hall/c/qinghe/ticket/").content.decode()
    assert "综合受理" in page and "商事登记" in page
    response = client.post("/hall/c/qinghe/ticket/", {"category": "B", "priority_group": "elderly"})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/hall/t/{ticket.access_key}/"
    assert (ticket.number, ticket.source, ticket.priority_group) == ("B001", "remote", "elderly")
    page = client.get(response["Location"]).content.decode()
    assert "B001" in page and f"/api/v1/tickets/{ticket.access_key}" in page


def test_each_phone_on_the_halls_wifi_has_its_own_limit(client: Client, floor: Floor) -> None:
    """Phones on one network share an address: the limit of 3 an hour is the phone's own."""
    page = client.get("/hall/c/qinghe/ticket/")
    assert page.cookies["govhall_phone"].value
    for _ticket in range(3):
        response = client.post("/hall/c/qinghe/ticket/", {"category": "A", "priority_group": ""})
        assert response.status_code == 302
    refused = client.post("/hall/c/qinghe/ticket/", {"category": "A", "priority_group": ""})
    assert refused.status_code == 200 and Ticket.objects.count() == 3
    neighbour = Client()
    response = neighbour.post("/hall/c/qinghe/ticket/", {"category": "A", "priority_group": ""})
    assert response.status_code == 302
    assert Ticket.objects.count() == 4


def test_a_kiosk_prints_the_ticket_with_its_qr_code(client: Client, floor: Floor) -> None:
    client.get("/c/qinghe/kiosk/")
    response = client.post("/hall/c/qinghe/ticket/", {"category": "A", "priority_group": ""})
    ticket = Ticket.objects.get()
    assert ticket.source == Ticket.Source.KIOSK
    assert response["Location"] == f"/hall/t/{ticket.access_key}/print/?print=1"
    for width in ("58", "80"):
        page = client.get(f"/hall/t/{ticket.access_key}/print/", {"width": width}).content.decode()
        assert "A001" in page and f"paper-{width}" in page and "data:image/svg+xml" in page


def test_an_unknown_queue_or_group_is_refused_with_a_message(client: Client, floor: Floor) -> None:
    for data in ({"category": "Z"}, {"category": "A", "priority_group": "vip"}, {}):
        response = client.post("/hall/c/qinghe/ticket/", data)
        assert response.status_code == 200
        assert not Ticket.objects.exists()


def test_the_holder_gives_up_a_ticket_on_the_phone(client: Client, floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general)
    client.post(f"/hall/t/{ticket.access_key}/action/", {"action": "cancel"})
    assert Ticket.objects.get().status == Ticket.Status.CANCELLED
    again = client.post(f"/hall/t/{ticket.access_key}/action/", {"action": "cancel"}, follow=True)
    assert again.status_code == 200  # the refusal is a message on the page, not an error


def test_an_unknown_ticket_key_is_a_404(client: Client, floor: Floor) -> None:
    assert client.get("/hall/t/nope/").status_code == 404


def test_a_clerk_serves_a_visitor_from_the_workstation(client: Client, floor: Floor) -> None:
    ticket_issue(category=floor.general)
    client.force_login(floor.clerks[0])
    assert "A001" not in client.get("/hall/workstation/").content.decode()
    for action in ("sign-in", "call-next"):
        client.post("/hall/workstation/act/", {"action": action})
    page = client.get("/hall/workstation/").content.decode()
    assert "A001" in page
    client.post("/hall/workstation/act/", {"action": "finish"})
    state = CounterState.objects.get(counter=floor.counters[0])
    assert state.status == CounterState.Status.FREE
    assert Ticket.objects.get().status == Ticket.Status.DONE
    refused = client.post("/hall/workstation/act/", {"action": "recall"}, follow=True)
    assert refused.status_code == 200


def test_a_clerk_pauses_with_a_reason_and_transfers(client: Client, floor: Floor) -> None:
    ticket_issue(category=floor.general)
    client.force_login(floor.clerks[0])
    client.post("/hall/workstation/act/", {"action": "sign-in"})
    client.post("/hall/workstation/act/", {"action": "call-next"})
    target = f"counter:{floor.counters[1].pk}"
    client.post("/hall/workstation/act/", {"action": "transfer", "target": target})
    assert Ticket.objects.get().for_counter == floor.counters[1]
    client.post("/hall/workstation/act/", {"action": "pause", "reason": "files"})
    assert CounterState.objects.get(counter=floor.counters[0]).pause_reason == "files"


def test_the_workstation_is_for_staff_only(client: Client, floor: Floor) -> None:
    assert client.get("/hall/workstation/").status_code == 302
    client.force_login(make_user("citizen"))
    assert client.get("/hall/workstation/").status_code == 403
    assert client.post("/hall/workstation/act/", {"action": "call-next"}).status_code == 403


def test_a_clerk_cannot_choose_another_centers_counter(client: Client, floor: Floor) -> None:
    other = make_floor(slug="other", counters=1)
    client.force_login(floor.clerks[0])
    response = client.post(
        "/hall/workstation/act/", {"action": "choose", "counter": other.counters[0].pk}
    )
    assert response.status_code == 404
