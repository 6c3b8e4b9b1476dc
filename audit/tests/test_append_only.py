"""Nobody edits or deletes the log from the application: the database refuses it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client

from accounts.models import User
from audit.models import AuditDay, AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_change_an_entry(db: None) -> None:
    entry = audit_record(action="case.accepted", target_id="GH20261126-000001")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(target_id="GH20261126-000002")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.action = "case.refused"
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).target_id == "GH20261126-000001"


def test_the_database_refuses_raw_sql_that_changes_or_deletes_an_entry(db: None) -> None:
    entry = audit_record(action="case.accepted")
    for sql in (
        "UPDATE audit_auditentry SET action = 'case.refused' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="case.accepted").exists()


def test_the_database_refuses_to_delete_an_entry_or_a_day(db: None) -> None:
    entry = audit_record(action="auth.login")
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditDay.objects.filter(day=entry.day).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_sealed_day_can_no_longer_change(db: None) -> None:
    with time_machine.travel(dt.datetime(2030, 3, 5, 2, tzinfo=dt.UTC), tick=False):
        audit_record(action="auth.login")
    with time_machine.travel(dt.datetime(2030, 3, 6, 2, tzinfo=dt.UTC), tick=False):
        audit_record(action="auth.login")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditDay.objects.filter(day=dt.date(2030, 3, 5)).update(count=0)


def test_deleting_a_user_leaves_their_entries_readable(db: None) -> None:
    user = User.objects.create_user(username="leaver", password="x")
    entry = audit_record(action="auth.login", actor=user)
    user.delete()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_label) == (entry.actor_id, "leaver")


def test_the_admin_shows_the_log_but_offers_no_way_to_add_change_or_delete(
    client: Client,
) -> None:
    admin = User.objects.create_superuser(username="root", password="x")
    entry = audit_record(action="auth.login", actor=admin)
    client.force_login(admin)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/audit/auditday/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
