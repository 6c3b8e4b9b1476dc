"""The hall manager's alerts: a queue waits or grows too long, and how many counters to add.

A check raises an alert per category and kind when the condition holds (at most one open at a
time, which a partial unique constraint guarantees even against a concurrent check), keeps the
open alert's figures current, and resolves it when the condition has cleared.

Counters to open: enough counters serve the queue within the target wait when
    needed = ceil(waiting × average service minutes ÷ target wait minutes)
where the target is the policy's wait threshold (30 minutes when that alert is off); the
suggestion is needed − counters open, and at least 1 while an alert stands. A threshold of 0
turns that kind of alert off.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Center
from hall.models import HallAlert, HallPolicy
from hall.selectors import CategoryLoad, average_service_minutes, category_loads
from hall.services.tickets import policy_for

TARGET_WAIT_WHEN_OFF_MINUTES = 30


def counters_to_open(
    *, waiting: int, service_minutes: float, target_minutes: int, open_now: int
) -> int:
    """How many more counters would serve the waiting people within the target wait (≥ 1)."""
    needed = math.ceil(waiting * service_minutes / target_minutes)
    return max(1, needed - open_now)


def _breaches(load: CategoryLoad, policy: HallPolicy) -> dict[str, tuple[int, int]]:
    """The alert kinds this queue is in, each with its value and threshold."""
    breaches = {}
    if policy.wait_alert_minutes and load.longest_wait_minutes > policy.wait_alert_minutes:
        breaches[HallAlert.Kind.WAIT.value] = (load.longest_wait_minutes, policy.wait_alert_minutes)
    if policy.queue_alert_length and load.waiting > policy.queue_alert_length:
        breaches[HallAlert.Kind.LENGTH.value] = (load.waiting, policy.queue_alert_length)
    return breaches


def _raise(
    *,
    center: Center,
    load: CategoryLoad,
    kind: str,
    value: int,
    threshold: int,
    to_open: int,
    now: dt.datetime,
) -> None:
    updated = HallAlert.objects.filter(
        category=load.category, kind=kind, resolved_at__isnull=True
    ).update(value=value, threshold=threshold, counters_to_open=to_open)
    if updated:
        return
    try:
        with transaction.atomic():
            HallAlert.objects.create(
                center=center,
                category=load.category,
                kind=kind,
                value=value,
                threshold=threshold,
                counters_to_open=to_open,
                raised_at=now,
            )
    except IntegrityError:
        # A concurrent check raised the same alert a moment ago: it stands, with its figures.
        return


def hall_alerts_check(*, center: Center, now: dt.datetime | None = None) -> list[HallAlert]:
    """Raise, update and resolve the center's queue alerts; return the alerts open afterwards."""
    now = now or timezone.now()
    policy = policy_for(center)
    day = timezone.localdate(now)
    for load in category_loads(center, now):
        breaches = _breaches(load, policy)
        HallAlert.objects.filter(category=load.category, resolved_at__isnull=True).exclude(
            kind__in=list(breaches)
        ).update(resolved_at=now)
        if not breaches:
            continue
        to_open = counters_to_open(
            waiting=load.waiting,
            service_minutes=average_service_minutes(load.category, policy, day),
            target_minutes=policy.wait_alert_minutes or TARGET_WAIT_WHEN_OFF_MINUTES,
            open_now=load.counters_open,
        )
        for kind, (value, threshold) in breaches.items():
            _raise(
                center=center,
                load=load,
                kind=kind,
                value=value,
                threshold=threshold,
                to_open=to_open,
                now=now,
            )
    return list(
        HallAlert.objects.filter(center=center, resolved_at__isnull=True)
        .select_related("category")
        .order_by("raised_at", "pk")
    )
