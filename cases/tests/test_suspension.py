"""Special procedures (特别程序, art. 45): the clock stops while they last."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from cases.models import CaseStatus, StageStatus
from cases.services import CaseConflictError, case_resume, case_suspend, stage_complete
from cases.tests.conftest import World, accept, login, person, submit
from hall.models import OutboxMessage
from workdays.calendar import add_working_days
from workdays.selectors import calendar_current


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def test_a_suspension_of_3_working_days_across_a_weekend_moves_the_due_dates_by_3(
    world: World, frozen: time_machine.Traveller, django_capture_on_commit_callbacks: object
) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    frozen.move_to(at("2026-11-02"))  # a Monday without holidays near
    case = accept(world, submit(world))
    assert case.promised_due == dt.date(2026, 11, 9)
    promised, statutory = case.promised_due, case.statutory_due
    assert statutory is not None
    stage_due = case.stages.get(status=StageStatus.ACTIVE).due
    assert stage_due is not None
    frozen.move_to(at("2026-11-05"))  # Thursday
    case_suspend(
        case=case, staff=reviewer, kind="testing", reason="Water sample test.", expected_days=3
    )
    assert case.status == CaseStatus.SPECIAL_START
    with pytest.raises(CaseConflictError):
        stage_complete(
            stage=case.stages.get(status=StageStatus.ACTIVE), staff=reviewer, result="Too early."
        )
    frozen.move_to(at("2026-11-10"))  # the next Tuesday: Friday, Monday, Tuesday passed
    suspension = case_resume(case=case, staff=reviewer, result="Sample within the limits.")
    calendar = calendar_current()
    assert suspension.working_days == 3
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIAL_END
    assert case.promised_due == add_working_days(calendar, promised, 3) == dt.date(2026, 11, 12)
    assert case.statutory_due == add_working_days(calendar, statutory, 3)
    assert case.stages.get(status=StageStatus.ACTIVE).due == add_working_days(
        calendar, stage_due, 3
    )


def test_the_applicant_is_told_of_the_suspension_and_its_end(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        case_suspend(
            case=case, staff=reviewer, kind="hearing", reason="Neighbours object.", expected_days=5
        )
        case_resume(case=case, staff=reviewer, result="Hearing held.")
    texts = list(OutboxMessage.objects.values_list("text", flat=True))
    assert any("Special procedure started" in text and "Hearing" in text for text in texts)
    assert any("Special procedure ended" in text for text in texts)


def test_a_suspension_without_reason_is_refused(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    with pytest.raises(ValidationError) as raised:
        case_suspend(case=case, staff=reviewer, kind="testing", reason=" ", expected_days=3)
    assert "reason" in raised.value.message_dict
    assert case.status == CaseStatus.PROCESSING


def test_a_clerk_cannot_suspend(world: World) -> None:
    case = accept(world, submit(world))
    with pytest.raises(PermissionDenied):
        case_suspend(case=case, staff=world.clerk, kind="testing", reason="x", expected_days=3)


def test_suspension_through_the_api_declares_its_refusals(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    client = login(reviewer)
    url = f"/api/v1/cases/{case.number}"
    missing = client.post(
        f"{url}/suspend",
        {"kind": "testing", "reason": "", "expected_days": 3},
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert (
        client.post(f"{url}/resume", {"result": "x"}, content_type="application/json").status_code
        == 409
    )
    started = client.post(
        f"{url}/suspend",
        {"kind": "testing", "reason": "Lab test.", "expected_days": 3},
        content_type="application/json",
    )
    assert started.status_code == 200
    assert started.json()["status"] == CaseStatus.SPECIAL_START
