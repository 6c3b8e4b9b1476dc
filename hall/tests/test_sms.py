"""The SMS interface: the local backend keeps messages in the outbox; the setting picks another."""

from __future__ import annotations

from typing import Any

import pytest

from hall.models import OutboxMessage
from hall.sms import send_sms

pytestmark = pytest.mark.django_db

sent: list[tuple[str, str]] = []


class RecordingBackend:
    def send(self, *, mobile: str, text: str) -> None:
        sent.append((mobile, text))


def test_the_local_backend_writes_the_outbox_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="hall.sms"):
        send_sms(mobile="13800138000", text="hello")
    message = OutboxMessage.objects.get()
    assert (message.mobile, message.text, message.backend) == ("13800138000", "hello", "local")
    assert "138****8000" in caplog.text
    assert "13800138000" not in caplog.text


def test_the_setting_chooses_the_backend(settings: Any) -> None:
    settings.GOVHALL_SMS_BACKEND = "hall.tests.test_sms.RecordingBackend"
    send_sms(mobile="13800138000", text="hi")
    assert sent[-1] == ("13800138000", "hi")
    assert not OutboxMessage.objects.exists()
