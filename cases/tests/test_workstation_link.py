import pytest
from django.test import Client

from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_issue
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor() -> Floor:
    return make_floor()


def test_the_workstation_offers_to_open_a_case_for_the_ticket_being_served(
    client: Client, floor: Floor
) -> None:
    client.force_login(floor.clerks[0])
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    assert "/cases/new/" not in client.get("/hall/workstation/").content.decode()
    ticket_issue(category=floor.general)
    ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    assert 'href="/cases/new/"' in client.get("/hall/workstation/").content.decode()
