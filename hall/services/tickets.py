"""Writes of the queue floor: issuing tickets, calling them at counters, pauses and pad ratings.

Every state change is a guarded update (the old state must still hold, one row changes) that
writes a `TicketEvent`. Calling the next ticket claims it with `SELECT … FOR UPDATE SKIP LOCKED`
on PostgreSQL; on SQLite the write transaction is taken at its start (IMMEDIATE), which
serialises writers, so two counters never get the same ticket there either.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Center, Counter, QueueCategory, ServiceItem
from govhall.errors import ConflictError
from govhall.throttle import attempt_count
from hall.models import (
    CounterPause,
    CounterState,
    HallPolicy,
    PadRating,
    PriorityGroup,
    Ticket,
    TicketEvent,
)


class HallConflictError(ConflictError):
    """The ticket or counter is no longer in the state the action needs."""


def policy_for(center: Center) -> HallPolicy:
    return policy_for_center_id(center.pk)


def policy_for_center_id(center_id: int) -> HallPolicy:
    """The center's hall policy, created with the defaults on first use."""
    policy, _created = HallPolicy.objects.get_or_create(center_id=center_id)
    return policy


REMOTE_TICKETS_PER_HOUR = 3


def remote_ticket_allowed(*, address: str) -> bool:
    """A phone may take a few tickets an hour from one address (the virtual queue); this counts
    one more and says whether it is still within the limit."""
    return attempt_count(f"remote-tickets:{address}", 3600) <= REMOTE_TICKETS_PER_HOUR


def ticket_number(letter: str, sequence: int) -> str:
    """A001 … A999, then A1000: the letter and at least three digits."""
    return f"{letter}{sequence:03d}"


def _event(
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    *,
    counter: Counter | None = None,
    actor: User | None = None,
    note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=at, counter=counter, actor=actor, note=note
    )


def ticket_issue(
    *,
    category: QueueCategory,
    source: str = Ticket.Source.KIOSK,
    priority_group: str = PriorityGroup.NONE,
    item: ServiceItem | None = None,
    mobile: str = "",
    now: dt.datetime | None = None,
    policy: HallPolicy | None = None,
) -> Ticket:
    """Issue the category's next number of the day (A001, A002, …).

    Appointment check-ins and the priority lane get a head start in the queue (the policy's
    minutes), which ordinary tickets catch up with by waiting: none waits without bound.
    A caller that has read the center's policy already may pass it.
    """
    now = now or timezone.now()
    if priority_group not in PriorityGroup.values:
        raise ValueError(f"unknown priority group {priority_group!r}")
    if item is not None and item.center_id != category.center_id:
        raise PermissionDenied(_("This service item belongs to another center."))
    policy = policy or policy_for_center_id(category.center_id)
    head_start = 0
    if source == Ticket.Source.APPOINTMENT:
        head_start = policy.appointment_head_start_minutes
    elif priority_group:
        head_start = policy.priority_head_start_minutes
    day = timezone.localdate(now)
    with transaction.atomic():
        # Numbers are handed out one at a time per queue: the category row is the lock
        # (PostgreSQL; SQLite's write transactions are serialised anyway).
        if connection.features.has_select_for_update:
            QueueCategory.objects.select_for_update().filter(pk=category.pk).exists()
        last = Ticket.objects.filter(
            center_id=category.center_id, service_date=day, category=category
        ).aggregate(last=Max("sequence"))["last"]
        sequence = (last or 0) + 1
        ticket = Ticket.objects.create(
            center_id=category.center_id,
            category=category,
            service_date=day,
            sequence=sequence,
            number=ticket_number(category.letter, sequence),
            source=source,
            priority_group=priority_group,
            item=item,
            mobile=mobile,
            issued_at=now,
            queue_at=now - dt.timedelta(minutes=head_start),
            access_key=secrets.token_urlsafe(16),
        )
        _event(ticket, TicketEvent.Kind.ISSUED, now, note=source)
    return ticket


def _staff_may_use(counter: Counter, staff: User) -> None:
    profile = getattr(staff, "staff_profile", None)
    if profile is None or profile.center_id != counter.center_id:
        raise PermissionDenied(_("You are not staff of this counter's center."))


def _state(counter: Counter) -> CounterState:
    """The counter's state with its current ticket (read together: most actions need both)."""
    state, _created = CounterState.objects.select_related("ticket").get_or_create(
        counter=counter, defaults={"since": timezone.now()}
    )
    return state


def _signed_in_state(counter: Counter, staff: User) -> CounterState:
    state = _state(counter)
    if state.staff_id != staff.pk or state.status == CounterState.Status.CLOSED:
        raise HallConflictError(
            _("Sign in to counter %(number)s first.") % {"number": counter.number}
        )
    return state


@transaction.atomic
def counter_sign_in(
    *, counter: Counter, staff: User, now: dt.datetime | None = None
) -> CounterState:
    """Open the counter under this member of staff; another person's open counter is refused."""
    _staff_may_use(counter, staff)
    now = now or timezone.now()
    state = _state(counter)
    if state.status != CounterState.Status.CLOSED and state.staff_id not in (None, staff.pk):
        raise HallConflictError(
            _("Counter %(number)s is open under another member of staff.")
            % {"number": counter.number}
        )
    if state.status == CounterState.Status.CLOSED:
        CounterState.objects.filter(pk=state.pk).update(
            status=CounterState.Status.FREE, staff=staff, ticket=None, pause_reason="", since=now
        )
    state.refresh_from_db()
    return state


@transaction.atomic
def counter_sign_out(*, counter: Counter, staff: User, now: dt.datetime | None = None) -> None:
    state = _signed_in_state(counter, staff)
    if state.ticket_id is not None:
        raise HallConflictError(_("Finish or mark the current ticket missed before signing out."))
    now = now or timezone.now()
    CounterPause.objects.filter(counter=counter, ended_at__isnull=True).update(ended_at=now)
    CounterState.objects.filter(pk=state.pk).update(
        status=CounterState.Status.CLOSED, staff=None, pause_reason="", since=now
    )


def _claim_next(counter: Counter, day: dt.date) -> Ticket | None:
    served = Counter.categories.through.objects.filter(counter_id=counter.pk).values(
        "queuecategory_id"
    )
    waiting = (
        Ticket.objects.waiting()
        .filter(center_id=counter.center_id, service_date=day)
        .filter(Q(category_id__in=served, for_counter__isnull=True) | Q(for_counter=counter))
        .order_by("queue_at", "pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    return waiting.first()


@transaction.atomic
def ticket_call_next(
    *, counter: Counter, staff: User, now: dt.datetime | None = None
) -> Ticket | None:
    """Call the best waiting ticket this counter serves: earliest queue time first.

    Returns None when nobody waits. Many counters may call at once: each ticket is called once.
    Only staff of the counter's center can have signed in, so the sign-in is the check here.
    """
    now = now or timezone.now()
    state = _signed_in_state(counter, staff)
    if state.status == CounterState.Status.PAUSED:
        raise HallConflictError(_("The counter is paused: resume before calling."))
    if state.ticket_id is not None:
        raise HallConflictError(
            _("Finish, transfer or mark the current ticket missed before calling.")
        )
    ticket = _claim_next(counter, timezone.localdate(now))
    if ticket is None:
        return None
    changed = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.WAITING).update(
        status=Ticket.Status.CALLED, counter=counter, staff=staff, called_at=now, for_counter=None
    )
    if changed != 1:  # pragma: no cover - excluded by the row lock or the serialised transaction
        raise HallConflictError(_("Another counter called that ticket: call again."))
    updated = CounterState.objects.filter(pk=state.pk, ticket__isnull=True).update(
        status=CounterState.Status.SERVING, ticket=ticket, since=now
    )
    if updated != 1:
        raise HallConflictError(_("The counter called another ticket at the same moment."))
    _event(ticket, TicketEvent.Kind.CALLED, now, counter=counter, actor=staff)
    ticket.status, ticket.counter, ticket.staff = Ticket.Status.CALLED, counter, staff
    ticket.called_at, ticket.for_counter = now, None
    return ticket


def _current(counter: Counter, staff: User, *statuses: str) -> Ticket:
    state = _signed_in_state(counter, staff)
    if state.ticket_id is None:
        raise HallConflictError(
            _("Counter %(number)s has no current ticket.") % {"number": counter.number}
        )
    ticket = state.ticket
    assert ticket is not None
    if ticket.status not in statuses:
        raise HallConflictError(
            _("Ticket %(number)s is %(status)s: that cannot be done now.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    return ticket


def _move(ticket: Ticket, old: str, **changes: object) -> None:
    """Change the ticket if it is still in state `old`, in the database and on the instance."""
    if Ticket.objects.filter(pk=ticket.pk, status=old).update(**changes) != 1:
        raise HallConflictError(
            _("Ticket %(number)s changed meanwhile: reload.") % {"number": ticket.number}
        )
    for name, value in changes.items():
        setattr(ticket, name, value)


def _free(counter: Counter, now: dt.datetime) -> None:
    CounterState.objects.filter(counter=counter).update(
        status=CounterState.Status.FREE, ticket=None, since=now
    )


@transaction.atomic
def ticket_recall(*, counter: Counter, staff: User, now: dt.datetime | None = None) -> Ticket:
    """Call the current ticket again (重呼), as often as the policy allows."""
    now = now or timezone.now()
    ticket = _current(counter, staff, Ticket.Status.CALLED)
    limit = policy_for(counter.center).recall_limit
    if ticket.recalls >= limit:
        raise HallConflictError(
            _("Ticket %(number)s was recalled %(limit)s times already: mark it missed.")
            % {"number": ticket.number, "limit": limit}
        )
    _move(ticket, Ticket.Status.CALLED, recalls=ticket.recalls + 1, called_at=now)
    _event(ticket, TicketEvent.Kind.RECALLED, now, counter=counter, actor=staff)
    return ticket


@transaction.atomic
def ticket_mark_missed(*, counter: Counter, staff: User, now: dt.datetime | None = None) -> Ticket:
    """The called person did not come (过号): the counter is free for the next."""
    now = now or timezone.now()
    ticket = _current(counter, staff, Ticket.Status.CALLED)
    _move(ticket, Ticket.Status.CALLED, status=Ticket.Status.MISSED, missed_at=now)
    _free(counter, now)
    _event(ticket, TicketEvent.Kind.MISSED, now, counter=counter, actor=staff)
    return ticket


@transaction.atomic
def ticket_rejoin(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """A missed ticket comes back to the queue, by the center's rule."""
    now = now or timezone.now()
    ticket.refresh_from_db()
    policy = policy_for(ticket.center)
    if policy.missed_rule == HallPolicy.MissedRule.NOT_ALLOWED:
        raise HallConflictError(_("A missed ticket cannot re-join here: please take a new ticket."))
    if ticket.status != Ticket.Status.MISSED or ticket.missed_at is None:
        raise HallConflictError(_("Only a missed ticket can re-join the queue."))
    if now - ticket.missed_at > dt.timedelta(minutes=policy.missed_rejoin_minutes):
        raise HallConflictError(
            _("More than %(minutes)s minutes have passed since the call: please take a new ticket.")
            % {"minutes": policy.missed_rejoin_minutes}
        )
    queue_at = now if policy.missed_rule == HallPolicy.MissedRule.BACK_OF_QUEUE else ticket.queue_at
    _move(
        ticket,
        Ticket.Status.MISSED,
        status=Ticket.Status.WAITING,
        queue_at=queue_at,
        rejoins=ticket.rejoins + 1,
        counter=None,
        staff=None,
        recalls=0,
    )
    _event(ticket, TicketEvent.Kind.REJOINED, now)
    return ticket


@transaction.atomic
def ticket_start_service(
    *, counter: Counter, staff: User, now: dt.datetime | None = None
) -> Ticket:
    """The called person has arrived at the counter."""
    now = now or timezone.now()
    ticket = _current(counter, staff, Ticket.Status.CALLED)
    _move(ticket, Ticket.Status.CALLED, status=Ticket.Status.SERVING, service_started_at=now)
    _event(ticket, TicketEvent.Kind.STARTED, now, counter=counter, actor=staff)
    return ticket


@transaction.atomic
def ticket_finish(*, counter: Counter, staff: User, now: dt.datetime | None = None) -> Ticket:
    """The service is over; the pad at the counter now asks for a rating."""
    now = now or timezone.now()
    ticket = _current(counter, staff, Ticket.Status.CALLED, Ticket.Status.SERVING)
    _move(
        ticket,
        ticket.status,
        status=Ticket.Status.DONE,
        finished_at=now,
        service_started_at=ticket.service_started_at or ticket.called_at,
    )
    _free(counter, now)
    _event(ticket, TicketEvent.Kind.FINISHED, now, counter=counter, actor=staff)
    return ticket


@transaction.atomic
def ticket_transfer(
    *,
    counter: Counter,
    staff: User,
    category: QueueCategory | None = None,
    to_counter: Counter | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Send the current ticket to another queue or counter; it keeps its place in time."""
    now = now or timezone.now()
    if (category is None) == (to_counter is None):
        raise ValueError("transfer to a category or to a counter, not both")
    target_center = (category or to_counter).center_id  # type: ignore[union-attr]
    if target_center != counter.center_id:
        raise PermissionDenied(_("Tickets are transferred within the center only."))
    if to_counter is not None and to_counter.pk == counter.pk:
        raise HallConflictError(_("The ticket is already at this counter."))
    ticket = _current(counter, staff, Ticket.Status.CALLED, Ticket.Status.SERVING)
    _move(
        ticket,
        ticket.status,
        status=Ticket.Status.WAITING,
        category=category or ticket.category,
        for_counter=to_counter,
        counter=None,
        staff=None,
        recalls=0,
    )
    _free(counter, now)
    target = category.name if category else str(to_counter)
    _event(ticket, TicketEvent.Kind.TRANSFERRED, now, counter=counter, actor=staff, note=target)
    return ticket


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """The holder gives the ticket up (from the phone page)."""
    now = now or timezone.now()
    _move(ticket, Ticket.Status.WAITING, status=Ticket.Status.CANCELLED)
    _event(ticket, TicketEvent.Kind.CANCELLED, now)
    return ticket


@transaction.atomic
def counter_pause(
    *, counter: Counter, staff: User, reason: str, note: str = "", now: dt.datetime | None = None
) -> CounterPause:
    """Leave the counter for a while (离岗), with the reason the displays show."""
    now = now or timezone.now()
    if reason not in CounterPause.Reason.values:
        raise HallConflictError(_("Choose a reason for the pause."))
    state = _signed_in_state(counter, staff)
    if (
        CounterState.objects.filter(
            pk=state.pk, status=CounterState.Status.FREE, ticket__isnull=True
        ).update(status=CounterState.Status.PAUSED, pause_reason=reason, since=now)
        != 1
    ):
        raise HallConflictError(
            _("Only a free counter can pause: finish the current ticket first.")
        )
    return CounterPause.objects.create(
        counter=counter, staff=staff, reason=reason, note=note, started_at=now
    )


@transaction.atomic
def counter_resume(*, counter: Counter, staff: User, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    state = _signed_in_state(counter, staff)
    if (
        CounterState.objects.filter(pk=state.pk, status=CounterState.Status.PAUSED).update(
            status=CounterState.Status.FREE, pause_reason="", since=now
        )
        != 1
    ):
        raise HallConflictError(_("The counter is not paused."))
    CounterPause.objects.filter(counter=counter, ended_at__isnull=True).update(ended_at=now)


@transaction.atomic
def pad_rate(*, ticket: Ticket, level: int, now: dt.datetime | None = None) -> PadRating:
    """Record the one rating of a finished service (一次一评) for its counter and staff member."""
    now = now or timezone.now()
    ticket.refresh_from_db()
    if level not in PadRating.Level.values:
        raise HallConflictError(_("Choose one of the five levels."))
    if ticket.status != Ticket.Status.DONE or ticket.counter is None or ticket.staff is None:
        raise HallConflictError(_("Only a finished service can be rated."))
    if PadRating.objects.filter(ticket=ticket).exists():
        raise HallConflictError(_("This service has been rated already. Thank you!"))
    try:
        with transaction.atomic():
            return PadRating.objects.create(
                ticket=ticket,
                counter=ticket.counter,
                staff=ticket.staff,
                level=level,
                created_at=now,
            )
    except IntegrityError as exc:
        raise HallConflictError(_("This service has been rated already. Thank you!")) from exc
