"""Acceptance, refusal, correction, withdrawal and on-the-spot items, with their events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import CaseStatus
from cases.selectors import cases_overdue_for_acceptance
from cases.services import (
    VIOLATION_SECOND_CORRECTION,
    CaseConflictError,
    CorrectionMark,
    case_accept,
    case_conclude_on_the_spot,
    case_correction_submit,
    case_refuse,
    case_request_correction,
    case_withdraw,
    material_upload,
)
from cases.tests.conftest import PDF, World, login, submit
from hall.models import OutboxMessage


def test_acceptance_sets_the_due_dates_from_the_calendar(world: World) -> None:
    case = case_accept(case=submit(world), staff=world.clerk)
    assert case.status == CaseStatus.PROCESSING  # accepted, and the stages have started
    # Accepted on 2026-09-28 with 5 promised days: the make-up Saturday 10 October.
    assert case.promised_due == dt.date(2026, 10, 10)
    assert case.statutory_due == dt.date(2026, 10, 30)
    assert case.clock_start == dt.date(2026, 9, 28)
    assert not case.due_provisional


def test_a_due_date_in_a_provisional_year_is_marked(world: World) -> None:
    world.item.statutory_days = 80
    world.item.save()
    case = case_accept(case=submit(world), staff=world.clerk)
    assert case.statutory_due is not None and case.statutory_due.year == 2027
    assert case.due_provisional


def test_refusal_without_a_reason_is_refused(world: World) -> None:
    case = submit(world)
    with pytest.raises(ValidationError) as error:
        case_refuse(case=case, staff=world.clerk, reason="  ")
    assert "reason" in error.value.message_dict
    case_refuse(case=case, staff=world.clerk, reason="不属于本部门受理范围")
    assert case.events.last().note == "不属于本部门受理范围"  # type: ignore[union-attr]
    assert case.status == CaseStatus.NOT_ACCEPTED


def test_a_second_correction_request_is_refused(world: World) -> None:
    case = submit(world)
    case_request_correction(
        case=case, staff=world.clerk, marks=[CorrectionMark(spec_id=world.licence.pk, reason="缺")]
    )
    material_upload(
        case=case, user=world.citizen, upload=SimpleUploadedFile("a.pdf", PDF), spec=world.licence
    )
    case_correction_submit(case=case, user=world.citizen)
    with pytest.raises(CaseConflictError, match="one-time"):
        case_request_correction(
            case=case, staff=world.clerk, marks=[CorrectionMark(name="租赁合同", reason="缺")]
        )
    assert case.status == CaseStatus.CORRECTION_END


def test_a_supervisor_may_allow_a_second_correction_and_it_is_recorded(world: World) -> None:
    case = submit(world)
    marks = [CorrectionMark(spec_id=world.licence.pk, reason="模糊")]
    case_request_correction(case=case, staff=world.clerk, marks=marks)
    case_correction_submit_with_upload(world, case)
    with pytest.raises(PermissionDenied):
        case_request_correction(case=case, staff=world.clerk, marks=marks, allowed_by=world.chief)
    notice = case_request_correction(
        case=case, staff=world.clerk, marks=marks, allowed_by=world.supervisor
    )
    assert notice.allowed_by == world.supervisor
    assert case.corrections_count == 2
    violation = case.events.filter(note__startswith=VIOLATION_SECOND_CORRECTION).get()
    assert "supervisor" in violation.note


def case_correction_submit_with_upload(world: World, case: Any) -> None:
    material_upload(
        case=case, user=world.citizen, upload=SimpleUploadedFile("a.pdf", PDF), spec=world.licence
    )
    case_correction_submit(case=case, user=world.citizen)


def test_a_correction_is_handed_in_only_with_the_marked_materials(world: World) -> None:
    case = submit(world)
    case_request_correction(
        case=case,
        staff=world.clerk,
        marks=[
            CorrectionMark(spec_id=world.licence.pk, reason="缺"),
            CorrectionMark(name="租赁合同", reason="缺"),
        ],
    )
    with pytest.raises(ValidationError, match="营业执照"):
        case_correction_submit(case=case, user=world.citizen)
    case_correction_submit_with_upload(world, case)
    assert case.status == CaseStatus.CORRECTION_END
    case_accept(case=case, staff=world.clerk)
    assert [e.to_status for e in case.events.all()] == [1, 6, 7, 3, 8]


def test_a_correction_needs_a_reason_for_every_material(world: World) -> None:
    with pytest.raises(ValidationError):
        case_request_correction(
            case=submit(world),
            staff=world.clerk,
            marks=[CorrectionMark(spec_id=world.licence.pk, reason="")],
        )


def test_the_correction_notice_is_a_pdf(world: World) -> None:
    case = submit(world)
    notice = case_request_correction(
        case=case, staff=world.clerk, marks=[CorrectionMark(spec_id=world.licence.pk, reason="缺")]
    )
    response = login(world.citizen).get(f"/cases/{case.number}/notices/correction/{notice.pk}.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert (
        login(world.neighbour)
        .get(f"/cases/{case.number}/notices/correction/{notice.pk}.pdf")
        .status_code
        == 404
    )


def test_the_applicant_withdraws_before_acceptance_only(world: World) -> None:
    case = submit(world)
    with pytest.raises(PermissionDenied):
        case_withdraw(case=case, user=world.neighbour)
    case_withdraw(case=case, user=world.citizen, reason="不办了")
    assert case.status == CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE
    with pytest.raises(CaseConflictError):
        case_accept(case=case, staff=world.clerk)


def test_an_on_the_spot_item_is_accepted_and_concluded_in_one_step(world: World) -> None:
    case = submit(world, item=world.instant)
    with pytest.raises(PermissionDenied):
        case_conclude_on_the_spot(case=case, staff=world.clerk)
    case_conclude_on_the_spot(case=case, staff=world.chief)
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert [e.to_status for e in case.events.all()] == [1, 3, 11]
    assert case.promised_due == dt.date(2026, 9, 28)


def test_an_authorised_clerk_may_conclude_on_the_spot(world: World) -> None:
    world.clerk.user_permissions.add(Permission.objects.get(codename="conclude_on_the_spot"))
    case = submit(world, item=world.instant)
    case_conclude_on_the_spot(case=case, staff=world.clerk)
    assert case.status == CaseStatus.CONCLUDED_APPROVED


def test_an_item_with_days_does_not_conclude_on_the_spot(world: World) -> None:
    with pytest.raises(CaseConflictError):
        case_conclude_on_the_spot(case=submit(world), staff=world.chief)


def test_staff_of_another_department_or_center_cannot_decide(world: World) -> None:
    case = submit(world)
    for outsider in (world.other_clerk, world.outsider_staff, world.citizen, world.supervisor):
        with pytest.raises(PermissionDenied):
            case_accept(case=case, staff=outsider)


def test_an_online_case_undecided_after_five_working_days_is_flagged(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = submit(world)
    assert (
        list(cases_overdue_for_acceptance(center=world.center, today=dt.date(2026, 10, 10))) == []
    )
    overdue = cases_overdue_for_acceptance(center=world.center, today=dt.date(2026, 10, 12))
    assert list(overdue) == [case]


def test_a_late_acceptance_counts_the_limits_from_the_day_of_receipt(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = submit(world)
    frozen.move_to("2026-10-13T02:00:00Z")
    case_accept(case=case, staff=world.clerk)
    # Art. 32: deemed accepted on receipt (28 September), so the promise ends on 10 October.
    assert case.clock_start == dt.date(2026, 9, 28)
    assert case.promised_due == dt.date(2026, 10, 10)
    accepted = case.events.get(to_status=CaseStatus.ACCEPTED)
    assert "five-working-day" in accepted.note


def test_each_change_of_state_is_texted_to_the_applicant_on_commit(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(world)
    with django_capture_on_commit_callbacks(execute=True):
        case_accept(case=case, staff=world.clerk)
    texts = list(OutboxMessage.objects.order_by("pk").values_list("text", flat=True))
    assert len(texts) == 2
    assert case.number in texts[1] and "Accepted" in texts[1]


def test_the_clerk_decides_on_the_case_page(world: World) -> None:
    case = submit(world)
    client = login(world.clerk)
    response = client.post(f"/cases/{case.number}/act/", {"action": "refuse", "reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    client.post(
        f"/cases/{case.number}/act/",
        {"action": "correction", "spec": [world.licence.pk], f"reason-{world.licence.pk}": "缺"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_START
    assert (
        login(world.other_clerk)
        .post(f"/cases/{case.number}/act/", {"action": "accept"})
        .status_code
        == 404
    )


def test_the_acceptance_notice_is_a_pdf(world: World) -> None:
    case = case_accept(case=submit(world), staff=world.clerk)
    response = login(world.citizen).get(f"/cases/{case.number}/notices/acceptance.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
