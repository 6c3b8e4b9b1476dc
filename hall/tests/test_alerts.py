"""The hall manager's alerts: raised past a threshold, kept current, resolved when cleared."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from hall.alerts import counters_to_open, hall_alerts_check
from hall.models import HallAlert, HallPolicy
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_issue
from hall.tasks import hall_alerts_sweep
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def floor() -> Floor:
    floor = make_floor()
    HallPolicy.objects.create(
        center=floor.center, wait_alert_minutes=20, queue_alert_length=5, average_service_minutes=8
    )
    return floor


def at(minutes: float) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


def test_the_suggestion_serves_the_queue_within_the_target_wait() -> None:
    # 12 people × 10 minutes ÷ 30 minutes = 4 counters needed; 1 is open.
    assert counters_to_open(waiting=12, service_minutes=10, target_minutes=30, open_now=1) == 3
    assert counters_to_open(waiting=13, service_minutes=10, target_minutes=30, open_now=1) == 4
    assert counters_to_open(waiting=2, service_minutes=10, target_minutes=30, open_now=3) == 1


def test_a_long_queue_raises_one_alert_with_a_suggestion(floor: Floor) -> None:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    for minute in range(6):
        ticket_issue(category=floor.general, now=at(minute))
    (alert,) = hall_alerts_check(center=floor.center, now=at(6))
    assert (alert.category, alert.kind) == (floor.general, HallAlert.Kind.LENGTH)
    assert (alert.value, alert.threshold) == (6, 5)
    # 6 × 8 ÷ 20 → 3 counters needed, 1 open (both counters serve A; one is signed in).
    assert alert.counters_to_open == 2
    hall_alerts_check(center=floor.center, now=at(7))
    assert HallAlert.objects.count() == 1


def test_a_long_wait_raises_an_alert_and_its_figures_follow(floor: Floor) -> None:
    ticket_issue(category=floor.business, now=at(0))
    assert hall_alerts_check(center=floor.center, now=at(20)) == []
    (alert,) = hall_alerts_check(center=floor.center, now=at(21))
    assert (alert.category, alert.kind, alert.value) == (floor.business, "wait", 21)
    # No counter is open: one person needs one counter.
    assert alert.counters_to_open == 1
    (alert,) = hall_alerts_check(center=floor.center, now=at(30))
    assert alert.value == 30
    assert alert.raised_at == at(21)


def test_an_alert_is_resolved_when_the_queue_clears(floor: Floor) -> None:
    ticket_issue(category=floor.general, now=at(0))
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    hall_alerts_check(center=floor.center, now=at(25))
    with time_machine.travel(at(26), tick=False):
        ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    assert hall_alerts_check(center=floor.center, now=at(27)) == []
    alert = HallAlert.objects.get()
    assert alert.resolved_at == at(27)
    ticket_issue(category=floor.general, now=at(28))
    hall_alerts_check(center=floor.center, now=at(60))
    assert HallAlert.objects.count() == 2
    assert HallAlert.objects.filter(resolved_at__isnull=True).count() == 1


def test_a_threshold_of_zero_turns_that_alert_off(floor: Floor) -> None:
    HallPolicy.objects.filter(center=floor.center).update(wait_alert_minutes=0)
    for minute in range(6):
        ticket_issue(category=floor.general, now=at(minute))
    alerts = hall_alerts_check(center=floor.center, now=at(120))
    assert [alert.kind for alert in alerts] == ["length"]
    # 6 × 8 ÷ 30 (the target when the wait alert is off) → 2 counters, none open.
    assert alerts[0].counters_to_open == 2


def test_an_alert_already_open_is_kept_and_brought_up_to_date(floor: Floor) -> None:
    for minute in range(6):
        ticket_issue(category=floor.general, now=at(minute))
    HallAlert.objects.create(
        center=floor.center,
        category=floor.general,
        kind=HallAlert.Kind.LENGTH,
        value=6,
        threshold=5,
        raised_at=at(6),
    )
    alerts = hall_alerts_check(center=floor.center, now=at(7))
    assert len(alerts) == 1
    assert alerts[0].counters_to_open == 3


# The tickets go back half an hour from now: a clock near midnight in Shanghai would split them
# over two days.
@time_machine.travel(at(60), tick=False)
def test_the_periodic_task_checks_every_center(floor: Floor) -> None:
    other = make_floor(slug="other")
    for minute in range(31):
        ticket_issue(category=other.general, now=timezone.now() - dt.timedelta(minutes=minute))
    hall_alerts_sweep.call_local()
    assert HallAlert.objects.filter(center=other.center, kind="length").exists()
    assert not HallAlert.objects.filter(center=floor.center).exists()
