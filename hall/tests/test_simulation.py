"""The simulated hall day: its JSON, its invariants, and the two references it is judged by."""

import json
import math
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hall.models import Appointment, Ticket
from hall.simulation import (
    CATEGORY_PROFILES,
    baseline_day,
    erlang_c_wait,
    pools_of,
    visitors_draw,
)

KEYS = {
    "served",
    "missed",
    "left",
    "turned_away",
    "visitors",
    "mean_wait_min",
    "p95_wait_min",
    "max_queue",
    "utilisation",
    "erlang_c_mean_wait_min",
    "baseline_mean_wait_min",
    "baseline_p95_wait_min",
}


def simulate(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("simulate_day", stdout=out, stderr=StringIO(), **options)
    figures: dict[str, Any] = json.loads(out.getvalue())
    return figures


@pytest.mark.django_db
def test_small_day_accounts_for_every_visitor_and_repeats_with_the_same_seed() -> None:
    first = simulate(visitors=200, counters=20, seed=7)

    assert first.keys() >= KEYS
    assert first["visitors"] == 200
    assert first["served"] + first["missed"] + first["left"] + first["turned_away"] == 200
    assert first["left"] == 0  # counters serve every ticket holder before they close
    assert first["served"] > 0 and first["missed"] > 0
    assert 0 < first["utilisation"] <= 1
    assert first["p95_wait_min"] >= first["mean_wait_min"] >= 0
    # The real services wrote the day: tickets, bookings checked in, ratings.
    tickets = Ticket.objects.filter(service_date=first["day"])
    assert tickets.count() == 200 - first["turned_away"]
    assert tickets.filter(source=Ticket.Source.APPOINTMENT).count() == (
        first["appointments_booked"] + first["appointments_direct"]
    )
    assert first["appointments_booked"] > 0
    assert (
        Appointment.objects.filter(day=first["day"], status=Appointment.Status.CHECKED_IN).count()
        == first["appointments_booked"]
    )
    assert 0 < first["ratings"] <= first["served"]

    again = simulate(visitors=200, counters=20, seed=7)

    first.pop("seconds")
    again.pop("seconds")
    assert again == first
    assert Ticket.objects.filter(service_date=first["day"]).count() == 200 - first["turned_away"]


@pytest.mark.django_db
def test_departments_alone_wait_longer_than_the_shared_hall_under_heavy_load() -> None:
    figures = simulate(visitors=1400, counters=20, seed=3)

    assert figures["utilisation"] > 0.7
    assert figures["baseline_mean_wait_min"] >= figures["mean_wait_min"]
    assert figures["baseline_p95_wait_min"] >= figures["p95_wait_min"]


def test_erlang_c_matches_textbook_values() -> None:
    # M/M/1: Wq = ρ / (μ - λ).
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(1.0)
    # M/M/2 with λ = μ = 1: Lq = 2ρ³ / (1 - ρ²) with ρ = 1/2, so Wq = 1/3.
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    # The call-centre example: 8 erlangs on 10 agents wait with probability 0.409; mean
    # handling 3 minutes, so Wq = P(wait) × 3 / (10 - 8) ≈ 0.614 minutes.
    assert erlang_c_wait(8 / 3, 1 / 3, 10) == pytest.approx(0.409 * 3 / 2, abs=0.002)


def test_erlang_c_agrees_with_the_closed_form_and_is_infinite_when_overloaded() -> None:
    rate, service, servers = 4.5, 1.0, 5
    offered = rate / service
    load = offered / servers
    idle = 1 / (
        sum(offered**n / math.factorial(n) for n in range(servers))
        + offered**servers / (math.factorial(servers) * (1 - load))
    )
    queue = idle * offered**servers * load / (math.factorial(servers) * (1 - load) ** 2)

    assert erlang_c_wait(rate, service, servers) == pytest.approx(queue / rate)
    assert math.isinf(erlang_c_wait(5.0, 1.0, 5))
    assert erlang_c_wait(0.0, 1.0, 0) == 0.0


def test_categories_sharing_a_counter_are_pooled_with_all_their_counters() -> None:
    pools = pools_of(
        {
            1: frozenset("AHJK"),
            2: frozenset("AHJK"),
            3: frozenset("H"),
            4: frozenset("B"),
            5: frozenset("B"),
        }
    )

    assert sorted((sorted(p.letters), p.counters) for p in pools) == [
        (["A", "H", "J", "K"], 3),
        (["B"], 2),
    ]


def test_the_same_seed_draws_the_same_visitors_with_the_set_shares() -> None:
    queues = {letter: [(letter, 1.0)] for letter in CATEGORY_PROFILES}

    visitors = visitors_draw(4000, 1, queues)

    assert visitors == visitors_draw(4000, 1, queues)
    assert [v.arrival for v in visitors] == sorted(v.arrival for v in visitors)
    share_c = sum(1 for v in visitors if v.letter == "C") / len(visitors)
    assert share_c == pytest.approx(CATEGORY_PROFILES["C"].share, abs=0.02)
    morning_peak = sum(1 for v in visitors if 600 <= v.arrival < 660)
    early = sum(1 for v in visitors if 540 <= v.arrival < 600)
    after_lunch = sum(1 for v in visitors if 810 <= v.arrival < 870)
    assert morning_peak > early and morning_peak > after_lunch
    assert not any(720 <= v.arrival < 810 for v in visitors)  # lunch: no tickets


def test_baseline_serves_each_queue_first_come_first_served() -> None:
    queues = {letter: [("one", 1.0)] for letter in CATEGORY_PROFILES}
    visitors = [v for v in visitors_draw(50, 2, queues) if not v.no_show]

    alone = baseline_day(visitors, {"one": 1})
    plenty = baseline_day(visitors, {"one": 50})

    assert plenty.waits == [0.0] * len(visitors)
    assert sum(alone.waits) > 0
    assert baseline_day(visitors, {}).unserved == len(visitors)
