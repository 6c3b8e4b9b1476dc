"""The supervision API: the lights board and violations, in the caller's scope, for supervisors
and department heads only."""

from __future__ import annotations

import pytest
import time_machine

from cases.models import Case
from cases.tests.conftest import accept, login, submit
from supervision.services import violations_detect
from supervision.tests.conftest import People


@pytest.fixture
def overdue(people: People, frozen: time_machine.Traveller) -> Case:
    case = accept(people.world, submit(people.world))
    frozen.move_to("2026-10-12T10:00:00+08:00")
    return case


def test_the_supervisor_reads_the_lights_board(people: People, overdue: Case) -> None:
    answer = login(people.world.supervisor).get("/api/v1/supervision/lights?light=red")
    assert answer.status_code == 200
    body = answer.json()
    assert body["counts"] == {"green": 0, "yellow": 0, "red": 1, "severe": 0}
    (row,) = body["results"]
    assert (row["number"], row["applicant"]) == (overdue.number, "张*三")


def test_the_head_of_another_department_sees_none_of_it(people: People, overdue: Case) -> None:
    body = login(people.health_head).get("/api/v1/supervision/lights").json()
    assert body["count"] == 0 and body["counts"]["red"] == 0


def test_violations_are_listed_in_scope(people: People, overdue: Case) -> None:
    violations_detect()
    rules = {
        row["rule"]
        for row in login(people.head).get("/api/v1/supervision/violations").json()["results"]
    }
    assert rules == {"case_overdue", "stage_overdue"}
    other = login(people.health_head).get("/api/v1/supervision/violations").json()
    assert other["count"] == 0


def test_bad_filters_are_refused_with_422(people: People, overdue: Case) -> None:
    client = login(people.world.supervisor)
    assert client.get("/api/v1/supervision/lights?light=purple").status_code == 422
    assert client.get("/api/v1/supervision/violations?page=0").status_code == 422


@pytest.mark.parametrize("who", ["clerk", "reviewer", "citizen", "outsider_staff"])
def test_everyone_else_is_refused(people: People, overdue: Case, who: str) -> None:
    user = getattr(people.world, who, None) or getattr(people, who)
    refused = 401 if who == "citizen" else 403  # a citizen's session is no staff session at all
    assert login(user).get("/api/v1/supervision/lights").status_code == refused
    assert login(user).get("/api/v1/supervision/violations").status_code == refused
