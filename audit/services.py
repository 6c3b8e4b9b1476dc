"""Writes of the audit log: `audit_record`, which every app calls, appends to today's chain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditDay, AuditEntry

# A day rolls over at most once while a writer waits for the anchor's lock; a third look that
# still finds a sealed anchor on top means the anchors were edited by hand.
_OPEN_ATTEMPTS = 3


class AuditChainError(RuntimeError):
    """The anchors contradict each other: run `govhall audit_verify`."""


def request_ip(request: HttpRequest | None) -> str:
    """The address a request came from, as the web server saw it ("" without a request)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _open_day() -> tuple[AuditDay, dt.datetime]:
    """Lock the newest anchor, opening today's if the newest is an earlier day; and the time.

    The time is read after the lock is held, so times rise along the chain. If the clock reads
    a day before the newest anchor (a clock set back), the entry joins the newest anchor: the
    chain only grows at its end.
    """
    for _attempt in range(_OPEN_ATTEMPTS):
        # On PostgreSQL this row lock is what keeps two writers from forking the chain; SQLite's
        # IMMEDIATE transactions already admit one writer at a time.
        latest = AuditDay.objects.select_for_update().order_by("-day").first()
        at = timezone.now()
        # The center's day, whatever time zone a request may have activated.
        today = timezone.localdate(at, timezone.get_default_timezone())
        if latest is not None and latest.sealed_at is not None:
            # Another writer opened a later day while this one waited for the lock: look again.
            continue
        if latest is not None and latest.day >= today:
            return latest, at
        previous_hash = latest.last_hash if latest is not None else GENESIS_HASH
        try:
            # A savepoint: two first-ever writers may both try to open the first day.
            with transaction.atomic():
                if latest is not None:
                    AuditDay.objects.filter(pk=latest.pk).update(sealed_at=at)
                opened = AuditDay.objects.create(
                    day=today, first_previous_hash=previous_hash, last_hash=previous_hash
                )
        except IntegrityError:
            continue
        return opened, at
    raise AuditChainError("The audit log's newest day is sealed: run `govhall audit_verify`.")


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any]:
    # What is hashed must be what the database gives back: dates, decimals and the like become
    # the strings the JSON column would store anyway.
    if not data:
        return {}
    safe: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return safe


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target_type: str = "",
    target_id: str = "",
    center_id: int | None = None,
    data: dict[str, Any] | None = None,
    ip: str = "",
) -> AuditEntry:
    """Append an entry to today's chain, inside the caller's transaction if there is one.

    The entry exists exactly when the caller's change commits. Costs one row lock, one insert and
    one update of the day's anchor; on PostgreSQL the lock is held until the caller commits, so
    call this late in a transaction.
    """
    user = actor if isinstance(actor, AbstractBaseUser) else None
    # No savepoint when joining a transaction: a failed append must fail the change it records.
    with transaction.atomic(savepoint=False):
        day, at = _open_day()
        entry = AuditEntry(
            day=day.day,
            seq=day.count + 1,
            at=at,
            actor_id=user.pk if user is not None else None,
            actor_label=user.get_username()[:150] if user is not None else "",
            action=action[:50],
            target_type=target_type[:30],
            target_id=str(target_id)[:64],
            center_id=center_id,
            ip=ip[:45],
            data=_json_safe(data),
            previous_hash=day.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        AuditDay.objects.filter(pk=day.pk).update(count=entry.seq, last_hash=entry.hash)
    return entry
