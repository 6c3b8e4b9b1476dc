"""Text messages to citizens' and staff's mobiles: an outbox that the worker empties through a
pluggable backend (setting GOVHALL_SMS_BACKEND).

`send_sms` only queues: it writes an outbox row in the caller's transaction, so a message exists
exactly when the change that decided it was committed, and wakes the worker once that commits.
The worker (`sms_outbox_send`, also run every minute) claims each due row with a conditional
UPDATE, hands it to the backend named on the row, then marks it sent. A worker killed between
the hand-over and the mark leaves the row claimed; once the claim lapses another worker sends it
again: a message is delivered at least once and recorded once.

The default `LocalBackend` delivers nothing but the log: a demo user reads the codes on the
outbox page. A gateway backend is a class with the same `send` method (an HTTP client of the
operator's SMS platform) that raises when the platform refuses, named by its dotted path.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from govhall.identifiers import mask_mobile
from govhall.leases import backoff, lease_take
from hall.models import OutboxMessage

DEFAULT_BACKEND = "hall.sms.LocalBackend"
SEND_BATCH = 200
MAX_ATTEMPTS = 6

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, mobile: str, text: str) -> None: ...


class LocalBackend:
    """Writes the message to the log instead of sending it: the outbox row is its delivery."""

    def send(self, *, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


def claim_lease() -> dt.timedelta:
    """How long a worker's claim on a message holds before another may send it again."""
    seconds: int = getattr(settings, "GOVHALL_SMS_CLAIM_LEASE_SECONDS", 300)
    return dt.timedelta(seconds=seconds)


# A refused message is tried again after 1, 2, 4, 8... minutes.
FIRST_RETRY = dt.timedelta(minutes=1)


def send_sms(*, mobile: str, text: str) -> OutboxMessage:
    """Queue one text message to a mobile number, through the backend configured now."""
    message = OutboxMessage.objects.create(
        mobile=mobile,
        text=text,
        status=OutboxMessage.Status.PENDING,
        backend=getattr(settings, "GOVHALL_SMS_BACKEND", DEFAULT_BACKEND),
        next_attempt_at=timezone.now(),
    )
    # Only a wake-up: if the queue cannot be reached, the minute's sweep sends the message.
    transaction.on_commit(_wake_worker, robust=True)
    return message


def _wake_worker() -> None:
    # Imported here: the tasks module imports the hall's services, which import this module.
    from hall.tasks import sms_outbox_sweep

    sms_outbox_sweep()


def _deliver(message: OutboxMessage, now: dt.datetime) -> bool:
    """Hand a claimed message to its backend and record the outcome; whether it went out."""
    attempts = message.attempts + 1
    try:
        backend: SmsBackend = import_string(message.backend)()
        backend.send(mobile=message.mobile, text=message.text)
    except Exception:
        # Whatever the gateway raised, the message stays queued and is retried, within limits.
        logger.exception("SMS %s to %s not sent", message.pk, mask_mobile(message.mobile))
        failed = attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
            attempts=attempts,
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
            next_attempt_at=None if failed else now + backoff(FIRST_RETRY, attempts),
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
        attempts=attempts,
        status=OutboxMessage.Status.SENT,
        next_attempt_at=None,
        sent_at=timezone.now(),
    )
    return True


def sms_outbox_send(*, now: dt.datetime | None = None) -> int:
    """Send every queued message whose time has come; the number sent."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")[:SEND_BATCH]
    )
    sent = 0
    for message in due:
        # A claim's lease runs from when it is taken, not from the start of a long batch.
        claimed_at = max(now, timezone.now())
        taken = lease_take(
            OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING),
            pk=message.pk,
            seen_due_at=message.next_attempt_at,
            until=claimed_at + claim_lease(),
        )
        if taken and _deliver(message, claimed_at):
            sent += 1
    return sent
