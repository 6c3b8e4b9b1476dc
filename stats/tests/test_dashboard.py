"""The dashboard's figures for the seeded world match the hand-counted ones, for each scope."""

from __future__ import annotations

from typing import Any

from cases.tests.conftest import login
from feedback.stats import period_parse
from stats.selectors import Scope, dashboard
from stats.tests.conftest import Stats


def _figures(stats: Stats, department_id: int | None = None, period: str = "2026-09") -> Any:
    scope = Scope(center=stats.hall.center, department_id=department_id)
    return dashboard(scope=scope, period=period_parse(period))


def _counts(slices: list[dict[str, Any]]) -> dict[str, int]:
    return {s["label"]: s["count"] for s in slices}


def test_today_counts_tickets_waits_and_counters(stats: Stats) -> None:
    today = _figures(stats)["today"]
    assert today == {
        "visitors": 3,
        "waiting": 1,
        "serving": 1,
        "mean_wait_minutes": 20.0,
        "counters_open": 1,
        "counters_paused": 1,
    }


def test_cases_of_the_period_by_channel_department_item_and_state(stats: Stats) -> None:
    cases = _figures(stats)["cases"]
    hall = stats.hall
    assert cases["received"] == 4
    assert _counts(cases["by_channel"]) == {"Online": 4}
    assert _counts(cases["by_department"]) == {hall.market.name: 3, hall.health.name: 1}
    assert _counts(cases["by_item"]) == {hall.item.name: 3, hall.health_item.name: 1}
    assert _counts(cases["by_state"]) == {"Concluded: approved": 3, "Received": 1}


def test_on_time_rate_satisfaction_and_complaints(stats: Stats) -> None:
    figures = _figures(stats)
    assert figures["on_time"]["concluded"] == 3
    assert figures["on_time"]["on_time"] == 2
    assert figures["on_time"]["rate"] == 66.7
    assert figures["satisfaction"]["ratings"] == 1
    assert figures["satisfaction"]["rate"] == 100.0
    assert figures["complaints"] == {"received": 0, "concluded": 0, "on_time_rate": None}


def test_trends_peaks_and_totals(stats: Stats) -> None:
    figures = _figures(stats)
    daily = {p["label"]: (p["received"], p["concluded"]) for p in figures["trends"]["daily"]}
    assert len(daily) == 30
    assert daily["2026-09-07"] == (2, 0)
    assert daily["2026-09-08"] == (1, 0)
    assert daily["2026-09-09"] == (0, 2)
    assert daily["2026-09-18"] == (0, 1)
    assert daily["2026-09-21"] == (1, 0)
    assert sum(r for r, _c in daily.values()) == 4
    monthly = figures["trends"]["monthly"]
    assert len(monthly) == 12
    assert monthly[-1] == {"label": "2026-09", "received": 4, "concluded": 3}
    assert monthly[0]["label"] == "2025-10"
    assert figures["trends"]["yearly"] == [{"label": "2026", "received": 4, "concluded": 3}]
    assert figures["peak_hours"][8] == 3
    assert sum(figures["peak_hours"]) == 3
    assert figures["totals"] == {"since": "2026-09-07", "cases": 4, "concluded": 3, "tickets": 3}


def test_a_department_head_sees_only_his_department(stats: Stats) -> None:
    figures = _figures(stats, department_id=stats.hall.market.pk)
    assert figures["department"] == stats.hall.market.name
    assert figures["today"] == {
        "visitors": 2,
        "waiting": 0,
        "serving": 1,
        "mean_wait_minutes": 20.0,
        "counters_open": 1,
        "counters_paused": 0,
    }
    assert _counts(figures["cases"]["by_department"]) == {stats.hall.market.name: 3}
    assert figures["on_time"]["rate"] == 50.0
    assert figures["complaints"] is None
    assert figures["totals"]["cases"] == 3


def test_the_api_answers_each_reader_within_his_scope(stats: Stats) -> None:
    hall = stats.hall
    url = "/api/v1/stats/dashboard?period=2026-09"
    whole = login(hall.supervisor).get(url)
    assert whole.status_code == 200
    assert whole.json()["cases"]["received"] == 4
    head = login(hall.head).get(url)
    assert head.status_code == 200
    assert head.json()["cases"]["received"] == 3
    assert login(hall.administrator).get(url).json()["department"] is None


def test_citizens_clerks_and_strangers_are_refused(stats: Stats) -> None:
    url = "/api/v1/stats/dashboard"
    assert login(stats.citizen).get(url).status_code == 401
    refused = login(stats.outsider).get(url)
    assert refused.status_code == 403
    assert "department heads" in refused.json()["message"]
    assert login(stats.citizen).get("/stats/").status_code == 403
    assert login(stats.outsider).get("/stats/").status_code == 403


def test_a_bad_period_gets_a_message(stats: Stats) -> None:
    answer = login(stats.hall.supervisor).get("/api/v1/stats/dashboard?period=2026-13")
    assert answer.status_code == 422
    assert "no month 13" in answer.json()["message"]
    page = login(stats.hall.supervisor).get("/stats/?period=soon")
    assert page.status_code == 422
    assert "for example 2026-11" in page.content.decode()


def test_another_centers_supervisor_sees_his_own_center(stats: Stats) -> None:
    answer = login(stats.hall.other_supervisor).get("/api/v1/stats/dashboard?period=2026-09")
    assert answer.status_code == 200
    assert answer.json()["cases"]["received"] == 0
    assert answer.json()["center"] != stats.hall.center.name
