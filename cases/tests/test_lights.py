"""Deadline lights (绿/黄/红/严重超期): stored warning days, the model rules and the same rules as
indexed queries, across the National Day holidays and a suspension."""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.roles import Role
from cases.models import Case, CaseStage, Light, StageStatus
from cases.services import case_resume, case_suspend
from cases.tests.conftest import World, accept, login, person, submit
from workdays.services import calendar_import_csv


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def lights_by_query(day: dt.date) -> dict[Light, list[int]]:
    return {
        light: list(Case.objects.lit(light, day).values_list("pk", flat=True)) for light in Light
    }


def assert_case_light(case: Case, day: dt.date, expected: Light | None) -> None:
    """The model's rule, the `lit` filters and the annotation agree on `day`."""
    assert case.light(day) == expected
    for light, pks in lights_by_query(day).items():
        assert (case.pk in pks) == (light == expected), (day, light)
    annotated = Case.objects.annotate_light(day).values_list("light", flat=True).get(pk=case.pk)
    assert annotated == (expected.value if expected else None)


def test_a_case_turns_yellow_one_working_day_before_its_promised_date_across_national_day(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = accept(world, submit(world))  # Monday 28 September, 5 promised working days
    assert case.promised_due == dt.date(2026, 10, 10)  # the make-up Saturday after the holidays
    assert case.warn_on == dt.date(2026, 10, 9)
    assert case.statutory_due is not None
    assert_case_light(case, dt.date(2026, 9, 30), Light.GREEN)
    assert_case_light(case, dt.date(2026, 10, 5), Light.GREEN)  # a holiday, 2 days still left
    assert_case_light(case, dt.date(2026, 10, 9), Light.YELLOW)
    assert_case_light(case, dt.date(2026, 10, 10), Light.YELLOW)
    assert_case_light(case, dt.date(2026, 10, 11), Light.RED)
    assert_case_light(case, case.statutory_due, Light.RED)
    assert_case_light(case, case.statutory_due + dt.timedelta(days=1), Light.SEVERE)


def test_the_items_lead_overrides_the_departments(
    world: World, frozen: time_machine.Traveller
) -> None:
    department = world.item.department
    department.warn_lead_days = 3
    department.save()
    frozen.move_to(at("2026-11-02"))  # Monday, 5 working days to Monday 9 November
    first = accept(world, submit(world))
    assert (first.promised_due, first.warn_on) == (dt.date(2026, 11, 9), dt.date(2026, 11, 4))
    world.item.warn_lead_days = 0
    world.item.save()
    second = accept(world, submit(world, key="k2"))
    assert second.warn_on == second.promised_due == dt.date(2026, 11, 9)
    world.item.warn_lead_days = 9  # longer than the limit: yellow from the start
    world.item.save()
    third = accept(world, submit(world, key="k3"))
    assert third.warn_on == dt.date(2026, 11, 2)
    assert third.light(dt.date(2026, 11, 2)) == Light.YELLOW


def test_cases_not_accepted_or_concluded_show_no_light(
    world: World, frozen: time_machine.Traveller
) -> None:
    received = submit(world)
    assert_case_light(received, dt.date(2026, 9, 28), None)
    assert list(Case.objects.running()) == []


def test_no_light_while_suspended_and_the_dates_move_after(
    world: World, frozen: time_machine.Traveller
) -> None:
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    stage = case.stages.get(status=StageStatus.ACTIVE)
    assert (case.warn_on, stage.due, stage.warn_on) == (
        dt.date(2026, 11, 6),
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 4),
    )
    frozen.move_to(at("2026-11-05"))
    case_suspend(case=case, staff=reviewer, kind="testing", reason="Sample.", expected_days=3)
    assert_case_light(case, dt.date(2026, 11, 12), None)
    stage.refresh_from_db()
    assert stage.light(dt.date(2026, 11, 12)) is None
    assert not CaseStage.objects.running().exists()
    frozen.move_to(at("2026-11-10"))  # Friday, Monday and Tuesday did not count
    case_resume(case=case, staff=reviewer, result="Within limits.")
    case.refresh_from_db()
    stage.refresh_from_db()
    assert (case.promised_due, case.warn_on) == (dt.date(2026, 11, 12), dt.date(2026, 11, 11))
    assert (stage.due, stage.warn_on) == (dt.date(2026, 11, 10), dt.date(2026, 11, 9))
    assert_case_light(case, dt.date(2026, 11, 10), Light.GREEN)
    assert stage.light(dt.date(2026, 11, 10)) == Light.YELLOW
    assert stage.light(dt.date(2026, 11, 11)) == Light.RED


def test_stages_go_up_to_red_and_their_queries_agree(
    world: World, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    stage = case.stages.get(status=StageStatus.ACTIVE)
    far = dt.date(2027, 6, 1)
    assert stage.light(far) == Light.RED
    assert list(CaseStage.objects.lit(Light.RED, far)) == [stage]
    assert not CaseStage.objects.lit(Light.SEVERE, far).exists()
    for day, expected in (
        (dt.date(2026, 11, 3), Light.GREEN),
        (dt.date(2026, 11, 4), Light.YELLOW),
        (dt.date(2026, 11, 6), Light.RED),
    ):
        assert stage.light(day) == expected
        assert list(CaseStage.objects.lit(expected, day)) == [stage]
        annotated = CaseStage.objects.annotate_light(day).values_list("light", flat=True)
        assert annotated.get(pk=stage.pk) == expected.value
    waiting = case.stages.get(status=StageStatus.WAITING)
    assert waiting.light(far) is None
    assert (
        CaseStage.objects.annotate_light(far).values_list("light", flat=True).get(pk=waiting.pk)
        is None
    )


def test_a_calendar_change_moves_the_warning_days(
    world: World, frozen: time_machine.Traveller, django_capture_on_commit_callbacks: object
) -> None:
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    assert case.warn_on == dt.date(2026, 11, 6)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        calendar_import_csv(year=2026, text="date,kind,name\n2026-11-04,holiday,Local holiday\n")
    case.refresh_from_db()
    stage = case.stages.get(status=StageStatus.ACTIVE)
    assert (case.promised_due, case.warn_on) == (dt.date(2026, 11, 10), dt.date(2026, 11, 9))
    assert (stage.due, stage.warn_on) == (dt.date(2026, 11, 6), dt.date(2026, 11, 5))


def test_the_work_list_and_the_api_show_the_light_in_words(
    world: World, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(at("2026-11-02"))
    case = accept(world, submit(world))
    frozen.move_to(at("2026-11-04"))
    reviewer = person(world, "reviewer", Role.REVIEWER, world.item.department)
    client = login(reviewer)
    page = client.get("/cases/work/").content.decode()
    assert "light-yellow" in page and "Yellow light" in page
    detail = client.get(f"/cases/{case.number}/").content.decode()
    assert "Green light" in detail  # the case: yellow from 6 November
    stages = client.get("/api/v1/stages").json()["results"]
    assert [row["light"] for row in stages] == ["yellow"]
    rows = client.get("/api/v1/cases").json()["results"]
    assert [row["light"] for row in rows] == ["green"]
    assert client.get(f"/api/v1/cases/{case.number}").json()["light"] == "green"


def test_an_outsider_sees_no_lights_of_the_centers_cases(
    world: World, frozen: time_machine.Traveller
) -> None:
    accept(world, submit(world))
    client = login(world.outsider_staff)
    assert client.get("/api/v1/stages").json()["results"] == []
    assert client.get("/api/v1/cases").json()["results"] == []
