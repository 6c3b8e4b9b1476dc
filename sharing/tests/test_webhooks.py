"""Webhooks: what happens to a department's cases reaches its URL signed, retried with backoff
until the receiver takes it, every attempt recorded."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.services import case_accept
from cases.tests.conftest import accept, submit
from sharing.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from sharing.tests.conftest import Registry
from sharing.webhooks import (
    SIGNATURE_HEADER,
    signature,
    webhook_deliveries_send,
    webhook_events_collect,
    webhook_subscription_create,
)


@dataclass
class Receiver:
    url: str
    failures_left: int
    received: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 that answers 500 twice, then 200."""
    settings.GOVHALL_WEBHOOK_ALLOW_PRIVATE = True
    state = Receiver(url="", failures_left=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = 500 if state.failures_left > 0 else 200
            state.failures_left -= 1
            state.received.append((dict(self.headers.items()), body, code))
            self.send_response(code)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/govhall"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in headers[SIGNATURE_HEADER].split(","))
    return parts["v1"] == signature(secret, int(parts["t"]), body)


def test_a_receiver_that_fails_twice_gets_the_third_attempt_signed(
    registry: Registry, receiver: Receiver, frozen: time_machine.Traveller
) -> None:
    subscription = webhook_subscription_create(
        department=registry.licence.issuer,
        url=receiver.url,
        events=[WebhookEvent.CASE_ACCEPTED],
        actor=registry.head,
    )
    case = accept(registry.world, submit(registry.world))
    assert webhook_events_collect() == 1
    assert webhook_events_collect() == 0

    assert webhook_deliveries_send() == 1
    assert webhook_deliveries_send() == 0  # the retry waits a minute
    frozen.shift(dt.timedelta(seconds=61))
    assert webhook_deliveries_send() == 1
    frozen.shift(dt.timedelta(seconds=61))
    assert webhook_deliveries_send() == 0  # then two minutes
    frozen.shift(dt.timedelta(seconds=60))
    assert webhook_deliveries_send() == 1

    assert [code for _headers, _body, code in receiver.received] == [500, 500, 200]
    headers, body, _code = receiver.received[-1]
    assert verified(subscription.secret, headers, body)
    assert not verified("another secret", headers, body)
    payload = json.loads(body)
    assert payload["event"] == "case.accepted"
    assert payload["case"]["number"] == case.number
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [(t.number, t.response_code, t.succeeded) for t in delivery.tries.all()] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    assert "500" in delivery.tries.first().error  # type: ignore[union-attr]


def test_a_delivery_is_given_up_after_its_attempts(
    registry: Registry, receiver: Receiver, settings: Any, frozen: time_machine.Traveller
) -> None:
    settings.GOVHALL_WEBHOOK_MAX_ATTEMPTS = 2
    webhook_subscription_create(
        department=registry.licence.issuer,
        url=receiver.url,
        events=[WebhookEvent.CASE_ACCEPTED],
        actor=registry.head,
    )
    accept(registry.world, submit(registry.world))
    webhook_events_collect()
    webhook_deliveries_send()
    frozen.shift(dt.timedelta(minutes=5))
    webhook_deliveries_send()
    frozen.shift(dt.timedelta(hours=5))
    assert webhook_deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


def test_a_department_receives_only_the_events_of_its_cases_it_chose(
    registry: Registry, receiver: Receiver
) -> None:
    world = registry.world
    webhook_subscription_create(
        department=registry.licence.issuer,
        url=receiver.url,
        events=[WebhookEvent.CASE_CONCLUDED],
        actor=registry.head,
    )
    accept(world, submit(world))
    case_accept(case=submit(world, item=world.other_item, key="o"), staff=world.other_clerk)
    assert webhook_events_collect() == 0


def test_an_event_committed_late_is_still_delivered(
    registry: Registry, receiver: Receiver, frozen: time_machine.Traveller
) -> None:
    webhook_subscription_create(
        department=registry.licence.issuer,
        url=receiver.url,
        events=[WebhookEvent.CASE_ACCEPTED],
        actor=registry.head,
    )
    first = accept(registry.world, submit(registry.world))
    assert webhook_events_collect() == 1
    # A row numbered after the cursor's reads but older than the window: the sweep rereads it.
    frozen.shift(dt.timedelta(minutes=3))
    second = accept(registry.world, submit(registry.world, key="k2"))
    assert webhook_events_collect() == 1
    keys = set(WebhookDelivery.objects.values_list("payload__case__number", flat=True))
    assert keys == {first.number, second.number}
    frozen.shift(dt.timedelta(minutes=30))
    assert webhook_events_collect() == 0


def test_only_the_departments_head_registers_a_webhook_and_the_url_is_checked(
    registry: Registry,
) -> None:
    with pytest.raises(PermissionDenied):
        webhook_subscription_create(
            department=registry.licence.issuer,
            url="https://example.org/hook",
            events=[WebhookEvent.CASE_ACCEPTED],
            actor=registry.other_head,
        )
    with pytest.raises(ValidationError):
        webhook_subscription_create(
            department=registry.licence.issuer,
            url="ftp://example.org/hook",
            events=[WebhookEvent.CASE_ACCEPTED],
            actor=registry.head,
        )
    with pytest.raises(ValidationError):
        webhook_subscription_create(
            department=registry.licence.issuer,
            url="https://example.org/hook",
            events=["case.exploded"],
            actor=registry.head,
        )


def test_a_private_address_is_refused_unless_allowed(
    registry: Registry, receiver: Receiver, settings: Any
) -> None:
    settings.GOVHALL_WEBHOOK_ALLOW_PRIVATE = False
    webhook_subscription_create(
        department=registry.licence.issuer,
        url=receiver.url,
        events=[WebhookEvent.CASE_ACCEPTED],
        actor=registry.head,
    )
    accept(registry.world, submit(registry.world))
    webhook_events_collect()
    webhook_deliveries_send(now=timezone.now())
    attempt = WebhookDelivery.objects.get().tries.get()
    assert "private address" in attempt.error
    assert receiver.received == []
