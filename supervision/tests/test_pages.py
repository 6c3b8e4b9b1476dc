"""The supervision pages: the lights board, violations and notices, for supervisors (the whole
center), department heads (their department) and nobody else."""

from __future__ import annotations

import io

import openpyxl
import pytest
import time_machine
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import accept, login, submit
from supervision.models import NoticeState, Rule, SupervisionNotice, Violation, ViolationState
from supervision.services import violations_detect
from supervision.tests.conftest import People

OVERDUE_DAY = "2026-10-12T10:00:00+08:00"


@pytest.fixture
def overdue(people: People, frozen: time_machine.Traveller) -> Case:
    """A market case past its promised date, and one of the health department on time."""
    case = accept(people.world, submit(people.world))
    frozen.move_to(OVERDUE_DAY)
    return case


def test_the_supervisor_sees_the_lights_board_of_the_whole_center(
    people: People, overdue: Case
) -> None:
    page = login(people.world.supervisor).get("/supervision/")
    assert page.status_code == 200
    assert page.context["lights"][2]["count"] == 1  # red
    assert [row["case"] for row in page.context["rows"]] == [overdue]
    text = page.content.decode()
    assert overdue.number in text
    assert "张小三" not in text  # the applicant's name is masked
    assert "Issue a notice" in text


def test_the_board_filters_by_light_department_and_item(people: People, overdue: Case) -> None:
    client = login(people.world.supervisor)
    assert client.get("/supervision/?light=green").context["rows"] == []
    other = client.get(f"/supervision/?light=red&department={people.health.pk}")
    assert other.context["rows"] == []
    item = client.get(f"/supervision/?light=red&item={overdue.item_id}")
    assert [row["case"] for row in item.context["rows"]] == [overdue]
    # Nonsense in the filters falls back to the defaults rather than failing.
    assert client.get("/supervision/?light=purple&department=x&page=zz").status_code == 200


def test_a_department_head_sees_only_his_departments_part(people: People, overdue: Case) -> None:
    own = login(people.head).get("/supervision/")
    assert [row["case"] for row in own.context["rows"]] == [overdue]
    assert "Issue a notice" not in own.content.decode()
    other = login(people.health_head).get("/supervision/")
    assert other.context["rows"] == []
    assert login(people.health_head).get("/supervision/notices/new/").status_code == 403


@pytest.mark.parametrize("who", ["clerk", "chief", "reviewer", "citizen", "outsider_staff"])
def test_everyone_else_is_refused(people: People, overdue: Case, who: str) -> None:
    user: User = getattr(people.world, who, None) or getattr(people, who)
    client = login(user)
    for path in ("/supervision/", "/supervision/violations/", "/supervision/notices/"):
        assert client.get(path).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(people: People) -> None:
    page = Client().get("/supervision/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_the_lights_list_exports_to_excel_and_the_export_is_logged(
    people: People, overdue: Case
) -> None:
    answer = login(people.world.supervisor).get("/supervision/?light=red&format=xlsx")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Case number"
    assert rows[1][1] == overdue.number and rows[1][4] == "张*三"
    assert AuditEntry.objects.filter(action="export", target_type="supervision.lights").exists()


def test_violations_list_export_and_their_explanation_and_decision_pages(
    people: People, overdue: Case
) -> None:
    violations_detect()
    violation = Violation.objects.get(rule=Rule.CASE_OVERDUE)
    supervisor = login(people.world.supervisor)
    listing = supervisor.get("/supervision/violations/")
    assert violation in listing.context["page"].object_list
    workbook = supervisor.get("/supervision/violations/?format=xlsx")
    assert workbook.status_code == 200
    assert (
        login(people.health_head).get(f"/supervision/violations/{violation.pk}/").status_code == 404
    )
    head = login(people.head)
    empty = head.post(f"/supervision/violations/{violation.pk}/", {"action": "explain"})
    assert empty.status_code == 422
    head.post(
        f"/supervision/violations/{violation.pk}/",
        {"action": "explain", "explanation": "Waiting for the applicant."},
    )
    violation.refresh_from_db()
    assert violation.state == ViolationState.EXPLAINED
    refused = head.post(f"/supervision/violations/{violation.pk}/", {"action": "close"})
    assert refused.status_code == 403
    supervisor.post(f"/supervision/violations/{violation.pk}/", {"action": "close"})
    violation.refresh_from_db()
    assert violation.state == ViolationState.CLOSED
    again = supervisor.post(
        f"/supervision/violations/{violation.pk}/", {"action": "close"}, follow=True
    )
    assert "already been decided" in again.content.decode()


def test_a_notice_is_issued_answered_and_closed_through_the_pages(
    people: People, overdue: Case
) -> None:
    supervisor = login(people.world.supervisor)
    form = supervisor.get(f"/supervision/notices/new/?case={overdue.number}")
    assert form.context["values"]["department"] == people.market.pk
    bad = supervisor.post(
        "/supervision/notices/new/",
        {"department": "", "case": "GH-none", "subject": "", "request": "", "days": "x"},
    )
    assert bad.status_code == 422
    assert set(bad.context["errors"]) == {"department", "case", "days"}
    sent = supervisor.post(
        "/supervision/notices/new/",
        {
            "department": people.market.pk,
            "case": overdue.number,
            "subject": "Overdue case",
            "request": "Conclude it this week.",
            "days": "2",
        },
    )
    notice = SupervisionNotice.objects.get()
    assert sent["Location"] == f"/supervision/notices/{notice.pk}/"
    assert login(people.health_head).get(sent["Location"]).status_code == 404
    head = login(people.head)
    assert head.get(sent["Location"]).context["may_answer"]
    head.post(f"/supervision/notices/{notice.pk}/act/", {"action": "answer", "answer": "Done."})
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED
    page = supervisor.get(sent["Location"])
    assert "Done." in page.content.decode() and page.context["may_close"]
    supervisor.post(f"/supervision/notices/{notice.pk}/act/", {"action": "close"})
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED
    workbook = supervisor.get("/supervision/notices/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][4] == "Overdue case"
