"""The SMS outbox: a message is queued with the change that decided it, handed to the backend by
the worker, marked sent once, and sent again only when a claim lapses or the backend refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from hall.models import OutboxMessage
from hall.sms import MAX_ATTEMPTS, claim_lease, send_sms, sms_outbox_send

pytestmark = pytest.mark.django_db

sent: list[tuple[str, str]] = []


class RecordingBackend:
    def send(self, *, mobile: str, text: str) -> None:
        sent.append((mobile, text))


class RefusingBackend:
    def send(self, *, mobile: str, text: str) -> None:
        raise ConnectionError("the gateway is down")


@pytest.fixture(autouse=True)
def _recording(settings: Any) -> None:
    sent.clear()
    settings.GOVHALL_SMS_BACKEND = "hall.tests.test_sms.RecordingBackend"


def test_a_message_is_queued_and_the_worker_sends_it_once() -> None:
    send_sms(mobile="13800138000", text="hi")
    assert not sent
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING

    assert sms_outbox_send() == 1
    assert sms_outbox_send() == 0

    message = OutboxMessage.objects.get()
    assert sent == [("13800138000", "hi")]
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)
    assert message.sent_at is not None


def test_a_message_of_a_rolled_back_change_is_never_queued() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        send_sms(mobile="13800138000", text="undone")
        raise RuntimeError("the change failed")
    assert sms_outbox_send() == 0
    assert not OutboxMessage.objects.exists()


def test_the_backend_is_the_one_configured_when_the_message_was_queued(settings: Any) -> None:
    send_sms(mobile="13800138000", text="recorded")
    settings.GOVHALL_SMS_BACKEND = "hall.tests.test_sms.RefusingBackend"
    sms_outbox_send()
    assert sent == [("13800138000", "recorded")]


def test_the_local_backend_writes_only_the_log_with_a_masked_mobile(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.GOVHALL_SMS_BACKEND = "hall.sms.LocalBackend"
    send_sms(mobile="13800138000", text="hello")
    with caplog.at_level("INFO", logger="hall.sms"):
        sms_outbox_send()
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert "138****8000" in caplog.text
    assert "13800138000" not in caplog.text


def test_a_claim_of_a_worker_that_died_lapses_and_the_message_goes_again() -> None:
    message = send_sms(mobile="13800138000", text="again")
    now = timezone.now()
    # A worker took it and was killed before marking it: the row stays claimed.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=now + claim_lease())

    assert sms_outbox_send(now=now) == 0
    assert sms_outbox_send(now=now + claim_lease() + dt.timedelta(seconds=1)) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_a_refused_message_is_retried_then_given_up(settings: Any) -> None:
    settings.GOVHALL_SMS_BACKEND = "hall.tests.test_sms.RefusingBackend"
    send_sms(mobile="13800138000", text="refused")
    later = timezone.now()
    for _attempt in range(MAX_ATTEMPTS):
        assert sms_outbox_send(now=later) == 0
        later += dt.timedelta(days=1)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, MAX_ATTEMPTS)
