"""The Huey consumer killed with SIGKILL while it sends text messages, supervision alerts and
webhooks, again and again, and started after each kill: every message, alert and delivery
reaches the receiver at least once and is recorded exactly once.

Each kill lands while a request is with the receiver (it answers a moment after it records), so
the killed worker has handed that message over but not marked it: that one must go again.
"""

from __future__ import annotations

import time

import pytest
from django.db.models import Count, Q

from cases.models import Light
from hall.models import OutboxMessage
from sharing.models import DeliveryStatus, WebhookDelivery
from supervision.models import LightAlert
from tests.crash.harness import CLAIM_LEASE_SECONDS, Deployment, Receiver, receiver
from tests.crash.seed import HEAD_MOBILE

pytestmark = [pytest.mark.crash, pytest.mark.django_db(transaction=True)]

MESSAGES = 20
CASES = 10
# Requests the receiver takes between two kills, and how many kills at most.
KILL_EVERY = 13
ROUNDS = 8
ROUND_SECONDS = 20.0


def _settled(installed: Deployment) -> bool:
    """Nothing is left to send: the alerts raised, every message sent, every delivery
    delivered."""
    with installed.orm():
        return (
            OutboxMessage.objects.count() >= MESSAGES + CASES
            and OutboxMessage.objects.filter(mobile=HEAD_MOBILE).count() >= CASES
            and not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
            and WebhookDelivery.objects.count() == CASES
            and not WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
        )


def _run_with_kills(installed: Deployment, outside: Receiver) -> int:
    """Start the worker and kill it each time KILL_EVERY more requests have arrived, until all
    is sent; the number of kills, each while a request waited for its answer."""
    kills = 0
    for _round in range(ROUNDS):
        worker = installed.start_worker()
        target = outside.total() + KILL_EVERY
        deadline = time.monotonic() + ROUND_SECONDS
        while time.monotonic() < deadline:
            if outside.wait_for(target, 0.5):
                # The request that made the count is still waiting for its answer.
                installed.kill(worker)
                kills += 1
                # The next worker finds the killed one's claims lapsed when it starts.
                time.sleep(CLAIM_LEASE_SECONDS)
                break
            if _settled(installed):
                installed.kill(worker)
                return kills
        else:
            installed.kill(worker)
    raise AssertionError(f"not all sent after {ROUNDS} rounds:\n{installed.log('huey.log')}")


def test_a_killed_worker_sends_everything_at_least_once_and_records_it_once(
    installed: Deployment,
) -> None:
    with receiver(delay=0.1) as outside:
        installed.env["GOVHALL_CRASH_GATEWAY_URL"] = f"{outside.url}/sms"
        installed.seed(
            "--webhook-url",
            f"{outside.url}/webhook",
            "--cases",
            str(CASES),
            "--messages",
            str(MESSAGES),
        )
        kills = _run_with_kills(installed, outside)

    assert kills >= 2
    with installed.orm():
        messages = list(OutboxMessage.objects.values_list("text", "status"))
        alerts = list(
            LightAlert.objects.filter(
                recipient__mobile=HEAD_MOBILE, stage__isnull=True
            ).values_list("case__number", "light")
        )
        alerted = list(
            OutboxMessage.objects.filter(mobile=HEAD_MOBILE).values_list("text", flat=True)
        )
        deliveries = dict(WebhookDelivery.objects.values_list("event_key", "status"))
        succeeded = list(
            WebhookDelivery.objects.annotate(
                succeeded=Count("tries", filter=Q(tries__succeeded=True))
            ).values_list("succeeded", flat=True)
        )
    # Recorded once: one row each, sent; one successful attempt recorded per delivery.
    texts = [text for text, _status in messages]
    assert all(texts.count(f"crash message {index}") == 1 for index in range(MESSAGES))
    assert {status for _text, status in messages} == {OutboxMessage.Status.SENT}
    assert len(alerts) == CASES
    assert all(light == Light.RED for _number, light in alerts)
    # One text per alert, even when a kill cut a sweep or a sending short.
    assert len(alerted) == CASES
    assert all(sum(number in text for text in alerted) == 1 for number, _light in alerts)
    assert len(deliveries) == CASES
    assert set(deliveries.values()) == {DeliveryStatus.DELIVERED}
    assert succeeded == [1] * CASES
    # Delivered at least once, and the requests a kill cut short went again.
    assert set(outside.sms) == set(texts)
    assert set(outside.webhooks) == set(deliveries)
    again = sum(n - 1 for n in outside.sms.values()) + sum(n - 1 for n in outside.webhooks.values())
    assert again >= kills
