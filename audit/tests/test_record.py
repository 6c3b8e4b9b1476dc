"""audit_record: entries chain one to the next, day by day, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit.models import GENESIS_HASH, AuditDay, AuditEntry
from audit.selectors import chain_verify
from audit.services import audit_record
from audit.tests.conftest import People, drop_append_only_triggers

pytestmark = pytest.mark.django_db

# 2030-03-05 10:00 in Beijing: later than any day the test database's own entries were made.
TUESDAY = dt.datetime(2030, 3, 5, 2, 0, tzinfo=dt.UTC)


def latest_hash() -> str:
    day = AuditDay.objects.order_by("-day").first()
    return day.last_hash if day is not None else GENESIS_HASH


def test_an_entry_keeps_who_did_what_to_which_record_and_chains_to_the_one_before(
    people: People,
) -> None:
    before = latest_hash()
    entry = audit_record(
        action="case.accepted",
        actor=people.supervisor,
        target_type="case",
        target_id="GH20261126-000001",
        center_id=people.center.pk,
        data={"from": 1, "to": 3},
        ip="10.0.0.7",
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_label) == (people.supervisor.pk, "supervisor")
    assert (stored.action, stored.target_type, stored.target_id) == (
        "case.accepted",
        "case",
        "GH20261126-000001",
    )
    assert (stored.center_id, stored.ip, stored.data) == (
        people.center.pk,
        "10.0.0.7",
        {"from": 1, "to": 3},
    )
    assert stored.previous_hash == before
    assert stored.hash == stored.compute_hash() == latest_hash()
    following = audit_record(action="auth.logout", actor=people.supervisor)
    assert following.previous_hash == entry.hash
    assert following.seq == entry.seq + 1
    assert chain_verify().broken is None


def test_an_entry_exists_only_if_the_change_it_records_commits(people: People) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="case.accepted", actor=people.clerk)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert chain_verify().broken is None


def test_an_anonymous_actor_is_recorded_as_nobody(db: None) -> None:
    entry = audit_record(action="auth.login_failed", actor=AnonymousUser(), target_id="who")
    assert entry.actor_id is None
    assert entry.actor_label == ""


def test_details_are_stored_as_json_and_still_match_their_hash_when_read_back(db: None) -> None:
    entry = audit_record(
        action="export",
        data={"day": dt.date(2026, 11, 26), "fee": Decimal("12.50"), "names": ["张三", "李四"]},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data == {"day": "2026-11-26", "fee": "12.50", "names": ["张三", "李四"]}
    assert stored.compute_hash() == stored.hash


def test_overlong_values_are_cut_to_their_columns_before_hashing(db: None) -> None:
    entry = audit_record(action="x" * 80, target_type="t" * 40, target_id="9" * 100)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (len(stored.action), len(stored.target_type), len(stored.target_id)) == (50, 30, 64)
    assert stored.compute_hash() == stored.hash


def test_a_new_day_opens_its_anchor_on_the_last_hash_of_the_day_before_and_seals_it(
    db: None,
) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        first = audit_record(action="auth.login")
        second = audit_record(action="auth.logout")
    tuesday = AuditDay.objects.get(day=dt.date(2030, 3, 5))
    assert (first.seq, second.seq) == (1, 2)
    assert (tuesday.count, tuesday.last_hash, tuesday.sealed_at) == (2, second.hash, None)
    with time_machine.travel(TUESDAY + dt.timedelta(days=1), tick=False):
        third = audit_record(action="auth.login")
    tuesday.refresh_from_db()
    wednesday = AuditDay.objects.get(day=dt.date(2030, 3, 6))
    assert tuesday.sealed_at == TUESDAY + dt.timedelta(days=1)
    assert wednesday.first_previous_hash == second.hash == third.previous_hash
    assert (third.day, third.seq, wednesday.count) == (wednesday.day, 1, 1)
    assert chain_verify().broken is None


def test_a_clock_set_back_adds_to_the_newest_day_rather_than_reopening_a_past_one(
    db: None,
) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        audit_record(action="auth.login")
    with time_machine.travel(TUESDAY - dt.timedelta(days=3), tick=False):
        late = audit_record(action="auth.logout")
    assert late.day == dt.date(2030, 3, 5)
    assert not AuditDay.objects.filter(day=dt.date(2030, 3, 2)).exists()
    assert chain_verify().broken is None


def test_the_very_first_entry_starts_from_the_genesis_hash(db: None) -> None:
    drop_append_only_triggers()
    AuditEntry.objects.all().delete()
    AuditDay.objects.all().delete()
    with time_machine.travel(TUESDAY, tick=False):
        entry = audit_record(action="auth.login")
    assert (entry.seq, entry.previous_hash) == (1, GENESIS_HASH)
    assert AuditDay.objects.get().first_previous_hash == GENESIS_HASH
    assert chain_verify().broken is None
