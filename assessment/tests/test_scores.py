"""The monthly score: the formula's terms, the close that freezes them, the rankings of a month,
quarter and year, one's own record, and the Excel export."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import AssessmentMonth, Category, Finding, MonthlyScore, ScoreWeights
from assessment.selectors import Figures, month_scores, ranking, score_terms
from assessment.services import finding_record, month_close, months_close_due
from assessment.tests.conftest import Hall, login, serve
from audit.models import AuditEntry
from feedback.stats import period_parse
from govhall.errors import ConflictError
from hall.services.tickets import counter_pause, counter_resume, pad_rate
from workorders.models import Channel, ComplaintFinding, Kind, State, WorkOrder
from workorders.services import WorkOrderInput, work_order_receive

DECEMBER = "2026-12-02T02:00:00Z"


def test_the_formula_adds_its_terms() -> None:
    weights = ScoreWeights()
    figures = Figures(
        deductions=Decimal("3"),
        praises=5,
        ratings=10,
        satisfaction_rate=90.0,
        bad_ratings=1,
        concluded=50,
        on_time_rate=80.0,
        tickets_served=900,
        complaints=1,
        third_party=95.0,
    )
    terms = score_terms(weights, figures)
    assert terms == {
        "base": Decimal("100.00"),
        "deductions": Decimal("-3.00"),
        "praise": Decimal("3.00"),  # 5 praises, capped at 3 points
        "satisfaction": Decimal("-1.00"),  # 0.2 × (90 − 95)
        "bad_ratings": Decimal("-1.00"),
        "on_time": Decimal("-2.00"),  # 0.1 × (100 − 80)
        "workload": Decimal("5.00"),  # 9 + 1 points, capped at 5
        "complaints": Decimal("-3.00"),
        "third_party": Decimal("1.00"),  # 0.2 × (95 − 90)
    }
    assert score_terms(weights, Figures())["satisfaction"] == Decimal("0.00")


def _november(hall: Hall) -> None:
    """Clerk 1: two deductions (3 points), a bad pad rating, an upheld complaint.
    Clerk 2: praise, three services and a very satisfied pad rating."""
    for category in (Category.ATTITUDE, Category.PHONE):
        finding_record(
            inspector=hall.inspector,
            kind=Finding.Kind.DEDUCTION,
            category=category,
            staff=hall.first,
            note="督查发现",
        )
    finding_record(
        inspector=hall.inspector, kind=Finding.Kind.PRAISE, staff=hall.second, note="表扬"
    )
    pad_rate(ticket=serve(hall, 0)[0], level=1)
    served = serve(hall, 1, times=3)
    pad_rate(ticket=served[0], level=5)
    order = work_order_receive(
        center=hall.floor.center,
        given=WorkOrderInput(
            kind=Kind.COMPLAINT,
            channel=Channel.PHONE,
            content="态度差",
            anonymous=True,
            staff=hall.first,
            counter=hall.counters[0],
        ),
        actor=hall.manager,
    ).work_order
    # The order's lifecycle is the work orders' own tests' matter: here it has concluded,
    # found upheld.
    WorkOrder.objects.filter(pk=order.pk).update(
        state=State.CONCLUDED, concluded_on=order.received_on, finding=ComplaintFinding.UPHELD
    )


def test_the_months_scores_rank_the_staff_and_the_counters(hall: Hall) -> None:
    _november(hall)
    scored = month_scores(center=hall.floor.center, period=period_parse("2026-11"))
    first, second = (
        next(row for row in scored["staff"] if row.key == user.pk)
        for user in (hall.first, hall.second)
    )
    # 100 + 1 praise + 0.2 × (100 − 95) satisfaction + 0.03 for three tickets
    assert second.score == Decimal("102.03")
    # 100 − 3 − 1 bad rating − 19 (0 % satisfied) − 3 complaint + 0.01 for one ticket
    assert first.score == Decimal("74.01")
    assert [row.key for row in scored["staff"]] == [hall.second.pk, hall.first.pk]
    assert [row.rank for row in scored["staff"]] == [1, 2]
    assert [row.key for row in scored["counter"]] == [hall.counters[1].pk, hall.counters[0].pk]


def test_a_month_is_closed_once_after_it_ended_by_the_administrator(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    _november(hall)
    center = hall.floor.center
    with pytest.raises(ValidationError, match="not over yet"):
        month_close(center=center, month=period_parse("2026-11").start, actor=hall.administrator)
    frozen.move_to(DECEMBER)
    with pytest.raises(PermissionDenied):
        month_close(center=center, month=period_parse("2026-11").start, actor=hall.manager)
    closed = month_close(
        center=center, month=period_parse("2026-11").start, actor=hall.administrator
    )
    with pytest.raises(ConflictError):
        month_close(center=center, month=period_parse("2026-11").start, actor=hall.administrator)
    staff_scores = list(closed.scores.filter(subject="staff").order_by("rank"))
    assert [score.staff for score in staff_scores] == [hall.second, hall.first]
    assert staff_scores[0].terms["terms"]["praise"] == "1.00"
    # Frozen: a finding recorded afterwards for November does not change the stored score.
    finding_record(
        inspector=hall.inspector,
        kind=Finding.Kind.DEDUCTION,
        category=Category.OTHER,
        staff=hall.second,
        note="补录",
        day=period_parse("2026-11").start,
    )
    assert MonthlyScore.objects.get(month=closed, staff=hall.second).score == Decimal("102.03")
    assert AuditEntry.objects.filter(action="assessment.month.close").count() == 1


def test_the_worker_closes_last_month_of_every_center(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(DECEMBER)
    assert len(months_close_due()) == 2  # this center and the outsider's
    assert months_close_due() == []
    assert AssessmentMonth.objects.filter(month=period_parse("2026-11").start).count() == 2


def test_the_quarter_ranks_by_the_mean_of_its_closed_months(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    _november(hall)
    center = hall.floor.center
    frozen.move_to("2026-10-15T02:00:00Z")
    finding_record(
        inspector=hall.inspector,
        kind=Finding.Kind.DEDUCTION,
        category=Category.ATTITUDE,
        staff=hall.second,
        note="十月",
    )
    frozen.move_to(DECEMBER)
    for month in ("2026-10", "2026-11"):
        month_close(center=center, month=period_parse(month).start, actor=hall.administrator)
    quarter = ranking(center=center, period=period_parse("2026-Q4"), subject="staff")
    assert [row.key for row in quarter.rows] == [hall.second.pk, hall.first.pk]
    second = quarter.rows[0]
    assert (second.months, second.score) == (2, Decimal("100.02"))  # (98 + 102.03) / 2
    assert [month.month for month in quarter.months_open] == [12]


def test_the_ranking_page_export_and_close_form(hall: Hall, frozen: time_machine.Traveller) -> None:
    _november(hall)
    frozen.move_to(DECEMBER)
    administrator = login(hall.administrator)
    closed = administrator.post("/assessment/ranking/close/", {"month": "2026-11"})
    assert closed.status_code == 302
    again = administrator.post("/assessment/ranking/close/", {"month": "2026-11"}, follow=True)
    assert b"already closed" in again.content
    page = login(hall.manager).get("/assessment/ranking/?period=2026-11")
    assert [row.label for row in page.context["ranking"].rows] == [
        str(hall.second),
        str(hall.first),
    ]
    assert b"Close the month" not in page.content
    export = login(hall.supervisor).get("/assessment/ranking/export.xlsx?period=2026-11")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == (1, str(hall.second), 102.03)
    assert len(rows) == 3
    assert login(hall.manager).get("/assessment/ranking/?period=2026-13").status_code == 400
    assert login(hall.first).get("/assessment/ranking/").status_code == 403
    assert login(hall.first).get("/assessment/ranking/export.xlsx").status_code == 403
    refused = login(hall.manager).post("/assessment/ranking/close/", {"month": "2026-10"})
    assert refused.status_code == 403
    assert not AssessmentMonth.objects.filter(month=period_parse("2026-10").start).exists()


def test_my_record_shows_findings_pauses_and_the_score(
    hall: Hall, frozen: time_machine.Traveller
) -> None:
    _november(hall)
    counter = hall.counters[0]
    counter_pause(counter=counter, staff=hall.first, reason="files", note="取档案")
    frozen.shift(25 * 60)
    counter_resume(counter=counter, staff=hall.first)
    page = login(hall.first).get("/assessment/mine/?period=2026-11")
    record = page.context["record"]
    assert len(record.findings) == 2
    assert (record.pause_minutes, record.pauses[0].minutes) == (25, 25)
    assert record.current.score == Decimal("74.01")
    assert b"so far" in page.content
    frozen.move_to(DECEMBER)
    month_close(
        center=hall.floor.center, month=period_parse("2026-11").start, actor=hall.administrator
    )
    closed = login(hall.first).get("/assessment/mine/?period=2026-11")
    assert closed.context["record"].closed.rank == 2
    assert login(hall.first).get("/assessment/mine/?period=2026").status_code == 400


@pytest.mark.parametrize(
    ("finding", "counted"),
    [
        (ComplaintFinding.UPHELD, 1),
        (ComplaintFinding.PARTLY_UPHELD, 1),
        (ComplaintFinding.NOT_UPHELD, 0),
        ("", 0),  # no finding recorded yet
    ],
)
def test_only_upheld_complaints_count_against_the_person_and_the_counter(
    hall: Hall, finding: str, counted: int
) -> None:
    _november(hall)
    WorkOrder.objects.filter(kind=Kind.COMPLAINT).update(finding=finding)
    scored = month_scores(center=hall.floor.center, period=period_parse("2026-11"))
    person = next(row for row in scored["staff"] if row.key == hall.first.pk)
    counter = next(row for row in scored["counter"] if row.key == hall.counters[0].pk)
    assert (person.figures.complaints, counter.figures.complaints) == (counted, counted)
