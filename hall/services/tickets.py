"""Writes of the queue floor: issuing tickets, calling them at counters, pauses and pad ratings.

Every state change is a guarded update (the old state must still hold, one row changes) that
writes a `TicketEvent`. Calling the next ticket claims it with `SELECT … FOR UPDATE SKIP LOCKED`
on PostgreSQL; on SQLite the write transaction is taken at its start (IMMEDIATE), which
serialises writers, so two counters never get the same ticket there either.

The statements of the busiest paths (issue, call, finish and the ticket's events) are written
by hand: each is one short statement, and building it through the ORM cost several times its
execution (docs/benchmarks.md). On SQLite a shorter transaction also holds the one write lock
for less time, which is what concurrent counters and kiosks wait on.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Center, Counter, QueueCategory, ServiceItem
from govhall.errors import ConflictError
from govhall.throttle import attempt_count
from hall.hooks import pad_rated
from hall.models import (
    CounterPause,
    CounterState,
    HallPolicy,
    PadRating,
    PriorityGroup,
    Ticket,
    TicketEvent,
)

# The pad asks the indicators right after the level; later answers are not the rater's.
PAD_INDICATORS_MINUTES = 5


class HallConflictError(ConflictError):
    """The ticket or counter is no longer in the state the action needs."""


def policy_for(center: Center) -> HallPolicy:
    return policy_for_center_id(center.pk)


_POLICY = "SELECT * FROM hall_hallpolicy WHERE center_id = %s"


def policy_for_center_id(center_id: int) -> HallPolicy:
    """The center's hall policy, created with the defaults on first use."""
    # Every ticket issued reads it: a raw read skips the ORM's query building.
    found = list(HallPolicy.objects.raw(_POLICY, [center_id]))
    if found:
        return found[0]
    policy, _created = HallPolicy.objects.get_or_create(center_id=center_id)
    return policy


def _sql(statement: str, params: Sequence[Any]) -> int:
    """Run one hand-written statement; the number of rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)


def _db_time(value: dt.datetime) -> Any:
    """A datetime as the database stores it (UTC text on SQLite), as the ORM would send it."""
    return connection.ops.adapt_datetimefield_value(value)


REMOTE_TICKETS_PER_HOUR = 3


def remote_ticket_allowed(*, phone: str, address: str) -> bool:
    """A phone may take a few tickets an hour (the virtual queue), and all phones behind one
    network address (the hall's Wi-Fi, a carrier's NAT) REMOTE_TICKETS_PER_ADDRESS_HOUR together.
    Counts one more for both and says whether both are still within their limits."""
    phone_ok = attempt_count(f"remote-tickets:phone:{phone}", 3600) <= REMOTE_TICKETS_PER_HOUR
    address_count = attempt_count(f"remote-tickets:{address}", 3600)
    return phone_ok and address_count <= settings.REMOTE_TICKETS_PER_ADDRESS_HOUR


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
    _sql(
        "INSERT INTO hall_ticketevent (ticket_id, kind, at, counter_id, actor_id, note)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        [
            ticket.pk,
            kind,
            _db_time(at),
            counter.pk if counter else None,
            actor.pk if actor else None,
            note,
        ],
    )


def _insert(ticket: Ticket) -> None:
    """Insert a new ticket with every field converted as the ORM's save would, by hand: each
    ticket issued makes one, and the ORM's insert building cost more than the whole statement."""
    fields = [field for field in Ticket._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [field.get_db_prep_save(field.pre_save(ticket, True), connection) for field in fields]
    with connection.cursor() as cursor:
        # Column names come from the model, never from input; every value is a parameter.
        cursor.execute(
            f"INSERT INTO hall_ticket ({columns}) VALUES ({marks}) RETURNING id",  # noqa: S608
            values,
        )
        ticket.pk = cursor.fetchone()[0]
    ticket._state.adding = False
    ticket._state.db = connection.alias


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
    # Built before the transaction, which only numbers and writes it: on SQLite every other
    # writer waits while it runs.
    ticket = Ticket(
        center_id=category.center_id,
        category=category,
        service_date=day,
        source=source,
        priority_group=priority_group,
        item=item,
        mobile=mobile,
        issued_at=now,
        queue_at=now - dt.timedelta(minutes=head_start),
        access_key=secrets.token_urlsafe(16),
    )
    with transaction.atomic():
        # Numbers are handed out one at a time per queue: the category row is the lock
        # (PostgreSQL; SQLite's write transactions are serialised anyway).
        if connection.features.has_select_for_update:
            _sql("SELECT id FROM catalog_queuecategory WHERE id = %s FOR UPDATE", [category.pk])
        with connection.cursor() as cursor:
            # The day's last number, read from the end of the unique index: written as
            # ORDER BY … LIMIT 1 because PostgreSQL, with statistics from before the day's
            # tickets, planned MAX() as a scan of every number of the day.
            cursor.execute(
                "SELECT sequence FROM hall_ticket"
                " WHERE center_id = %s AND service_date = %s AND category_id = %s"
                " ORDER BY sequence DESC LIMIT 1",
                [category.center_id, connection.ops.adapt_datefield_value(day), category.pk],
            )
            last = cursor.fetchone()
            ticket.sequence = (last[0] if last else 0) + 1
        ticket.number = ticket_number(category.letter, ticket.sequence)
        _insert(ticket)
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


# The best waiting ticket the counter may call: its own queues' tickets not sent elsewhere, and
# those transferred to this counter; earliest queue time first. The status is written out, not
# a parameter: SQLite plans with the partial index `ticket_call_order_idx` (status 'waiting')
# only for a literal, and walks it in order instead of sorting the day's whole queue. The
# queue's letter and name come along: the counter's answer shows them.
_CLAIM = """
    SELECT t.*, c.letter AS queue_letter, c.name AS queue_name
    FROM hall_ticket t JOIN catalog_queuecategory c ON c.id = t.category_id
    WHERE t.status = 'waiting' AND t.center_id = %s AND t.service_date = %s
      AND (t.for_counter_id = %s OR (t.for_counter_id IS NULL AND t.category_id IN (
          SELECT queuecategory_id FROM catalog_counter_categories WHERE counter_id = %s)))
    ORDER BY t.queue_at, t.id
    LIMIT 1
"""


def _claim_next(counter: Counter, day: dt.date) -> Ticket | None:
    """Select the next ticket for the counter, locked against other callers until commit."""
    statement = _CLAIM
    if connection.features.has_select_for_update_skip_locked:
        # Only the ticket: a queue's row is locked while a number is issued in it.
        statement += " FOR UPDATE OF t SKIP LOCKED"
    params = [counter.center_id, connection.ops.adapt_datefield_value(day), counter.pk, counter.pk]
    found = list(Ticket.objects.raw(statement, params))
    if not found:
        return None
    ticket = found[0]
    ticket.category = QueueCategory.from_db(
        connection.alias,
        ["id", "center_id", "letter", "name"],
        [ticket.category_id, ticket.center_id, ticket.queue_letter, ticket.queue_name],  # type: ignore[attr-defined]
    )
    return ticket


def _may_call(counter: Counter, staff: User) -> None:
    """Refuse, with the reason, a call from a counter that is not signed in, paused or busy."""
    state = _signed_in_state(counter, staff)
    if state.status == CounterState.Status.PAUSED:
        raise HallConflictError(_("The counter is paused: resume before calling."))
    if state.ticket_id is not None:
        raise HallConflictError(
            _("Finish, transfer or mark the current ticket missed before calling.")
        )


@transaction.atomic
def ticket_call_next(
    *, counter: Counter, staff: User, now: dt.datetime | None = None
) -> Ticket | None:
    """Call the best waiting ticket this counter serves: earliest queue time first.

    Returns None when nobody waits. Many counters may call at once: each ticket is called once.
    Only staff of the counter's center can have signed in, so the sign-in is the check here.
    """
    now = now or timezone.now()
    ticket = _claim_next(counter, timezone.localdate(now))
    if ticket is None:
        _may_call(counter, staff)
        return None
    at = _db_time(now)
    changed = _sql(
        "UPDATE hall_ticket SET status = %s, counter_id = %s, staff_id = %s, called_at = %s,"
        " for_counter_id = NULL WHERE id = %s AND status = %s",
        [Ticket.Status.CALLED, counter.pk, staff.pk, at, ticket.pk, Ticket.Status.WAITING],
    )
    if changed != 1:  # pragma: no cover - excluded by the row lock or the serialised transaction
        raise HallConflictError(_("Another counter called that ticket: call again."))
    # The counter's own guard: signed in by this person, open, not paused, no current ticket.
    # When it fails the reason is read afterwards, and the claim above is rolled back.
    updated = _sql(
        "UPDATE hall_counterstate SET status = %s, ticket_id = %s, since = %s"
        " WHERE counter_id = %s AND staff_id = %s AND status IN (%s, %s) AND ticket_id IS NULL",
        [
            CounterState.Status.SERVING,
            ticket.pk,
            at,
            counter.pk,
            staff.pk,
            CounterState.Status.FREE,
            CounterState.Status.SERVING,
        ],
    )
    if updated != 1:
        _may_call(counter, staff)
        raise HallConflictError(_("The counter called another ticket at the same moment."))
    _event(ticket, TicketEvent.Kind.CALLED, now, counter=counter, actor=staff)
    ticket.status, ticket.counter, ticket.staff = Ticket.Status.CALLED, counter, staff
    ticket.called_at, ticket.for_counter = now, None
    return ticket


_CURRENT = """
    SELECT t.* FROM hall_ticket t
    JOIN hall_counterstate s ON s.ticket_id = t.id
    WHERE s.counter_id = %s AND s.staff_id = %s AND s.status <> %s
"""


def _current(counter: Counter, staff: User, *statuses: str) -> Ticket:
    """The ticket at the counter signed in by this person, if it is in one of `statuses`."""
    found = list(Ticket.objects.raw(_CURRENT, [counter.pk, staff.pk, CounterState.Status.CLOSED]))
    if not found:
        _signed_in_state(counter, staff)
        raise HallConflictError(
            _("Counter %(number)s has no current ticket.") % {"number": counter.number}
        )
    ticket = found[0]
    if ticket.status not in statuses:
        raise HallConflictError(
            _("Ticket %(number)s is %(status)s: that cannot be done now.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    return ticket


def _move(ticket: Ticket, old: str, **changes: object) -> None:
    """Change the ticket if it is still in state `old`, in the database and on the instance.

    The UPDATE is built here from the fields' own conversions (as the ORM's would be): every
    action at a counter makes one, and the ORM's query building cost several times the update.
    """
    assignments, values = [], []
    for name, value in changes.items():
        field = Ticket._meta.get_field(name)
        assert isinstance(field, models.Field)
        assignments.append(f"{connection.ops.quote_name(field.column)} = %s")
        plain = value.pk if isinstance(value, models.Model) else value
        values.append(field.get_db_prep_save(plain, connection))
    # Column names come from the model, never from input; every value is a parameter.
    statement = f"UPDATE hall_ticket SET {', '.join(assignments)} WHERE id = %s AND status = %s"  # noqa: S608
    if _sql(statement, [*values, ticket.pk, old]) != 1:
        raise HallConflictError(
            _("Ticket %(number)s changed meanwhile: reload.") % {"number": ticket.number}
        )
    for name, value in changes.items():
        setattr(ticket, name, value)


def _free(counter: Counter, now: dt.datetime) -> None:
    _sql(
        "UPDATE hall_counterstate SET status = %s, ticket_id = NULL, since = %s"
        " WHERE counter_id = %s",
        [CounterState.Status.FREE, _db_time(now), counter.pk],
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
    """Record the one rating of a finished service (一次一评) for its counter and staff member.

    The hooks of `hall.hooks.pad_rated` run in the same transaction (feedback opens the
    rectification of a bad rating there).
    """
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
            rating = PadRating.objects.create(
                ticket=ticket,
                counter=ticket.counter,
                staff=ticket.staff,
                level=level,
                created_at=now,
            )
            for hook in pad_rated:
                hook(rating)
            return rating
    except IntegrityError as exc:
        raise HallConflictError(_("This service has been rated already. Thank you!")) from exc


PAD_INDICATORS = ("efficiency", "service_level", "attitude")


def pad_rating_indicators_add(
    *, rating: PadRating, indicators: dict[str, int | None], now: dt.datetime | None = None
) -> PadRating:
    """The optional on-site indicators the pad asks after the level: given once, shortly after.

    Blank ones stay blank; a rating whose indicators were given already is refused.
    """
    now = now or timezone.now()
    if set(indicators) - set(PAD_INDICATORS):
        raise HallConflictError(_("There is no such indicator."))
    if any(
        value is not None and value not in PadRating.Level.values for value in indicators.values()
    ):
        raise HallConflictError(_("Choose one of the five levels, or leave it blank."))
    given = {name: value for name, value in indicators.items() if value is not None}
    if not given:
        return rating
    # Only the person at the counter answers, so only within the pad's prompt time.
    fresh = now - dt.timedelta(minutes=PAD_INDICATORS_MINUTES)
    changed = PadRating.objects.filter(
        pk=rating.pk,
        created_at__gte=fresh,
        efficiency__isnull=True,
        service_level__isnull=True,
        attitude__isnull=True,
    ).update(**given)
    if changed != 1:
        raise HallConflictError(_("This service has been rated already. Thank you!"))
    rating.refresh_from_db()
    return rating
