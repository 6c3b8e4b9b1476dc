"""Every state change of a case reaches its applicant's site message box, and no one else's."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from accounts.models import Message
from accounts.selectors import unread_count
from cases.services import Applicant, case_accept, case_open_at_counter
from cases.tests.conftest import USCC, World, login, submit
from catalog.models import QueueCategory
from catalog.tests.factories import make_counter
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_issue


def test_a_state_change_puts_one_message_in_the_applicants_box_only(world: World) -> None:
    case = submit(world)
    assert Message.objects.filter(user=world.citizen).count() == 1
    case_accept(case=case, staff=world.clerk)
    messages = Message.objects.filter(user=world.citizen).order_by("-pk")
    assert messages.count() == 2
    accepted = messages[0]
    assert accepted.subject.startswith(f"Case {case.number} ")
    assert accepted.kind == "case.status"
    assert accepted.link == f"/cases/{case.number}/"
    assert Message.objects.exclude(user=world.citizen).count() == 0


def test_the_message_opens_the_case_page_for_the_applicant(world: World) -> None:
    case = submit(world)
    message = Message.objects.get(user=world.citizen)
    client = login(world.citizen)
    assert "Messages (1)" in client.get("/accounts/messages/").content.decode()
    response = client.post(f"/accounts/messages/{message.pk}/open/")
    assert response["Location"] == f"/cases/{case.number}/"
    assert client.get(response["Location"]).status_code == 200
    assert unread_count(world.citizen) == 0


def test_an_outsider_can_neither_see_nor_mark_the_applicants_message(world: World) -> None:
    submit(world)
    message = Message.objects.get(user=world.citizen)
    for outsider in (world.neighbour, world.clerk):
        client = login(outsider)
        assert client.post(f"/accounts/messages/{message.pk}/open/").status_code == 404
        assert client.post(f"/api/v1/messages/{message.pk}/read").status_code == 404
        assert client.get("/api/v1/messages").json()["count"] == 0
        assert message.subject not in client.get("/accounts/messages/").content.decode()
    assert unread_count(world.citizen) == 1


def test_a_counter_case_without_an_online_applicant_sends_no_message(world: World) -> None:
    counter = make_counter(world.center, world.item.department)
    category = QueueCategory.objects.create(center=world.center, letter="A", name="综合")
    counter.categories.add(category)
    ticket_issue(category=category, mobile="13900000000")
    counter_sign_in(counter=counter, staff=world.clerk)
    ticket_call_next(counter=counter, staff=world.clerk)
    case = case_open_at_counter(
        staff=world.clerk,
        counter=counter,
        item=world.item,
        applicant=Applicant(kind="legal", name="某某公司", uscc=USCC),
        form_data={"shop": "店", "kind": "零售"},
    )
    case_accept(case=case, staff=world.clerk)
    assert not Message.objects.exists()


def test_a_signed_in_visitors_count_never_reaches_the_public_cache(world: World) -> None:
    submit(world)
    signed_in = login(world.citizen).get("/c/qinghe/")
    assert "Messages (1)" in signed_in.content.decode()
    assert "X-Cache" not in signed_in
    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for expected in ("miss", "hit"):
        response = anonymous.get("/c/qinghe/")
        assert response["X-Cache"] == expected
        assert "Messages (" not in response.content.decode()
    again = login(world.citizen).get("/c/qinghe/")
    assert "X-Cache" not in again
    assert "Messages (1)" in again.content.decode()
