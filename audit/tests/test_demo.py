"""The demo center's log: `audit_verify` passes after the real seed_demo, fails once tampered."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from audit.models import AuditEntry
from audit.tests.conftest import drop_append_only_triggers
from catalog.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_log_verifies_and_a_tampered_row_is_named(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    client = Client(REMOTE_ADDR="10.0.0.8")
    client.post("/accounts/login/", {"username": "demo-clerk", "password": "wrong"})
    assert (
        client.post(
            "/accounts/login/", {"username": "demo-clerk", "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"auth.permissions", "catalog.change", "auth.login_failed", "auth.login"} <= actions
    out = StringIO()
    # The log-in left the page language (Chinese) active in this thread.
    with translation.override("en"):
        call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()

    tampered = AuditEntry.objects.filter(action="auth.login").get()
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET ip = %s WHERE id = %s", ["10.6.6.6", tampered.pk]
        )
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=f"Entry {tampered.pk} .*changed after it was written"),
    ):
        call_command("audit_verify", stdout=StringIO())
