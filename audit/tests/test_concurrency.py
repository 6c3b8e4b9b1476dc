"""Many writers appending at once leave one unbroken chain (PostgreSQL's row lock)."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from audit.selectors import chain_verify
from audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
APPENDS = 25


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers by its IMMEDIATE transactions; the row lock is PostgreSQL's",
)
def test_eight_writers_appending_at_once_leave_a_valid_chain() -> None:
    before = AuditEntry.objects.count()
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for number in range(APPENDS):
                # Each in its own transaction that goes on a moment after the append, as a
                # service would: the lock is held until commit, and the others queue for it.
                with transaction.atomic():
                    audit_record(action="test.append", target_id=f"{index}-{number}")
                    time.sleep(0.001)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert AuditEntry.objects.count() == before + WRITERS * APPENDS
    report = chain_verify()
    assert report.broken is None, report.broken
    # The writers' entries interleave, or the test proved nothing about concurrency.
    order = list(
        AuditEntry.objects.filter(action="test.append")
        .order_by("day", "seq")
        .values_list("target_id", flat=True)
    )
    writers_in_order = [target.split("-")[0] for target in order]
    switches = sum(1 for a, b in itertools.pairwise(writers_in_order) if a != b)
    assert switches > WRITERS - 1
