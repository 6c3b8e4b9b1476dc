"""The assessment's API: the bulletin for the center's staff, the ranking for its readers."""

from __future__ import annotations

import time_machine

from assessment.models import Finding
from assessment.services import finding_record, month_close
from assessment.tests.conftest import Hall, login
from catalog.tests.factories import make_user
from feedback.stats import period_parse


def test_the_bulletin_answers_the_days_findings(hall: Hall) -> None:
    finding_record(
        inspector=hall.inspector, kind=Finding.Kind.PRAISE, staff=hall.second, note="热情"
    )
    answer = login(hall.first).get("/api/v1/assessment/bulletin?day=2026-11-10")
    assert answer.status_code == 200
    body = answer.json()
    assert body["findings"][0]["staff_name"] == hall.second.full_name
    assert body["figures"]["tickets_served"] == 0
    assert login(hall.first).get("/api/v1/assessment/bulletin?day=soon").status_code == 422
    assert login(make_user("citizen")).get("/api/v1/assessment/bulletin").status_code == 401


def test_the_ranking_is_for_its_readers(hall: Hall, frozen: time_machine.Traveller) -> None:
    frozen.move_to("2026-12-02T02:00:00Z")
    month_close(center=hall.floor.center, month=period_parse("2026-11").start)
    answer = login(hall.supervisor).get("/api/v1/assessment/ranking?period=2026-Q4")
    assert answer.status_code == 200
    assert len(answer.json()["rows"]) == 2
    assert answer.json()["months_open"] == ["2026-10-01", "2026-12-01"]
    assert login(hall.first).get("/api/v1/assessment/ranking?period=2026-11").status_code == 403
    bad = login(hall.manager).get("/api/v1/assessment/ranking?period=Q5")
    assert bad.status_code == 422
    assert "2026-Q4" in bad.json()["message"]
