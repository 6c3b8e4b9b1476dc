"""The escalation ladder: yellow reminds the handler, red alerts the department head, severe the
supervisors; each alert once, across the National Day holidays and a suspension."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from accounts.models import Message
from cases.models import Case, CaseStage, Light, StageStatus
from cases.services import (
    case_resume,
    case_suspend,
    extension_approve,
    extension_request,
    stage_assign,
)
from cases.tests.conftest import accept, submit
from hall.models import OutboxMessage
from supervision.models import LightAlert, LightWatch
from supervision.services import lights_sweep
from supervision.tests.conftest import People
from workdays.calendar import add_working_days, count_working_days
from workdays.selectors import calendar_current


def at(day: dt.date | str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def alerts(case: Case, stage: CaseStage | None = None) -> list[tuple[str, str]]:
    """The alerts sent for the case (or one of its stages): (light, recipient), in order."""
    sent = LightAlert.objects.filter(case=case)
    sent = sent.filter(stage=stage) if stage is not None else sent.filter(stage__isnull=True)
    return list(sent.order_by("pk").values_list("light", "recipient__username"))


def sweep_twice(traveller: time_machine.Traveller, day: dt.date | str) -> None:
    traveller.move_to(at(day))
    lights_sweep()
    lights_sweep()


def test_a_case_goes_green_yellow_red_severe_alerting_each_rung_once_across_national_day(
    people: People, frozen: time_machine.Traveller, django_capture_on_commit_callbacks: Any
) -> None:
    world = people.world
    people.head.mobile = "13900000002"
    people.head.save()
    case = accept(world, submit(world))  # Monday 28 September: 5 working days over the holidays
    assert (case.warn_on, case.promised_due) == (dt.date(2026, 10, 9), dt.date(2026, 10, 10))
    assert case.statutory_due is not None
    sweep_twice(frozen, "2026-10-08")  # after the holidays, two working days still left
    assert alerts(case) == []

    sweep_twice(frozen, "2026-10-09")
    assert alerts(case) == [(Light.YELLOW, "clerk")]  # the handler: the clerk who accepted it

    with django_capture_on_commit_callbacks(execute=True):
        sweep_twice(frozen, "2026-10-11")
    assert alerts(case) == [(Light.YELLOW, "clerk"), (Light.RED, "head")]
    # The case's text message is queued with the claim, once (the stage's has its own).
    (text,) = OutboxMessage.objects.filter(
        mobile="13900000002", text__startswith="Red light: case"
    ).values_list("text", flat=True)
    assert case.number in text

    sweep_twice(frozen, case.statutory_due + dt.timedelta(days=1))
    assert alerts(case) == [
        (Light.YELLOW, "clerk"),
        (Light.RED, "head"),
        (Light.SEVERE, "supervisor"),
    ]
    # Every alert reached its person's inbox.
    inbox = Message.objects.filter(link=f"/cases/{case.number}/", kind__startswith="light.")
    assert sorted(
        inbox.exclude(subject__contains="stage").values_list("user__username", "kind")
    ) == [
        ("clerk", "light.yellow"),
        ("head", "light.red"),
        ("supervisor", "light.severe"),
    ]


def test_a_stage_reminds_its_assignee_then_alerts_its_head_and_goes_no_further(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    case = accept(world, submit(world))
    review = case.stages.get(status=StageStatus.ACTIVE)
    stage_assign(stage=review, staff=people.head, assignee=people.reviewer)
    assert review.due == dt.date(2026, 10, 8)  # three working days: 29, 30 September, 8 October
    sweep_twice(frozen, "2026-10-08")
    assert alerts(case, review) == [(Light.YELLOW, "reviewer")]
    sweep_twice(frozen, "2026-10-09")
    sweep_twice(frozen, "2026-11-30")
    assert alerts(case, review) == [(Light.YELLOW, "reviewer"), (Light.RED, "head")]


def test_a_suspension_stops_the_alerts_and_moves_the_red_alert_by_the_days_it_lasted(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    case = accept(world, submit(world))
    sweep_twice(frozen, "2026-10-09")
    assert alerts(case) == [(Light.YELLOW, "clerk")]
    case_suspend(
        case=case, staff=people.reviewer, kind="testing", reason="Water test.", expected_days=3
    )
    sweep_twice(frozen, "2026-10-12")  # suspended: no light, and its alerted level is kept
    assert alerts(case) == [(Light.YELLOW, "clerk")]
    assert LightWatch.objects.filter(case=case, stage__isnull=True, level=1).exists()

    frozen.move_to(at("2026-10-14"))
    case_resume(case=case, staff=people.reviewer, result="Within the limits.")
    case.refresh_from_db()
    calendar = calendar_current()
    lasted = count_working_days(calendar, dt.date(2026, 10, 9), dt.date(2026, 10, 14))
    assert lasted == 4  # the make-up Saturday 10 October counts
    assert case.promised_due == add_working_days(calendar, dt.date(2026, 10, 10), lasted)
    assert case.promised_due == dt.date(2026, 10, 15)
    sweep_twice(frozen, "2026-10-14")  # still yellow: the yellow alert is not repeated
    sweep_twice(frozen, "2026-10-15")
    assert alerts(case) == [(Light.YELLOW, "clerk")]
    sweep_twice(frozen, "2026-10-16")
    assert alerts(case) == [(Light.YELLOW, "clerk"), (Light.RED, "head")]


def test_a_case_extended_back_to_green_alerts_again_when_it_turns_yellow_again(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    case = accept(world, submit(world))
    sweep_twice(frozen, "2026-10-09")
    extension = extension_request(case=case, staff=people.reviewer, days=5, reason="Site visit.")
    extension_approve(extension=extension, staff=people.head)
    case.refresh_from_db()
    assert case.promised_due == dt.date(2026, 10, 16)
    sweep_twice(frozen, "2026-10-09")  # green again: the watch is released
    assert not LightWatch.objects.filter(case=case, stage__isnull=True).exists()
    sweep_twice(frozen, "2026-10-15")
    sweep_twice(frozen, "2026-10-15")
    assert alerts(case) == [(Light.YELLOW, "clerk"), (Light.YELLOW, "clerk")]


def test_a_case_that_jumps_from_green_to_red_still_reminds_its_handler(
    people: People, frozen: time_machine.Traveller
) -> None:
    case = accept(people.world, submit(people.world))
    sweep_twice(frozen, "2026-10-12")
    assert alerts(case) == [(Light.YELLOW, "clerk"), (Light.RED, "head")]


def test_without_a_handler_the_departments_reviewers_are_reminded(
    people: People, frozen: time_machine.Traveller
) -> None:
    case = accept(people.world, submit(people.world))
    Case.objects.filter(pk=case.pk).update(handled_by=None)
    sweep_twice(frozen, "2026-10-09")
    assert alerts(case) == [(Light.YELLOW, "reviewer")]
