"""Third-party assessment rounds (第三方评议): opening, invitations, score sheets frozen on
submission, closing by hand and by the worker, the results weighed by kind of assessor, their
place in the monthly score, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from accounts.roles import Role
from assessment.models import AssessmentRound, AssessorKind, ScoreSheet
from assessment.selectors import month_scores, round_results
from assessment.services import (
    round_close,
    round_invite,
    round_open,
    rounds_close_due,
    sheet_save,
)
from assessment.tests.conftest import Hall, login, serve
from audit.models import AuditEntry
from catalog.tests.factories import make_staff, make_user
from feedback.stats import period_parse
from govhall.errors import ConflictError

pytestmark = pytest.mark.usefixtures("_english")

CLOSES = dt.date(2026, 11, 20)


def _assessor(hall: Hall, name: str) -> User:
    user = make_user(name, full_name=name)
    make_staff(user, hall.floor.center, Role.ASSESSOR)
    return user


def _round(hall: Hall, period: str = "2026-11") -> AssessmentRound:
    return round_open(
        actor=hall.administrator, name=f"{period} 第三方评议", period=period, closes_on=CLOSES
    )


def _points(total: int) -> dict[str, str]:
    """Points on the default form (25, 25, 20, 15, 15) that add up to `total` (50 to 100)."""
    missing = 100 - total
    points = {"c1": 25, "c2": 25, "c3": 20, "c4": 15, "c5": 15}
    points["c1"] -= min(missing, 25)
    points["c2"] -= max(missing - 25, 0)
    return {key: str(value) for key, value in points.items()}


def _scored(
    hall: Hall, assessment_round: AssessmentRound, name: str, kind: str, total: int
) -> User:
    """An assessor of `kind`, invited, who submits `total` for counter 1."""
    assessor = _assessor(hall, name)
    round_invite(
        assessment_round=assessment_round, actor=hall.manager, assessor=assessor, kind=kind
    )
    sheet_save(
        assessment_round=assessment_round,
        assessor=assessor,
        counter=hall.counters[0],
        points=_points(total),
        submit=True,
    )
    return assessor


def test_the_administrator_or_the_hall_manager_opens_a_round_with_the_centers_form(
    hall: Hall,
) -> None:
    for refused in (hall.first, hall.inspector, hall.supervisor, hall.outsider):
        with pytest.raises(PermissionDenied):
            round_open(actor=refused, name="评议", period="2026-11", closes_on=CLOSES)
    with pytest.raises(ValidationError) as bad:
        round_open(actor=hall.manager, name="", period="2026-13", closes_on=dt.date(2026, 11, 9))
    assert set(bad.value.message_dict) == {"name", "period", "closes_on"}
    opened = round_open(actor=hall.manager, name="四季度评议", period="2026-Q4", closes_on=CLOSES)
    assert (opened.starts_on, opened.ends_on) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert [criterion["max"] for criterion in opened.criteria] == [25, 25, 20, 15, 15]
    assert opened.max_total == 100
    assert AuditEntry.objects.filter(
        action="assessment.round.open", target_id=str(opened.pk)
    ).exists()


def test_only_the_centers_assessors_are_invited_once(hall: Hall) -> None:
    opened = _round(hall)
    assessor = _assessor(hall, "人大代表甲")
    with pytest.raises(ValidationError):
        round_invite(
            assessment_round=opened, actor=hall.manager, assessor=hall.first, kind="deputy"
        )
    with pytest.raises(ValidationError):
        round_invite(assessment_round=opened, actor=hall.manager, assessor=assessor, kind="boss")
    with pytest.raises(PermissionDenied):
        round_invite(
            assessment_round=opened, actor=hall.inspector, assessor=assessor, kind="deputy"
        )
    round_invite(assessment_round=opened, actor=hall.manager, assessor=assessor, kind="deputy")
    with pytest.raises(ValidationError, match="invited already"):
        round_invite(assessment_round=opened, actor=hall.manager, assessor=assessor, kind="deputy")
    assert assessor.inbox.filter(kind="assessment.round.invite").count() == 1


def test_a_sheet_is_saved_and_changed_until_submitted_then_frozen(hall: Hall) -> None:
    opened = _round(hall)
    assessor = _assessor(hall, "群众甲")
    stranger = _assessor(hall, "未受邀的评议代表")
    round_invite(assessment_round=opened, actor=hall.manager, assessor=assessor, kind="public")
    counter = hall.counters[0]
    with pytest.raises(PermissionDenied):
        sheet_save(assessment_round=opened, assessor=stranger, counter=counter, points=_points(90))
    with pytest.raises(ValidationError) as bad:
        sheet_save(
            assessment_round=opened,
            assessor=assessor,
            counter=counter,
            points={**_points(90), "c1": "26", "c2": "很好"},
        )
    assert set(bad.value.message_dict) == {"c1", "c2"}
    draft = sheet_save(
        assessment_round=opened, assessor=assessor, counter=counter, points=_points(80)
    )
    assert (draft.state, draft.total) == (ScoreSheet.State.DRAFT, Decimal("80.00"))
    submitted = sheet_save(
        assessment_round=opened,
        assessor=assessor,
        counter=counter,
        points=_points(88),
        note="窗口整洁，答复耐心",
        submit=True,
    )
    assert submitted.pk == draft.pk
    assert (submitted.state, submitted.total) == (ScoreSheet.State.SUBMITTED, Decimal("88.00"))
    with pytest.raises(ConflictError, match="submitted"):
        sheet_save(assessment_round=opened, assessor=assessor, counter=counter, points=_points(60))
    assert ScoreSheet.objects.get(pk=draft.pk).total == Decimal("88.00")
    assert AuditEntry.objects.filter(action="assessment.sheet.submit").count() == 1


def test_each_kind_of_assessor_weighs_the_same_and_drafts_do_not_count(hall: Hall) -> None:
    opened = _round(hall)
    _scored(hall, opened, "群众甲", AssessorKind.PUBLIC, 80)
    _scored(hall, opened, "群众乙", AssessorKind.PUBLIC, 90)
    _scored(hall, opened, "人大代表甲", AssessorKind.DEPUTY, 95)
    drafter = _assessor(hall, "媒体甲")
    round_invite(assessment_round=opened, actor=hall.manager, assessor=drafter, kind="media")
    sheet_save(
        assessment_round=opened, assessor=drafter, counter=hall.counters[0], points=_points(60)
    )
    (result,) = round_results(opened)
    assert result.counter == hall.counters[0]
    assert result.sheets == 3
    assert result.by_kind == {"public": 85.0, "deputy": 95.0}
    assert result.mean == 90.0  # (85 + 95) / 2, not (80 + 90 + 95) / 3


def test_a_closed_round_enters_the_third_party_term_of_the_months_it_covers(hall: Hall) -> None:
    opened = _round(hall)
    serve(hall, 0)  # the first clerk worked at counter 1 in November; the second never did
    _scored(hall, opened, "企业代表甲", AssessorKind.ENTERPRISE, 95)
    november = period_parse("2026-11")

    def third_party(subject: str, key: int) -> Decimal:
        rows = month_scores(center=hall.floor.center, period=november)[subject]
        return next(row for row in rows if row.key == key).terms["third_party"]

    assert third_party("counter", hall.counters[0].pk) == Decimal("0.00")  # still open
    with pytest.raises(PermissionDenied):
        round_close(assessment_round=opened, actor=hall.first)
    round_close(assessment_round=opened, actor=hall.manager)
    with pytest.raises(ConflictError):
        round_close(assessment_round=opened, actor=hall.administrator)
    with pytest.raises(ConflictError, match="closed"):
        sheet_save(
            assessment_round=opened,
            assessor=User.objects.get(username="企业代表甲"),
            counter=hall.counters[1],
            points=_points(50),
        )
    # 0.2 × (95 − 90)
    assert third_party("counter", hall.counters[0].pk) == Decimal("1.00")
    assert third_party("staff", hall.first.pk) == Decimal("1.00")
    assert third_party("counter", hall.counters[1].pk) == Decimal("0.00")
    assert third_party("staff", hall.second.pk) == Decimal("0.00")
    october = month_scores(center=hall.floor.center, period=period_parse("2026-10"))
    assert all(row.terms["third_party"] == 0 for row in october["counter"])
    assert AuditEntry.objects.filter(action="assessment.round.close").count() == 1


def test_a_staff_member_without_tickets_takes_the_score_of_their_profiles_counter(
    hall: Hall,
) -> None:
    opened = _round(hall)
    _scored(hall, opened, "政协委员甲", AssessorKind.CPPCC, 80)
    round_close(assessment_round=opened, actor=hall.administrator)
    rows = month_scores(center=hall.floor.center, period=period_parse("2026-11"))["staff"]
    first = next(row for row in rows if row.key == hall.first.pk)
    assert first.figures.third_party == 80.0
    assert first.terms["third_party"] == Decimal("-2.00")


def test_the_worker_closes_a_round_after_its_last_day_of_scoring(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    opened = _round(hall)
    assert rounds_close_due() == []
    frozen.move_to("2026-11-21T02:00:00Z")
    assert [closed.pk for closed in rounds_close_due()] == [opened.pk]
    opened.refresh_from_db()
    assert opened.state == AssessmentRound.State.CLOSED
    assert opened.closed_by is None


def test_the_pages_of_a_round_for_its_managers_its_assessors_and_outsiders(hall: Hall) -> None:
    manager = login(hall.manager)
    made = manager.post(
        "/assessment/rounds/new/",
        {"name": "十一月评议", "period": "2026-11", "closes_on": "2026-11-20"},
    )
    assert made.status_code == 302
    opened = AssessmentRound.objects.get(name="十一月评议")
    assessor = _assessor(hall, "媒体记者")
    stranger = _assessor(hall, "未受邀的评议代表")
    invited = manager.post(
        f"/assessment/rounds/{opened.pk}/invite/", {"assessor": assessor.pk, "kind": "media"}
    )
    assert invited.status_code == 302
    mine = login(assessor)
    assert "十一月评议" in mine.get("/assessment/rounds/").content.decode()
    sheet_url = f"/assessment/rounds/{opened.pk}/counters/{hall.counters[0].pk}/"
    assert "0 to 25" in mine.get(sheet_url).content.decode()
    bad = mine.post(sheet_url, {**_points(90), "c3": "21", "submit": "1"})
    assert bad.status_code == 400
    assert mine.post(sheet_url, {**_points(90), "submit": "1"}).status_code == 302
    assert "Submitted on" in mine.get(sheet_url).content.decode()
    results = manager.get(f"/assessment/rounds/{opened.pk}/").content.decode()
    assert "90.0" in results
    export = manager.get(f"/assessment/rounds/{opened.pk}/results.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=1).value == hall.counters[0].number
    assert sheet.cell(row=2, column=sheet.max_column).value == 90.0
    outsider = login(stranger)
    assert "十一月评议" not in outsider.get("/assessment/rounds/").content.decode()
    assert outsider.get(f"/assessment/rounds/{opened.pk}/").status_code == 404
    assert outsider.get(sheet_url).status_code == 404
    assert outsider.post(f"/assessment/rounds/{opened.pk}/close/").status_code == 403
    assert mine.get(f"/assessment/rounds/{opened.pk}/results.xlsx").status_code == 403
    assert login(hall.first).get("/assessment/rounds/").status_code == 403
    assert login(hall.outsider).get(f"/assessment/rounds/{opened.pk}/").status_code == 404
    assert manager.post(f"/assessment/rounds/{opened.pk}/close/").status_code == 302
    opened.refresh_from_db()
    assert opened.state == AssessmentRound.State.CLOSED


def test_the_api_lists_the_rounds_one_sees_and_the_results_for_their_managers(
    hall: Hall,
) -> None:
    opened = _round(hall)
    assessor = _scored(hall, opened, "群众甲", AssessorKind.PUBLIC, 85)
    stranger = _assessor(hall, "未受邀的评议代表")
    listed = login(assessor).get("/api/v1/assessment/rounds").json()
    assert [(row["id"], row["invited_as"]) for row in listed] == [(opened.pk, "public")]
    assert login(stranger).get("/api/v1/assessment/rounds").json() == []
    url = f"/api/v1/assessment/rounds/{opened.pk}/results"
    answer = login(hall.administrator).get(url)
    assert answer.status_code == 200
    assert answer.json()["counters"][0]["score"] == 85.0
    assert login(assessor).get(url).status_code == 403
    assert login(hall.outsider).get(url).status_code == 403
    assert login(hall.manager).get("/api/v1/assessment/rounds/99999/results").status_code == 404


def test_the_ranking_page_names_the_rounds_still_open_over_the_month_to_close(
    hall: Hall,
) -> None:
    october = _round(hall, "2026-10")
    administrator = login(hall.administrator)
    assert october.name in administrator.get("/assessment/ranking/").content.decode()
    round_close(assessment_round=october, actor=hall.administrator)
    assert october.name not in administrator.get("/assessment/ranking/").content.decode()
