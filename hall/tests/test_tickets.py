import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from hall.models import CounterPause, CounterState, PadRating, Ticket, TicketEvent
from hall.services.tickets import (
    HallConflictError,
    counter_pause,
    counter_resume,
    counter_sign_in,
    counter_sign_out,
    pad_rate,
    policy_for,
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_issue,
    ticket_mark_missed,
    ticket_recall,
    ticket_rejoin,
    ticket_start_service,
    ticket_transfer,
)
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def floor() -> Floor:
    return make_floor()


def at(minutes: int) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


def test_numbers_count_up_per_category_and_restart_each_day(floor: Floor) -> None:
    numbers = [ticket_issue(category=floor.general, now=at(i)).number for i in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    assert ticket_issue(category=floor.business, now=at(3)).number == "B001"
    assert ticket_issue(category=floor.general, now=at(24 * 60)).number == "A001"
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ISSUED).count() == 5


def test_a_counter_must_be_signed_in_to_call(floor: Floor) -> None:
    ticket_issue(category=floor.general, now=at(0))
    with pytest.raises(HallConflictError, match=r"签到|Sign in"):
        ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0], now=at(1))


def test_staff_of_another_center_cannot_sign_in(floor: Floor) -> None:
    other = make_floor(slug="other")
    with pytest.raises(PermissionDenied):
        counter_sign_in(counter=floor.counters[0], staff=other.clerks[0])


def test_calling_takes_the_longest_waiting_ticket_first(floor: Floor) -> None:
    first = ticket_issue(category=floor.business, now=at(0))
    second = ticket_issue(category=floor.general, now=at(1))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    assert ticket_call_next(counter=counter, staff=clerk, now=at(2)) == first
    ticket_finish(counter=counter, staff=clerk, now=at(3))
    assert ticket_call_next(counter=counter, staff=clerk, now=at(4)) == second


def test_the_priority_lane_goes_first_but_ordinary_tickets_age_past_it(floor: Floor) -> None:
    policy = policy_for(floor.center)
    assert policy.priority_head_start_minutes == 20
    ordinary = ticket_issue(category=floor.general, now=at(0))
    elderly = ticket_issue(category=floor.general, priority_group="elderly", now=at(5))
    late_elderly = ticket_issue(category=floor.general, priority_group="elderly", now=at(30))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    called = []
    for minute in (31, 32, 33):
        ticket = ticket_call_next(counter=counter, staff=clerk, now=at(minute))
        assert ticket is not None
        called.append(ticket)
        ticket_finish(counter=counter, staff=clerk, now=at(minute))
    # 5 − 20 < 0 < 30 − 20: the early elderly visitor first, then the ordinary one who has
    # waited longer than the late elderly visitor's head start.
    assert called == [elderly, ordinary, late_elderly]


def test_nobody_waiting_gives_none(floor: Floor) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    assert ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0]) is None


def test_a_counter_finishes_before_calling_again(floor: Floor) -> None:
    for i in range(2):
        ticket_issue(category=floor.general, now=at(i))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_call_next(counter=counter, staff=clerk, now=at(3))
    with pytest.raises(HallConflictError):
        ticket_call_next(counter=counter, staff=clerk, now=at(4))


def test_recalls_are_limited_and_a_missed_ticket_rejoins_at_the_back(floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general, now=at(0))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    ticket_recall(counter=counter, staff=clerk, now=at(2))
    ticket_recall(counter=counter, staff=clerk, now=at(3))
    with pytest.raises(HallConflictError):
        ticket_recall(counter=counter, staff=clerk, now=at(4))
    missed = ticket_mark_missed(counter=counter, staff=clerk, now=at(5))
    assert missed.status == Ticket.Status.MISSED
    assert CounterState.objects.get(counter=counter).status == CounterState.Status.FREE
    later = ticket_issue(category=floor.general, now=at(6))
    rejoined = ticket_rejoin(ticket=ticket, now=at(10))
    assert rejoined.status == Ticket.Status.WAITING and rejoined.queue_at == at(10)
    assert ticket_call_next(counter=counter, staff=clerk, now=at(11)) == later


def test_a_missed_ticket_cannot_rejoin_after_the_window(floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general, now=at(0))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    ticket_mark_missed(counter=counter, staff=clerk, now=at(2))
    with pytest.raises(HallConflictError):
        ticket_rejoin(ticket=ticket, now=at(2 + 61))


def test_transfer_to_a_counter_only_that_counter_calls_it(floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general, now=at(0))
    (first, second), (clerk1, clerk2) = floor.counters, floor.clerks
    counter_sign_in(counter=first, staff=clerk1)
    counter_sign_in(counter=second, staff=clerk2)
    ticket_call_next(counter=first, staff=clerk1, now=at(1))
    ticket_transfer(counter=first, staff=clerk1, to_counter=second, now=at(2))
    assert ticket_call_next(counter=first, staff=clerk1, now=at(3)) is None
    assert ticket_call_next(counter=second, staff=clerk2, now=at(3)) == ticket


def test_transfer_to_another_category_keeps_the_place(floor: Floor) -> None:
    ticket_issue(category=floor.general, now=at(0))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    moved = ticket_transfer(counter=counter, staff=clerk, category=floor.business, now=at(2))
    assert (moved.category, moved.queue_at, moved.status) == (floor.business, at(0), "waiting")


def test_pause_needs_a_free_counter_and_is_recorded(floor: Floor) -> None:
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_issue(category=floor.general, now=at(0))
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    with pytest.raises(HallConflictError):
        counter_pause(counter=counter, staff=clerk, reason="break", now=at(2))
    ticket_finish(counter=counter, staff=clerk, now=at(3))
    counter_pause(counter=counter, staff=clerk, reason="meeting", now=at(4))
    with pytest.raises(HallConflictError):
        ticket_call_next(counter=counter, staff=clerk, now=at(5))
    counter_resume(counter=counter, staff=clerk, now=at(14))
    pause = CounterPause.objects.get(counter=counter)
    assert pause.ended_at is not None
    assert (pause.reason, pause.ended_at - pause.started_at) == (
        "meeting",
        dt.timedelta(minutes=10),
    )


def test_signing_out_with_a_ticket_at_the_counter_is_refused(floor: Floor) -> None:
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_issue(category=floor.general, now=at(0))
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    with pytest.raises(HallConflictError):
        counter_sign_out(counter=counter, staff=clerk)


def test_another_clerk_cannot_take_over_an_open_counter(floor: Floor) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    with pytest.raises(HallConflictError):
        counter_sign_in(counter=floor.counters[0], staff=floor.clerks[1])


def test_a_service_is_rated_once_for_its_counter_and_clerk(floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general, now=at(0))
    counter, clerk = floor.counters[0], floor.clerks[0]
    counter_sign_in(counter=counter, staff=clerk)
    ticket_call_next(counter=counter, staff=clerk, now=at(1))
    with pytest.raises(HallConflictError):
        pad_rate(ticket=Ticket.objects.get(pk=ticket.pk), level=5)
    ticket_start_service(counter=counter, staff=clerk, now=at(2))
    done = ticket_finish(counter=counter, staff=clerk, now=at(9))
    rating = pad_rate(ticket=done, level=5, now=at(10))
    assert (rating.counter, rating.staff, rating.level) == (counter, clerk, 5)
    with pytest.raises(HallConflictError):
        pad_rate(ticket=done, level=1)
    assert PadRating.objects.count() == 1


def test_a_waiting_ticket_can_be_cancelled_once(floor: Floor) -> None:
    ticket = ticket_issue(category=floor.general, now=at(0))
    ticket_cancel(ticket=ticket)
    with pytest.raises(HallConflictError):
        ticket_cancel(ticket=ticket)


def test_the_service_day_is_the_local_day(floor: Floor) -> None:
    # 23:30 UTC on 30 November is 07:30 on 1 December in the center's time zone.
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        ticket = ticket_issue(category=floor.general)
        assert ticket.service_date == dt.date(2026, 12, 1) == timezone.localdate()
