"""Titles: proposed from a period's ranking, decided by the administrator, and shown on the
counter screen once approved."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import Finding, Title
from assessment.services import finding_record, month_close, title_decide, titles_propose
from assessment.tests.conftest import Hall, login
from feedback.stats import period_parse
from govhall.errors import ConflictError
from hall.services.tickets import counter_sign_in

NOVEMBER = period_parse("2026-11")


def test_titles_are_proposed_from_the_ranking_and_shown_once_approved(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    finding_record(
        inspector=hall.inspector, kind=Finding.Kind.PRAISE, staff=hall.second, note="表扬"
    )
    frozen.move_to("2026-12-02T02:00:00Z")
    with pytest.raises(ValidationError, match="no closed month"):
        titles_propose(center=hall.floor.center, period=NOVEMBER, actor=hall.administrator)
    month_close(center=hall.floor.center, month=NOVEMBER.start)
    with pytest.raises(PermissionDenied):
        titles_propose(center=hall.floor.center, period=NOVEMBER, actor=hall.manager)
    proposed = titles_propose(center=hall.floor.center, period=NOVEMBER, actor=hall.administrator)
    by_kind = {title.kind: title for title in proposed}
    assert by_kind[Title.Kind.SERVICE_STAR].staff == hall.second
    assert by_kind[Title.Kind.MOST_ADMIRED].staff == hall.second
    assert by_kind[Title.Kind.EXCELLENT_COUNTER].counter == hall.counters[1]
    # Proposing again keeps the proposals.
    again = titles_propose(center=hall.floor.center, period=NOVEMBER, actor=hall.administrator)
    assert {title.pk for title in again} == {title.pk for title in proposed}

    screen = f"/hall/counter-screen/{hall.counters[1].pk}/state/"
    counter_sign_in(counter=hall.counters[1], staff=hall.second)
    assert login(hall.second).get(screen).json()["titles"] == []
    title_decide(title=by_kind[Title.Kind.SERVICE_STAR], actor=hall.administrator, approve=True)
    title_decide(title=by_kind[Title.Kind.MOST_ADMIRED], actor=hall.administrator, approve=False)
    with pytest.raises(ConflictError):
        title_decide(
            title=by_kind[Title.Kind.SERVICE_STAR], actor=hall.administrator, approve=False
        )
    assert login(hall.second).get(screen).json()["titles"] == ["2026-11 Service star"]


def test_the_administrator_proposes_and_decides_on_the_ranking_page(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    frozen.move_to("2026-12-02T02:00:00Z")
    month_close(center=hall.floor.center, month=NOVEMBER.start)
    administrator = login(hall.administrator)
    administrator.post("/assessment/titles/propose/", {"period": "2026-11"})
    titles = Title.objects.filter(period="2026-11")
    assert titles.count() == 2  # no praise: no most admired staff member
    title = titles.get(kind=Title.Kind.EXCELLENT_COUNTER)
    administrator.post(f"/assessment/titles/{title.pk}/decide/", {"approve": "1"})
    title.refresh_from_db()
    assert title.state == Title.State.APPROVED
    page = administrator.get("/assessment/ranking/?period=2026-11")
    assert b"Excellent service counter" in page.content
    bad = administrator.post("/assessment/titles/propose/", {"period": "later"}, follow=True)
    assert b"Write the period" in bad.content
    assert (
        login(hall.first).post("/assessment/titles/propose/", {"period": "2026-11"}).status_code
        == 403
    )
