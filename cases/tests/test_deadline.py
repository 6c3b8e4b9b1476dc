"""The due dates' explanation and their recomputation when the calendar changes."""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.roles import Role
from cases.models import StageStatus
from cases.services import extension_approve, extension_request
from cases.tests.conftest import World, accept, login, person, submit
from workdays.services import calendar_import_csv


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def test_a_new_holiday_imported_moves_an_open_cases_due_date(
    world: World, frozen: time_machine.Traveller, django_capture_on_commit_callbacks: object
) -> None:
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    assert case.promised_due == dt.date(2026, 11, 9)
    second = accept(world, submit(world, key="k2"))
    stage_due = case.stages.get(status=StageStatus.ACTIVE).due
    assert stage_due == dt.date(2026, 11, 5)
    csv = "date,kind,name\n2026-11-04,holiday,Local holiday\n"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        calendar_import_csv(year=2026, text=csv)
    case.refresh_from_db()
    assert case.promised_due == dt.date(2026, 11, 10)
    assert case.stages.get(status=StageStatus.ACTIVE).due == dt.date(2026, 11, 6)
    assert "calendar changed" in case.events.order_by("-pk")[0].note
    second.refresh_from_db()
    assert second.promised_due == dt.date(2026, 11, 10)


def test_the_deadline_explains_start_limit_extension_and_holidays(world: World) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)
    case = accept(world, submit(world))  # Monday 28 September, before the National Day
    extension_approve(
        extension=extension_request(case=case, staff=reviewer, days=2, reason="Site visit."),
        staff=head,
    )
    answer = login(world.citizen).get(f"/api/v1/cases/{case.number}/deadline")
    assert answer.status_code == 200
    body = answer.json()
    case.refresh_from_db()
    assert body["clock_start"] == "2026-09-28"
    assert (body["promised_days"], body["extension_days"], body["suspended_days"]) == (5, 2, 0)
    assert body["promised_due"] == case.promised_due.isoformat()  # type: ignore[union-attr]
    assert any(day["date"] == "2026-10-01" for day in body["holidays_crossed"])
    assert body["makeup_days_crossed"]
    assert body["provisional_years"] == []


def test_the_deadline_of_a_case_not_accepted_is_404(world: World) -> None:
    case = submit(world)
    assert login(world.citizen).get(f"/api/v1/cases/{case.number}/deadline").status_code == 404


def test_the_staff_page_explains_the_deadline(world: World) -> None:
    case = accept(world, submit(world))
    page = login(world.clerk).get(f"/cases/{case.number}/").content.decode()
    assert "How the due date is counted" in page
