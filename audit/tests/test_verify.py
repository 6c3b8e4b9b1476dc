"""`govhall audit_verify`: passes on an untouched log, names the first entry that was tampered."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditDay, AuditEntry
from audit.services import audit_record
from audit.tests.conftest import People, drop_append_only_triggers

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def entries(people: People) -> list[AuditEntry]:
    return [
        audit_record(
            action="case.accepted",
            actor=people.clerk,
            target_type="case",
            target_id=f"GH20261126-00000{index}",
            center_id=people.center.pk,
            data={"from": 1, "to": 3},
        )
        for index in range(1, 6)
    ]


def test_an_untouched_log_passes_with_a_summary(entries: list[AuditEntry]) -> None:
    output = verify()
    assert "intact" in output
    assert f"(entries: {AuditEntry.objects.count()}, days: {AuditDay.objects.count()})" in output
    assert entries[-1].hash in output


def test_an_entry_edited_in_the_database_is_named_by_verify(entries: list[AuditEntry]) -> None:
    tampered = entries[2]
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET target_id = %s WHERE id = %s",
            ["GH20261126-999999", tampered.pk],
        )
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert f"Entry {tampered.pk} (" in message
    assert "changed after it was written" in message


def test_an_edit_that_also_rewrites_the_hash_breaks_the_link_of_the_next_entry(
    entries: list[AuditEntry],
) -> None:
    tampered = entries[1]
    tampered.target_id = "GH20261126-999999"
    forged = tampered.compute_hash()
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET target_id = %s, hash = %s WHERE id = %s",
            [tampered.target_id, forged, tampered.pk],
        )
    with pytest.raises(CommandError, match=f"Entry {entries[2].pk} .*previous hash"):
        verify()


def test_a_deleted_entry_is_noticed_at_the_one_after_it(entries: list[AuditEntry]) -> None:
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].pk])
    with pytest.raises(CommandError, match=f"Entry {entries[4].pk} .*were removed"):
        verify()


def test_removing_the_last_entries_of_a_day_contradicts_its_anchor(
    entries: list[AuditEntry],
) -> None:
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[4].pk])
    with pytest.raises(CommandError, match="anchor records"):
        verify()
