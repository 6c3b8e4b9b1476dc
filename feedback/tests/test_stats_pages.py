"""The staff satisfaction page, its Excel export and the satisfaction API, with their scoping."""

from __future__ import annotations

import io
import json

import openpyxl
import time_machine
from django.test import Client

from accounts.roles import Role
from audit.models import AuditEntry
from cases.tests.conftest import World, login, person
from feedback.tests.test_stats import Rated, rated

__all__ = ["rated"]

PAGE = "/feedback/satisfaction/"
API = "/api/v1/feedback/satisfaction"


def test_the_hall_manager_sees_the_whole_center_by_department_counter_and_staff(
    rated: Rated, frozen: time_machine.Traveller
) -> None:
    world = rated.world
    frozen.move_to("2026-10-30T02:00:00Z")
    manager = person(world, "manager", Role.HALL_MANAGER)
    page = login(manager).get(PAGE, {"period": "2026-09"})
    assert page.status_code == 200
    text = page.content.decode()
    for name in (
        world.instant.department.name,
        world.other_item.department.name,
        str(rated.counter),
        str(rated.general_counter),
        str(rated.clerk),
        str(rated.general_clerk),
    ):
        assert name in text
    assert "66.7%" in text  # 4 of 6 ratings satisfied
    # The pad's bad rating is overdue; its ticket is listed.
    assert rated.pad_bad.ticket.number in text


def test_the_page_shows_this_month_by_default(rated: Rated) -> None:
    manager = person(rated.world, "manager", Role.HALL_MANAGER)
    page = login(manager).get(PAGE)
    assert page.status_code == 200
    assert 'value="2026-09"' in page.content.decode()


def test_a_department_head_sees_only_his_department(rated: Rated) -> None:
    world = rated.world
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    text = login(head).get(PAGE, {"period": "2026-09"}).content.decode()
    assert world.instant.department.name in text
    assert world.other_item.department.name not in text
    assert str(rated.general_clerk) not in text


def test_citizens_and_clerks_are_refused(world: World) -> None:
    for outsider in (world.citizen, world.clerk, world.outsider_staff):
        assert login(outsider).get(PAGE).status_code == 403
    assert login(world.citizen).get(API).status_code == 401
    assert login(world.clerk).get(API).status_code == 403
    assert Client().get(PAGE).status_code == 302


def test_a_malformed_period_gets_a_message_not_an_error(world: World) -> None:
    staff = login(world.supervisor)
    page = staff.get(PAGE, {"period": "2026-13"})
    assert page.status_code == 422
    assert "There is no month 13" in page.content.decode()
    answer = staff.get(API, {"period": "november"})
    assert answer.status_code == 422
    assert "for example 2026-11, 2026-Q4 or 2026" in answer.json()["message"]
    assert staff.get(API, {"by": "item"}).status_code == 422


def test_the_export_holds_one_sheet_per_grouping_and_is_audited(rated: Rated) -> None:
    world = rated.world
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    answer = login(head).get(PAGE, {"period": "2026-09", "format": "xlsx"})
    assert answer.status_code == 200
    assert "satisfaction-dept" in answer["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames == ["By department", "By counter", "By staff member"]
    rows = list(workbook["By department"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Department, counter or staff member", "Ratings")
    assert rows[1][:2] == (world.instant.department.name, 5)
    assert rows[-1][:2] == ("Total", 5)
    entry = AuditEntry.objects.get(action="export", target_type="feedback.satisfaction")
    assert entry.actor_id == head.pk
    assert entry.data["department"] == world.instant.department_id


def test_the_api_gives_one_grouping_scoped_as_the_page(rated: Rated) -> None:
    world = rated.world
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    answer = login(head).get(API, {"period": "2026-09", "by": "counter"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["period"], body["start"], body["end"]) == ("2026-09", "2026-09-01", "2026-09-30")
    assert body["department_id"] == world.instant.department_id
    counters = {row["id"]: (row["ratings"], row["bad"]) for row in body["rows"]}
    assert counters == {rated.counter.pk: (3, 1), None: (2, 1)}
    assert body["total"]["ratings"] == 5
    assert body["total"]["levels"] == {"5": 2, "4": 1, "3": 0, "2": 1, "1": 1}
    assert body["total"]["satisfaction_rate"] == 60.0
    everything = login(world.supervisor).get(API, {"period": "2026-Q3", "by": "staff"}).json()
    assert everything["total"]["ratings"] == 6
    assert json.dumps(everything).count('"name"') == 4  # three staff members and the total
