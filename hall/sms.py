"""Text messages to citizens' mobiles through a pluggable backend (setting GOVHALL_SMS_BACKEND).

The default `LocalBackend` delivers nothing: it keeps each message in the outbox table and the
log, where a demo user reads the code. A gateway backend is a class with the same `send` method
(an HTTP client of the operator's SMS platform), named by its dotted path in the setting.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from govhall.identifiers import mask_mobile
from hall.models import OutboxMessage

DEFAULT_BACKEND = "hall.sms.LocalBackend"

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, mobile: str, text: str) -> None: ...


class LocalBackend:
    """Writes the message to the outbox table and the log instead of sending it."""

    def send(self, *, mobile: str, text: str) -> None:
        OutboxMessage.objects.create(
            mobile=mobile, text=text, status=OutboxMessage.Status.SENT, backend="local"
        )
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "GOVHALL_SMS_BACKEND", DEFAULT_BACKEND)
    backend_class: type[SmsBackend] = import_string(path)
    return backend_class()


def send_sms(*, mobile: str, text: str) -> None:
    """Send one text message to a mobile number through the configured backend."""
    sms_backend().send(mobile=mobile, text=text)
