"""Decision (办结), delivery and withdrawal after acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseStatus, DeliveryMethod, StageStatus
from cases.services import (
    CaseConflictError,
    Decision,
    case_decide,
    case_deliver,
    case_withdraw,
    stage_complete,
)
from cases.tests.conftest import World, accept, login, person, submit


def finish_stages(case: Case, head: User) -> None:
    while (stage := case.stages.filter(status=StageStatus.ACTIVE).first()) is not None:
        stage_complete(stage=stage, staff=head, result="Agreed.")


@pytest.fixture
def head(world: World) -> User:
    return person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)


def test_a_case_is_decided_only_when_every_stage_is_done(world: World, head: User) -> None:
    case = accept(world, submit(world))
    with pytest.raises(CaseConflictError) as raised:
        case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    assert "Review" in str(raised.value)
    finish_stages(case, head)
    decision = case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert case.concluded_at is not None
    assert decision.outcome == CaseStatus.CONCLUDED_APPROVED


def test_a_denial_without_reason_is_refused(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    with pytest.raises(ValidationError) as raised:
        case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_DENIED, " "))
    assert "reason" in raised.value.message_dict
    answer = login(head).post(
        f"/api/v1/cases/{case.number}/decide", {"outcome": 13}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert "reason for the denial" in answer.json()["message"]
    case.refresh_from_db()
    assert case.status == CaseStatus.PROCESSING


def test_tolerated_gaps_need_what_must_follow_and_by_when(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    with pytest.raises(ValidationError):
        case_decide(
            case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_WITH_GAPS, gaps="Lease")
        )
    case_decide(
        case=case,
        staff=head,
        decision=Decision(
            CaseStatus.CONCLUDED_WITH_GAPS, gaps="The lease contract", gaps_due=dt.date(2026, 11, 1)
        ),
    )
    assert case.status == CaseStatus.CONCLUDED_WITH_GAPS
    assert "The lease contract" in case.events.order_by("-pk")[0].note


def test_delivery_by_mail_without_a_tracking_number_is_refused(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    with pytest.raises(ValidationError) as raised:
        case_deliver(case=case, staff=world.clerk, method=DeliveryMethod.MAIL)
    assert "tracking_number" in raised.value.message_dict
    answer = login(world.clerk).post(
        f"/api/v1/cases/{case.number}/deliver", {"method": "mail"}, content_type="application/json"
    )
    assert answer.status_code == 422
    decision = case_deliver(
        case=case, staff=world.clerk, method=DeliveryMethod.MAIL, tracking_number="SF1234567"
    )
    assert decision.delivered_at is not None
    with pytest.raises(CaseConflictError):
        case_deliver(case=case, staff=world.clerk, method=DeliveryMethod.ELECTRONIC)


def test_the_decision_document_is_a_pdf_for_the_applicant(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(
        case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_DENIED, "Site too small.")
    )
    answer = login(world.citizen).get(f"/cases/{case.number}/notices/decision.pdf")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert (
        login(world.neighbour).get(f"/cases/{case.number}/notices/decision.pdf").status_code == 404
    )


def test_the_applicant_withdraws_before_the_conclusion_only(world: World, head: User) -> None:
    case = accept(world, submit(world))
    case_withdraw(case=case, user=world.citizen, reason="Changed plans.")
    assert case.status == CaseStatus.WITHDRAWN
    other = accept(world, submit(world, key="k2"))
    finish_stages(other, head)
    case_decide(case=other, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    with pytest.raises(CaseConflictError):
        case_withdraw(case=other, user=world.citizen)


def test_the_applicants_timeline_shows_stages_and_the_decision(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    page = login(world.citizen).get(f"/cases/{case.number}/").content.decode()
    assert "Being processed by the department" in page
    assert "Concluded: approved" in page
    assert "Decision document (PDF)" in page


def test_the_case_page_refuses_a_denial_without_reason_with_a_message(
    world: World, head: User
) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    client = login(head)
    assert "Conclude the case" in client.get(f"/cases/{case.number}/").content.decode()
    answer = client.post(
        f"/cases/{case.number}/act/", {"action": "decide", "outcome": "13"}, follow=True
    )
    assert "Give the reason for the denial" in answer.content.decode()
    answer = client.post(
        f"/cases/{case.number}/act/",
        {"action": "decide", "outcome": "13", "reason": "Site too small."},
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED_DENIED
    assert "Record the delivery" in answer.content.decode()


def test_the_public_query_shows_state_changes_only(world: World, head: User) -> None:
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    answer = login(world.neighbour).get(
        "/api/v1/cases/query", {"number": case.number, "id_tail": case.id_number[-4:]}
    )
    assert [step["status"] for step in answer.json()["steps"]] == [
        "Received",
        "Accepted",
        "Being processed by the department",
        "Concluded: approved",
    ]
