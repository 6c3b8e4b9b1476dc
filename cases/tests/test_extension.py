"""Extensions (延期, art. 42): asked by a reviewer, decided by the head, within the allowance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from cases.models import ExtensionStatus
from cases.services import CaseConflictError, extension_approve, extension_refuse, extension_request
from cases.tests.conftest import World, accept, login, person, submit
from workdays.calendar import add_working_days
from workdays.selectors import calendar_current


def test_an_extension_over_the_allowance_is_refused(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    with pytest.raises(ValidationError) as raised:
        extension_request(case=case, staff=reviewer, days=11, reason="Complex site.")
    assert "at most 10 working days" in raised.value.message_dict["days"][0]
    extension_request(case=case, staff=reviewer, days=6, reason="Complex site.")
    with pytest.raises(ValidationError):
        extension_request(case=case, staff=reviewer, days=5, reason="More.")


def test_the_heads_approval_moves_the_due_dates(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)
    case = accept(world, submit(world))
    promised, statutory = case.promised_due, case.statutory_due
    assert promised is not None and statutory is not None
    extension = extension_request(case=case, staff=reviewer, days=4, reason="Site visit.")
    case.refresh_from_db()
    assert case.promised_due == promised
    extension_approve(extension=extension, staff=head)
    case.refresh_from_db()
    calendar = calendar_current()
    assert case.promised_due == add_working_days(calendar, promised, 4)
    assert case.statutory_due == add_working_days(calendar, statutory, 4)
    with pytest.raises(CaseConflictError):
        extension_refuse(extension=extension, staff=head)


def test_only_the_department_head_decides_an_extension(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    other_head = person(world, "other-head", Role.DEPARTMENT_HEAD, world.other_item.department)
    case = accept(world, submit(world))
    extension = extension_request(case=case, staff=reviewer, days=2, reason="Site visit.")
    for refused in (reviewer, world.chief):
        with pytest.raises(PermissionDenied):
            extension_approve(extension=extension, staff=refused)
    with pytest.raises(PermissionDenied):
        extension_approve(extension=extension, staff=other_head)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED


def test_extension_through_the_api(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)
    case = accept(world, submit(world))
    url = f"/api/v1/cases/{case.number}/extensions"
    over = login(reviewer).post(url, {"days": 12, "reason": "x"}, content_type="application/json")
    assert over.status_code == 422
    asked = login(reviewer).post(url, {"days": 3, "reason": "x"}, content_type="application/json")
    assert asked.status_code == 201
    number = asked.json()["id"]
    assert (
        login(reviewer)
        .post(f"{url}/{number}/approve", {}, content_type="application/json")
        .status_code
        == 403
    )
    approved = login(head).post(f"{url}/{number}/approve", {}, content_type="application/json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
