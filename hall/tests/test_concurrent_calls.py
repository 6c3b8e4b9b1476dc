"""Many counters calling at once: every ticket is called exactly once, none is skipped."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from hall.models import Ticket, TicketEvent
from hall.services.tickets import (
    HallConflictError,
    counter_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)
from hall.tests.factories import make_floor

pytestmark = pytest.mark.django_db(transaction=True)

CALLERS = 16
TICKETS = 160


def test_sixteen_counters_calling_at_once_call_every_ticket_exactly_once() -> None:
    floor = make_floor(counters=CALLERS)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    for index in range(TICKETS):
        category = floor.general if index % 2 else floor.business
        ticket_issue(category=category, now=start + dt.timedelta(seconds=index))
    for counter, clerk in zip(floor.counters, floor.clerks, strict=True):
        counter_sign_in(counter=counter, staff=clerk)
    called: list[list[int]] = [[] for _ in range(CALLERS)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(CALLERS)
    now = start + dt.timedelta(hours=1)

    def work(index: int) -> None:
        counter, clerk = floor.counters[index], floor.clerks[index]
        try:
            barrier.wait()
            while True:
                try:
                    ticket = ticket_call_next(counter=counter, staff=clerk, now=now)
                except HallConflictError:  # pragma: no cover - would be a failure below
                    errors.append(AssertionError("a call conflicted"))
                    return
                if ticket is None:
                    return
                called[index].append(ticket.pk)
                # A moment at the counter, as in the hall: without it one thread can take the
                # whole queue before the others are scheduled, and nothing runs concurrently.
                time.sleep(0.002)
                ticket_finish(counter=counter, staff=clerk, now=now)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    every_call = [pk for calls in called for pk in calls]
    assert len(every_call) == TICKETS
    assert len(set(every_call)) == TICKETS
    assert not Ticket.objects.filter(status=Ticket.Status.WAITING).exists()
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.CALLED).count() == TICKETS
    # More than one counter took part, or the test proved nothing about concurrency.
    assert sum(1 for calls in called if calls) > 1, connection.vendor


def test_kiosks_issuing_at_once_hand_out_each_number_once() -> None:
    floor = make_floor(counters=1)
    issued: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(CALLERS)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                issued.append(ticket_issue(category=floor.general).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(issued) == [f"A{n:03d}" for n in range(1, CALLERS * 10 + 1)]
