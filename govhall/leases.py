"""Queued rows (text messages, webhook deliveries) taken by one worker at a time, with a lease.

A row waits with the time of its next attempt. A worker takes it by moving that time to the end
of its lease, guarded by the time it read: of two workers, only one moves it. A worker that dies
holding a row leaves it to be taken again when the lease ends, so a row is sent at least once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet


def lease_take(
    rows: QuerySet[Any], *, pk: int, seen_due_at: dt.datetime | None, until: dt.datetime
) -> bool:
    """Take the row `pk` among `rows` (the pending ones) until `until`, unless another worker
    took it since its next attempt was read as `seen_due_at`."""
    return rows.filter(pk=pk, next_attempt_at=seen_due_at).update(next_attempt_at=until) == 1


def backoff(first: dt.timedelta, attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed attempt a row is tried again: first, 2×, 4×…"""
    factor: int = 2 ** (attempts - 1)
    return first * factor
