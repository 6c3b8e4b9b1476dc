"""Reads of the queue floor: a ticket's place and expected wait, and what the hall screen shows."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
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
    # A raw read: every ticket issued looks its queue up, and the ORM's query building (with
    # the category's default ordering through the center) cost ten times the read itself.
    found = list(
        QueueCategory.objects.raw(
            "SELECT * FROM catalog_queuecategory WHERE center_id = %s AND letter = %s",
            [center.pk, letter.upper()],
        )
    )
    if not found:
        raise Http404(_("There is no queue %(letter)s here.") % {"letter": letter})
    return found[0]


def counter_staff(counter: Counter) -> User | None:
    """Who is signed in at the counter (a counter terminal acts for them), or None.

    Only the key and the name are read (a terminal's every request asks); the user's other
    fields load on first use, as with `.only()`.
    """
    found = list(
        User.objects.raw(
            "SELECT u.id, u.username, u.full_name FROM accounts_user u"
            " JOIN hall_counterstate s ON s.staff_id = u.id WHERE s.counter_id = %s",
            [counter.pk],
        )
    )
    return found[0] if found else None


# Waiting tickets of the queue before this one, and the counters open for the queue: one
# statement, as every ticket issued answers with them. 'waiting' is written out so that SQLite
# counts along the partial index `ticket_waiting_idx` (it does so only for a literal).
_PROGRESS = """
    SELECT
      (SELECT COUNT(*) FROM hall_ticket
       WHERE status = 'waiting' AND category_id = %s AND service_date = %s
         AND (queue_at < %s OR (queue_at = %s AND id < %s))),
      (SELECT COUNT(*) FROM catalog_counter_categories served
       JOIN hall_counterstate state ON state.counter_id = served.counter_id
       WHERE served.queuecategory_id = %s AND state.status IN (%s, %s))
"""


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
    queue_at = connection.ops.adapt_datetimefield_value(ticket.queue_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _PROGRESS,
            [
                ticket.category_id,
                connection.ops.adapt_datefield_value(ticket.service_date),
                queue_at,
                queue_at,
                ticket.pk,
                ticket.category_id,
                CounterState.Status.FREE,
                CounterState.Status.SERVING,
            ],
        )
        ahead, counters = cursor.fetchone()
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
