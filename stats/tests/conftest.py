"""The statistics' world: supervision's efficiency hall (a market and a health department, their
clerks, heads, a supervisor and an administrator) with cases handled on given days and a morning
of tickets at two counters, built through the real services.

On Monday 2026-09-21 at 10:00 (Beijing):
- cases: market A accepted 09-07, concluded 09-09 (on time); market B accepted 09-07, concluded
  09-18 (late: promised 5 working days); health C accepted 09-08, concluded 09-09 (on time);
  market D submitted online today and not accepted yet;
- tickets: B001 and B002 (market queue) issued 08:50, H001 (health queue) 08:55; counter 1
  (market) called B001 at 09:00 and finished it at 09:10, called B002 at 09:20 and serves it;
  counter 2 (health) is paused; B001 was rated 5 on the pad.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import Applicant, case_submit
from catalog.models import Counter, QueueCategory
from catalog.tests.factories import make_counter, make_staff, make_user
from govhall.identifiers import resident_id_with_check
from hall.models import CounterPause
from hall.services.tickets import (
    counter_pause,
    counter_sign_in,
    pad_rate,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_start_service,
)
from stats.services import stats_rollup_refresh
from supervision.tests.efficiency_world import Hall, hall, handled, moment

__all__ = ["hall"]

NOW = "2026-09-21"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class Stats:
    hall: Hall
    health_counter: Counter
    cases: list[Case]
    citizen: User
    outsider: User


@pytest.fixture
def stats(hall: Hall) -> Iterator[Stats]:
    cases = [
        handled(hall, accepted="2026-09-07", concluded="2026-09-09"),
        handled(hall, accepted="2026-09-07", concluded="2026-09-18"),
        handled(hall, item=hall.health_item, accepted="2026-09-08", concluded="2026-09-09"),
    ]
    pending, _created = case_submit(
        user=hall.citizen,
        item=hall.item,
        applicant=Applicant(
            kind="person", name="张小三", id_number=resident_id_with_check("11010519491231002")
        ),
        form_data={},
        idempotency_key="pending",
        now=moment(NOW, 9),
    )
    cases.append(pending)
    market_queue = QueueCategory.objects.create(
        center=hall.center, letter="B", name="市场", department=hall.market
    )
    health_queue = QueueCategory.objects.create(
        center=hall.center, letter="H", name="卫健", department=hall.health
    )
    hall.counter.categories.add(market_queue)
    health_counter = make_counter(hall.center, hall.health)
    health_counter.categories.add(health_queue)
    health_clerk = make_user(full_name="卫健窗口")
    make_staff(
        health_clerk, hall.center, Role.CLERK, department=hall.health, counter=health_counter
    )
    first = ticket_issue(category=market_queue, now=moment(NOW, 8).replace(minute=50))
    ticket_issue(category=market_queue, now=moment(NOW, 8).replace(minute=50, second=30))
    ticket_issue(category=health_queue, now=moment(NOW, 8).replace(minute=55))
    counter_sign_in(counter=hall.counter, staff=hall.clerk, now=moment(NOW, 8).replace(minute=45))
    counter_sign_in(
        counter=health_counter, staff=health_clerk, now=moment(NOW, 8).replace(minute=45)
    )
    counter_pause(
        counter=health_counter,
        staff=health_clerk,
        reason=CounterPause.Reason.BREAK,
        now=moment(NOW, 8).replace(minute=58),
    )
    ticket_call_next(counter=hall.counter, staff=hall.clerk, now=moment(NOW, 9))
    ticket_start_service(counter=hall.counter, staff=hall.clerk, now=moment(NOW, 9))
    ticket_finish(counter=hall.counter, staff=hall.clerk, now=moment(NOW, 9).replace(minute=10))
    with time_machine.travel(moment(NOW, 9).replace(minute=11), tick=False):
        pad_rate(ticket=first, level=5)
    ticket_call_next(
        counter=hall.counter, staff=hall.clerk, now=moment(NOW, 9).replace(minute=20, second=30)
    )
    ticket_start_service(
        counter=hall.counter, staff=hall.clerk, now=moment(NOW, 9).replace(minute=21)
    )
    stats_rollup_refresh()
    outsider = make_user(full_name="market clerk")
    make_staff(outsider, hall.center, Role.CLERK, department=hall.market)
    with time_machine.travel(moment(NOW), tick=False):
        yield Stats(
            hall=hall,
            health_counter=health_counter,
            cases=cases,
            citizen=hall.citizen,
            outsider=outsider,
        )
