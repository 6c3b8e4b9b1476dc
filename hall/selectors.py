"""Reads of the queue floor: a ticket's place and expected wait, and what the hall screen shows."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Center, Counter, QueueCategory
from hall.models import CounterState, HallNotice, HallPolicy, Ticket, TicketEvent
from hall.services.tickets import policy_for, policy_for_center_id

RECENT_SERVICES = 30


def average_service_minutes(category: QueueCategory, policy: HallPolicy, day: dt.date) -> float:
    """Mean length of the category's last services today, or the policy's figure before any.

    Kept a minute in the cache: every ticket's estimate asks for it, and it moves slowly.
    """
    key = f"hall:service-minutes:{category.pk}:{day.isoformat()}:{policy.average_service_minutes}"
    cached: float | None = cache.get(key)
    if cached is not None:
        return cached
    recent = (
        Ticket.objects.filter(
            category=category,
            service_date=day,
            status=Ticket.Status.DONE,
            service_started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("service_started_at", "finished_at")[:RECENT_SERVICES]
    )
    lengths = [(end - start).total_seconds() / 60 for start, end in recent if start and end]
    minutes = (
        max(1.0, sum(lengths) / len(lengths))
        if len(lengths) >= 3
        else float(policy.average_service_minutes)
    )
    cache.set(key, minutes, 60)
    return minutes


def queue_category_get(*, center: Center, letter: str) -> QueueCategory:
    """The center's queue with this letter (any case); 404 with a message otherwise."""
    category = QueueCategory.objects.filter(center=center, letter=letter.upper()).first()
    if category is None:
        raise Http404(_("There is no queue %(letter)s here.") % {"letter": letter})
    return category


def open_counters(category: QueueCategory) -> int:
    return Counter.objects.filter(
        categories=category,
        state__status__in=[CounterState.Status.FREE, CounterState.Status.SERVING],
    ).count()


@dataclass(frozen=True)
class TicketProgress:
    """Where a ticket stands: people ahead, counters open for it, the expected wait."""

    ahead: int
    counters_open: int
    estimated_minutes: int | None


def ticket_progress(ticket: Ticket, policy: HallPolicy | None = None) -> TicketProgress:
    """People ahead, open counters and the expected wait (the caller may pass the policy)."""
    if ticket.status != Ticket.Status.WAITING:
        return TicketProgress(ahead=0, counters_open=0, estimated_minutes=None)
    ahead = (
        Ticket.objects.waiting()
        .filter(category_id=ticket.category_id, service_date=ticket.service_date)
        .filter(Q(queue_at__lt=ticket.queue_at) | Q(queue_at=ticket.queue_at, pk__lt=ticket.pk))
        .count()
    )
    counters = open_counters(ticket.category)
    policy = policy or policy_for_center_id(ticket.center_id)
    minutes = average_service_minutes(ticket.category, policy, ticket.service_date)
    # With no counter open the wait cannot be estimated honestly; say so rather than guess.
    estimate = math.ceil((ahead + 1) * minutes / counters) if counters else None
    return TicketProgress(ahead=ahead, counters_open=counters, estimated_minutes=estimate)


@dataclass(frozen=True)
class CategoryLoad:
    category: QueueCategory
    waiting: int
    longest_wait_minutes: int
    counters_open: int


def category_loads(center: Center, now: dt.datetime | None = None) -> list[CategoryLoad]:
    """Waiting count, longest wait and open counters of every queue of the center, today."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    waiting = {
        row["category"]: row
        for row in Ticket.objects.waiting()
        .filter(center=center, service_date=day)
        .values("category")
        .annotate(count=Count("pk"), earliest=Min("issued_at"))
    }
    open_by_category = {
        row["categories"]: row["count"]
        for row in Counter.objects.filter(
            center=center,
            state__status__in=[CounterState.Status.FREE, CounterState.Status.SERVING],
        )
        .values("categories")
        .annotate(count=Count("pk"))
    }
    loads = []
    for category in QueueCategory.objects.filter(center=center):
        row = waiting.get(category.pk)
        longest = int((now - row["earliest"]).total_seconds() // 60) if row else 0
        loads.append(
            CategoryLoad(
                category=category,
                waiting=row["count"] if row else 0,
                longest_wait_minutes=longest,
                counters_open=open_by_category.get(category.pk, 0),
            )
        )
    return loads


def display_snapshot(center: Center, now: dt.datetime | None = None) -> dict[str, object]:
    """Everything the hall screen shows, as plain data (served as JSON to the screens)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    calls = (
        TicketEvent.objects.filter(
            ticket__center=center,
            ticket__service_date=day,
            kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED],
        )
        .select_related("ticket", "counter")
        .order_by("-at", "-pk")[:8]
    )
    states = (
        CounterState.objects.filter(counter__center=center)
        .exclude(status=CounterState.Status.CLOSED)
        .select_related("counter", "staff", "ticket")
        .order_by("counter__number")
    )
    policy = policy_for(center)
    return {
        "center": center.name,
        "at": now.isoformat(),
        "calls": [
            {
                "id": event.pk,
                "number": event.ticket.number,
                "counter": event.counter.number if event.counter else None,
                "recall": event.kind == TicketEvent.Kind.RECALLED,
                "at": event.at.isoformat(),
                "text": policy.call_template.format(
                    number=event.ticket.number,
                    counter=event.counter.number if event.counter else "",
                ),
            }
            for event in calls
        ],
        "counters": [
            {
                "number": state.counter.number,
                "status": state.status,
                "status_label": str(state.get_status_display()),
                "ticket": state.ticket.number if state.ticket else None,
                "pause_reason": state.pause_reason,
            }
            for state in states
        ],
        "queues": [
            {
                "letter": load.category.letter,
                "name": load.category.name,
                "waiting": load.waiting,
                "longest_wait_minutes": load.longest_wait_minutes,
                "counters_open": load.counters_open,
            }
            for load in category_loads(center, now)
        ],
        "notices": list(
            HallNotice.objects.filter(center=center, active=True).values_list("text", flat=True)
        ),
    }


def served_today_average_wait(center: Center, day: dt.date) -> float | None:
    """Mean minutes from issue to call of today's called tickets (for the manager's board)."""
    result = Ticket.objects.filter(
        center=center, service_date=day, called_at__isnull=False
    ).aggregate(
        wait=Avg(ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField()))
    )["wait"]
    return result.total_seconds() / 60 if result is not None else None
