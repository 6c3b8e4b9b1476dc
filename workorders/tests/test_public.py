"""The public form and follow-up page, and the complaint figures of the public figures page."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.conf import settings
from django.test import Client

from accounts.models import Message
from workorders import services
from workorders.models import Kind, State, WorkOrder
from workorders.selectors import complaint_figures
from workorders.tests.conftest import People, complaint


def _client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _send_anonymous(people: People, client: Client) -> tuple[str, str]:
    slug = people.world.center.slug
    sent = client.post(
        f"/workorders/c/{slug}/new/",
        {"kind": "complaint", "content": "窗口人员中途离岗", "anonymous": "1"},
        follow=True,
    )
    assert sent.status_code == 200
    page = sent.content.decode()
    number = re.search(r'data-testid="work-order-number">(GD[\d-]+)<', page)
    code = re.search(r'data-testid="follow-code">([A-Z0-9]{8})<', page)
    assert number and code
    return number.group(1), code.group(1)


def test_an_anonymous_complaint_gets_its_code_once_and_follows_with_it(people: People) -> None:
    client = _client()
    number, code = _send_anonymous(people, client)
    order = WorkOrder.objects.get(number=number)
    assert order.anonymous and order.follow_code_hash and code not in order.follow_code_hash
    assert Message.objects.filter(user=people.manager, kind="work_order.received").exists()
    # Shown once: the confirmation page again has no code.
    again = client.get(f"/workorders/c/{people.world.center.slug}/received/")
    assert again.status_code == 302
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    services.work_order_sign(work_order=order, actor=people.head)
    services.work_order_handle(work_order=order, actor=people.head, note="内部备注")
    services.work_order_reply(work_order=order, actor=people.head, reply="已调整窗口值守安排")
    found = client.post("/workorders/follow/", {"number": number, "code": code.lower()})
    page = found.content.decode()
    assert found.status_code == 200
    assert "已调整窗口值守安排" in page and "Replied" in page and "Dispatched" in page
    assert "内部备注" not in page


def test_a_wrong_code_answers_as_an_unknown_number_does(people: People) -> None:
    client = _client()
    number, code = _send_anonymous(people, client)
    wrong = client.post("/workorders/follow/", {"number": number, "code": "AAAAAAAA"})
    unknown = client.post("/workorders/follow/", {"number": "GD20260928-999999", "code": code})
    assert wrong.status_code == unknown.status_code == 404
    alert = re.compile(r'role="alert">([^<]*)<')
    assert alert.findall(wrong.content.decode()) == alert.findall(unknown.content.decode())
    assert alert.findall(wrong.content.decode()) == ["No work order matches this number and code."]


def test_staff_entered_orders_have_no_code_to_follow(people: People) -> None:
    order = complaint(people)
    assert order.follow_code_hash == ""
    found = _client().post("/workorders/follow/", {"number": order.number, "code": ""})
    assert found.status_code == 404


def test_failed_look_ups_are_throttled(people: People) -> None:
    client = _client()
    for _attempt in range(10):
        client.post("/workorders/follow/", {"number": "GD1", "code": "X"})
    refused = client.post("/workorders/follow/", {"number": "GD1", "code": "X"})
    assert refused.status_code == 429


def test_the_public_form_is_throttled_and_explains_bad_input(people: People) -> None:
    client = _client()
    slug = people.world.center.slug
    bad = client.post(f"/workorders/c/{slug}/new/", {"kind": "complaint", "content": ""})
    assert bad.status_code == 422
    assert "Say what the work order is about." in bad.content.decode()
    for _attempt in range(4):
        client.post(f"/workorders/c/{slug}/new/", {"kind": "complaint", "content": ""})
    refused = client.post(f"/workorders/c/{slug}/new/", {"kind": "complaint", "content": "x"})
    assert refused.status_code == 429
    assert WorkOrder.objects.count() == 0


def test_complaint_figures_count_complaints_received_in_the_period(
    people: People, frozen: time_machine.Traveller
) -> None:
    on_time = complaint(people)  # received 2026-09-28, due 2026-10-21
    open_one = complaint(people)
    complaint(people, kind=Kind.SUGGESTION, content="加座椅")
    for order in (on_time,):
        services.work_order_dispatch(
            work_order=order, actor=people.manager, department=people.market
        )
        services.work_order_sign(work_order=order, actor=people.head)
        services.work_order_handle(work_order=order, actor=people.head)
        services.work_order_reply(work_order=order, actor=people.head, reply="已处理")
        services.work_order_conclude(work_order=order, actor=people.manager)
    frozen.move_to(dt.datetime.fromisoformat("2026-10-30T10:00:00+08:00"))
    late = complaint(people)
    late.refresh_from_db()
    assert open_one.state == State.RECEIVED
    figures = complaint_figures(
        center_id=people.world.center.pk, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    assert (figures.received, figures.concluded, figures.on_time) == (2, 1, 1)
    assert figures.on_time_rate == 1.0
    empty = complaint_figures(
        center_id=people.world.center.pk, start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 31)
    )
    assert empty.received == 0 and empty.on_time_rate is None
