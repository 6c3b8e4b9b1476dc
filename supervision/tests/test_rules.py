"""Each rule of supervision during handling, on its own, and the detection that records them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, CaseEvent, CaseStatus, CaseSuspension, Light, StageStatus
from cases.services import (
    CorrectionMark,
    case_conclude_on_the_spot,
    case_correction_submit,
    case_request_correction,
    case_suspend,
    material_upload,
)
from cases.tests.conftest import PDF, World, accept, submit
from catalog.models import StaffProfile
from catalog.tests.factories import make_counter
from supervision import rules
from supervision.models import Rule, Severity, SweepCursor, Violation
from supervision.services import violations_detect
from supervision.tests.conftest import People
from workdays.selectors import calendar_current


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def new_events(case: Case, **fields: Any) -> list[CaseEvent]:
    """An event as a department system could push it, bypassing the services' checks."""
    event = CaseEvent.objects.create(
        case=case,
        from_status=case.status,
        at=dt.datetime.fromisoformat("2026-09-28T03:00:00+00:00"),
        **fields,
    )
    return list(CaseEvent.objects.filter(pk=event.pk).select_related("case__item"))


def test_a_case_past_its_promised_date_is_overdue_and_past_its_statutory_date_gravely(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = accept(world, submit(world))
    calendar = calendar_current()
    assert rules.overdue_cases(world.center, dt.date(2026, 10, 10), calendar) == []
    (finding,) = rules.overdue_cases(world.center, dt.date(2026, 10, 11), calendar)
    assert (finding.rule, finding.severity, finding.case_id) == (
        Rule.CASE_OVERDUE,
        Severity.SERIOUS,
        case.pk,
    )
    assert finding.person_id == world.clerk.pk
    assert case.statutory_due is not None
    late = case.statutory_due + dt.timedelta(days=1)
    (finding,) = rules.overdue_cases(world.center, late, calendar)
    assert finding.severity == Severity.GRAVE


def test_a_stage_past_its_due_date_is_overdue(world: World, frozen: time_machine.Traveller) -> None:
    case = accept(world, submit(world))
    review = case.stages.get(status=StageStatus.ACTIVE)
    calendar = calendar_current()
    assert rules.overdue_stages(world.center, dt.date(2026, 10, 8), calendar) == []
    (finding,) = rules.overdue_stages(world.center, dt.date(2026, 10, 9), calendar)
    assert (finding.rule, finding.stage_id, finding.department_id) == (
        Rule.STAGE_OVERDUE,
        review.pk,
        review.department_id,
    )


def test_an_online_application_without_acceptance_decision_after_5_working_days(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = submit(world)  # Monday 28 September: five working days end on Saturday 10 October
    assert case.acceptance_due == dt.date(2026, 10, 10)  # a make-up working day
    calendar = calendar_current()
    assert rules.acceptance_late(world.center, dt.date(2026, 10, 10), calendar) == []
    (finding,) = rules.acceptance_late(world.center, dt.date(2026, 10, 11), calendar)
    assert (finding.rule, finding.case_id) == (Rule.ACCEPTANCE_LATE, case.pk)


def test_a_counter_application_is_not_an_online_one(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = submit(world)
    Case.objects.filter(pk=case.pk).update(channel="counter")
    assert rules.acceptance_late(world.center, dt.date(2026, 10, 12), calendar_current()) == []


def test_a_suspension_running_past_its_expected_length(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    case_suspend(
        case=case, staff=people.reviewer, kind="testing", reason="Sample.", expected_days=3
    )
    calendar = calendar_current()
    assert rules.suspensions_too_long(world.center, dt.date(2026, 11, 5), calendar) == []
    (finding,) = rules.suspensions_too_long(world.center, dt.date(2026, 11, 6), calendar)
    assert (finding.rule, finding.person_id) == (Rule.SUSPENSION_TOO_LONG, people.reviewer.pk)


def test_a_second_correction_request_even_allowed_by_a_supervisor(world: World) -> None:
    case = submit(world)
    marks = [CorrectionMark(spec_id=world.licence.pk, reason="模糊")]
    case_request_correction(case=case, staff=world.clerk, marks=marks)
    first = list(CaseEvent.objects.filter(case=case).select_related("case__item"))
    assert rules.second_corrections(first) == []
    material_upload(
        case=case, user=world.citizen, upload=SimpleUploadedFile("a.pdf", PDF), spec=world.licence
    )
    case_correction_submit(case=case, user=world.citizen)
    case_request_correction(case=case, staff=world.clerk, marks=marks, allowed_by=world.supervisor)
    events = list(CaseEvent.objects.filter(case=case).select_related("case__item"))
    (finding,) = {(f.rule, f.case_id, f.person_id) for f in rules.second_corrections(events)}
    assert finding == (Rule.SECOND_CORRECTION, case.pk, world.clerk.pk)


def test_a_refusal_without_reason(world: World, frozen: time_machine.Traveller) -> None:
    case = submit(world)
    events = new_events(case, to_status=CaseStatus.NOT_ACCEPTED, actor=world.clerk, note=" ")
    (finding,) = rules.refusals_without_reason(events)
    assert (finding.rule, finding.person_id) == (Rule.REFUSAL_WITHOUT_REASON, world.clerk.pk)
    reasoned = new_events(case, to_status=CaseStatus.REFUSED, actor=world.clerk, note="不符合条件")
    assert rules.refusals_without_reason(reasoned) == []


def test_a_denial_without_reason(world: World, frozen: time_machine.Traveller) -> None:
    case = accept(world, submit(world))
    events = new_events(case, to_status=CaseStatus.CONCLUDED_DENIED, actor=world.chief)
    (finding,) = rules.denials_without_reason(events)
    assert (finding.rule, finding.person_id) == (Rule.DENIAL_WITHOUT_REASON, world.chief.pk)


def test_a_conclusion_while_a_stage_is_not_done(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = accept(world, submit(world))
    events = new_events(case, to_status=CaseStatus.CONCLUDED_APPROVED, actor=world.chief)
    (finding,) = rules.conclusions_without_stages(events)
    assert finding.rule == Rule.CONCLUDED_WITHOUT_STAGE
    assert "Review" in finding.detail and "Decision" in finding.detail
    case.stages.update(status=StageStatus.DONE)
    assert rules.conclusions_without_stages(events) == []


def test_an_on_the_spot_item_concludes_without_stages_by_design(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = case_open_at_counter_for(world)
    case_conclude_on_the_spot(case=case, staff=world.chief)
    events = list(CaseEvent.objects.filter(case=case).select_related("case__item"))
    assert rules.conclusions_without_stages(events) == []


def case_open_at_counter_for(world: World) -> Case:
    return submit(world, item=world.instant, key="instant")


def test_a_suspension_without_reason(people: People, frozen: time_machine.Traveller) -> None:
    world = people.world
    case = accept(world, submit(world))
    case_suspend(
        case=case, staff=people.reviewer, kind="testing", reason="Sample.", expected_days=3
    )
    events = list(
        CaseEvent.objects.filter(case=case, to_status=CaseStatus.SPECIAL_START).select_related(
            "case__item"
        )
    )
    assert rules.suspensions_without_reason(events) == []
    CaseSuspension.objects.filter(case=case).update(reason="")
    (finding,) = rules.suspensions_without_reason(events)
    assert (finding.rule, finding.person_id) == (Rule.SUSPENSION_WITHOUT_REASON, people.reviewer.pk)


def test_an_action_by_staff_of_a_department_without_part_in_the_case(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    case = accept(world, submit(world))
    outsider = new_events(case, to_status=case.status, actor=world.other_clerk, note="看一下")
    (finding,) = rules.outside_actors(outsider)
    assert (finding.rule, finding.person_id, finding.department_id) == (
        Rule.OUTSIDE_ACTOR,
        world.other_clerk.pk,
        people.health.pk,
    )
    own = new_events(case, to_status=case.status, actor=world.clerk)
    center_wide = new_events(case, to_status=case.status, actor=world.general_clerk)
    applicant = new_events(case, to_status=case.status, actor=world.citizen)
    assert rules.outside_actors(own + center_wide + applicant) == []


def test_a_department_with_a_stage_in_the_case_takes_part_in_it(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    case = accept(world, submit(world))
    case.stages.filter(step=2).update(department=people.health)
    events = new_events(case, to_status=case.status, actor=world.other_clerk)
    assert rules.outside_actors(events) == []


def test_detection_records_one_violation_per_rule_and_case_however_often_it_runs(
    world: World, frozen: time_machine.Traveller
) -> None:
    counter = make_counter(world.center, world.item.department)
    StaffProfile.objects.filter(user=world.clerk).update(counter=counter)
    case = accept(world, submit(world))
    new_events(case, to_status=case.status, actor=world.other_clerk)
    frozen.move_to(at("2026-10-12"))
    first = violations_detect()
    assert sorted(v.rule for v in first) == [
        Rule.CASE_OVERDUE,
        Rule.OUTSIDE_ACTOR,
        Rule.STAGE_OVERDUE,
    ]
    assert violations_detect() == []
    frozen.move_to(at("2026-10-13"))
    assert violations_detect() == []
    assert Violation.objects.filter(case=case).count() == 3
    cursor = SweepCursor.objects.get(name="case_events")
    assert cursor.last_id == CaseEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    violation = Violation.objects.get(rule=Rule.CASE_OVERDUE)
    assert (violation.person, violation.department_id, violation.severity) == (
        world.clerk,
        world.item.department_id,
        Severity.SERIOUS,
    )
    assert violation.counter == counter  # the clerk's counter
    # The light seen by the rule is the one the board shows.
    assert case.light(dt.date(2026, 10, 13)) == Light.RED
