"""Approval stages: created on acceptance, parallel departments, work lists, assignment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseStage, CaseStatus, StageStatus
from cases.services import CaseConflictError, stage_assign, stage_complete
from cases.tests.conftest import World, accept, login, person, submit
from catalog.models import StageSpec


@pytest.fixture
def joint(world: World) -> World:
    """The item reviewed by market, then by market and health in parallel, then decided."""
    market, health = world.item.department, world.other_item.department
    for position, name, department, role, group in (
        (1, "Review", market, Role.REVIEWER, ""),
        (2, "Market opinion", market, Role.REVIEWER, "joint"),
        (3, "Health opinion", health, Role.REVIEWER, "joint"),
        (4, "Decision", market, Role.DEPARTMENT_HEAD, ""),
    ):
        StageSpec.objects.create(
            item=world.item, position=position, name=name, department=department, role=role, days=1
        )
        StageSpec.objects.filter(item=world.item, position=position).update(parallel_group=group)
    return world


def stage(case: Case, name: str) -> CaseStage:
    return case.stages.get(name=name)


def test_an_item_without_stage_definitions_gets_review_then_decision(world: World) -> None:
    case = accept(world, submit(world))
    stages = list(case.stages.order_by("step"))
    assert [(s.name, s.role, s.days, s.status) for s in stages] == [
        ("Review", Role.REVIEWER, 3, StageStatus.ACTIVE),
        ("Decision", Role.DEPARTMENT_HEAD, 2, StageStatus.WAITING),
    ]
    assert case.status == CaseStatus.PROCESSING
    assert stages[0].due == dt.date(2026, 10, 8)  # 29 and 30 September, then after the holidays


def test_the_case_moves_on_only_after_both_departments_finish(joint: World) -> None:
    world = joint
    market = person(world, "market-reviewer", Role.REVIEWER, world.item.department)
    health = person(world, "health-reviewer", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    stage_complete(stage=stage(case, "Review"), staff=market, result="Complete file.")
    assert set(case.stages.filter(status=StageStatus.ACTIVE).values_list("name", flat=True)) == {
        "Market opinion",
        "Health opinion",
    }
    stage_complete(stage=stage(case, "Health opinion"), staff=health, result="No objection.")
    assert stage(case, "Decision").status == StageStatus.WAITING
    stage_complete(stage=stage(case, "Market opinion"), staff=market, result="Agreed.")
    assert stage(case, "Decision").status == StageStatus.ACTIVE
    assert "Next: Decision" in case.events.order_by("-pk")[0].note


def test_a_reviewer_cannot_complete_another_departments_stage(joint: World) -> None:
    world = joint
    health = person(world, "health-reviewer", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    with pytest.raises(PermissionDenied):
        stage_complete(stage=stage(case, "Review"), staff=health, result="Mine?")


def test_a_stage_is_completed_once_and_only_with_a_result(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    review = stage(case, "Review")
    with pytest.raises(ValidationError):
        stage_complete(stage=review, staff=reviewer, result=" ")
    stage_complete(stage=review, staff=reviewer, result="Fine.")
    with pytest.raises(CaseConflictError):
        stage_complete(stage=review, staff=reviewer, result="Again.")


def test_the_head_reassigns_within_the_department_only(world: World) -> None:
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)
    first = person(world, "first", Role.REVIEWER, world.item.department)
    second = person(world, "second", Role.REVIEWER, world.item.department)
    stranger = person(world, "stranger", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    review = stage(case, "Review")
    stage_assign(stage=review, staff=head, assignee=first)
    stage_assign(stage=review, staff=head, assignee=second)
    with pytest.raises(PermissionDenied):
        stage_complete(stage=stage(case, "Review"), staff=first, result="Not mine any more.")
    with pytest.raises(ValidationError):
        stage_assign(stage=review, staff=head, assignee=stranger)
    with pytest.raises(PermissionDenied):
        stage_assign(stage=review, staff=second, assignee=first)
    stage_complete(stage=stage(case, "Review"), staff=second, result="Done.")


def test_the_work_list_shows_the_departments_stages_by_due_date(joint: World) -> None:
    world = joint
    market = person(world, "market-reviewer", Role.REVIEWER, world.item.department)
    health = person(world, "health-reviewer", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    stage_complete(stage=stage(case, "Review"), staff=market, result="Complete file.")
    answer = login(health).get("/api/v1/stages")
    assert answer.status_code == 200
    assert [row["name"] for row in answer.json()["results"]] == ["Health opinion"]
    assert answer.json()["results"][0]["applicant"] != "张小三"
    page = login(health).get("/cases/work/")
    assert page.status_code == 200
    assert "Health opinion" in page.content.decode()


def test_the_other_departments_reviewer_sees_the_case_through_its_stage(joint: World) -> None:
    world = joint
    health = person(world, "health-reviewer", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    assert login(health).get(f"/api/v1/cases/{case.number}").status_code == 200


def test_another_departments_reviewer_gets_404(world: World) -> None:
    stranger = person(world, "stranger", Role.REVIEWER, world.other_item.department)
    case = accept(world, submit(world))
    review = stage(case, "Review")
    client = login(stranger)
    assert client.get(f"/api/v1/cases/{case.number}").status_code == 404
    assert client.get(f"/api/v1/cases/{case.number}/deadline").status_code == 404
    answer = client.post(
        f"/api/v1/cases/{case.number}/stages/{review.pk}/complete",
        {"result": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert client.get(f"/cases/{case.number}/").status_code == 404


def test_completing_a_stage_through_the_api(world: World) -> None:
    reviewer: User = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    answer = login(reviewer).post(
        f"/api/v1/cases/{case.number}/stages/{stage(case, 'Review').pk}/complete",
        {"result": "Complete."},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert [s["status"] for s in answer.json()["stages"]] == ["done", "active"]


def test_a_reviewer_completes_a_stage_from_the_case_page(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    case = accept(world, submit(world))
    client = login(reviewer)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "Approval stages" in page and "Complete Review" in page
    review = stage(case, "Review")
    answer = client.post(
        f"/cases/{case.number}/act/",
        {"action": "stage-complete", "stage": review.pk, "result": "Complete file."},
        follow=True,
    )
    assert "Done." in answer.content.decode()
    assert stage(case, "Review").status == StageStatus.DONE
