"""The daily bulletin: the day's findings with names, praise and the hall's figures, as a page
and a PDF, for the center's staff only."""

from __future__ import annotations

from assessment.models import Category, Finding
from assessment.services import finding_record
from assessment.tests.conftest import Hall, login, serve
from catalog.tests.factories import make_user


def test_the_bulletin_lists_the_days_findings_praise_and_figures(hall: Hall) -> None:
    serve(hall, 0, times=2)
    finding_record(
        inspector=hall.inspector,
        kind=Finding.Kind.DEDUCTION,
        category=Category.ABSENCE,
        staff=hall.first,
        note="离岗未挂牌",
    )
    finding_record(
        inspector=hall.inspector, kind=Finding.Kind.PRAISE, staff=hall.second, note="主动帮扶老人"
    )
    page = login(hall.second).get("/assessment/bulletin/")
    assert page.status_code == 200
    bulletin = page.context["bulletin"]
    assert [finding.staff for finding in bulletin.deductions] == [hall.first]
    assert [finding.staff for finding in bulletin.praise] == [hall.second]
    assert bulletin.figures.tickets_served == 2
    text = page.content.decode()
    assert "离岗未挂牌" in text and "主动帮扶老人" in text
    assert hall.first.full_name in text


def test_the_bulletin_of_another_day_is_empty_and_a_bad_day_is_explained(hall: Hall) -> None:
    finding_record(
        inspector=hall.inspector,
        kind=Finding.Kind.DEDUCTION,
        category=Category.PHONE,
        staff=hall.first,
        note="玩手机",
    )
    other = login(hall.first).get("/assessment/bulletin/?day=2026-11-09").context["bulletin"]
    assert other.deductions == [] and other.figures.tickets_served == 0
    bad = login(hall.first).get("/assessment/bulletin/?day=2026-13-45")
    assert bad.status_code == 400
    assert b"YYYY-MM-DD" in bad.content
    assert login(hall.first).get("/assessment/bulletin/pdf/?day=x").status_code == 400


def test_the_bulletin_pdf_is_a_pdf(hall: Hall) -> None:
    finding_record(
        inspector=hall.inspector, kind=Finding.Kind.PRAISE, staff=hall.second, note="微笑服务"
    )
    answer = login(hall.manager).get("/assessment/bulletin/pdf/?day=2026-11-10")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_outsiders_do_not_read_the_bulletin(hall: Hall) -> None:
    citizen = make_user("citizen")
    assert login(citizen).get("/assessment/bulletin/").status_code == 403
    finding_record(
        inspector=hall.inspector,
        kind=Finding.Kind.DEDUCTION,
        category=Category.PHONE,
        staff=hall.first,
        note="玩手机",
    )
    elsewhere = login(hall.outsider).get("/assessment/bulletin/").context["bulletin"]
    assert elsewhere.deductions == []
