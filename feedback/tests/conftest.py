"""Fixtures of the feedback tests: the cases' world, a concluded case, the department heads, and
a hall floor whose pad rates services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import case_conclude_on_the_spot
from cases.tests.conftest import World, _english, _media, frozen, login, person, submit, world
from catalog.tests.factories import make_department, make_staff, make_user
from hall.models import Ticket
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_finish, ticket_issue
from hall.tests.factories import Floor, make_floor

__all__ = ["_english", "_media", "frozen", "world"]


@pytest.fixture
def concluded(world: World) -> Case:
    """An on-the-spot case of the market department, concluded by its chief representative."""
    case = submit(world, world.instant, key="rate-me")
    return case_conclude_on_the_spot(case=case, staff=world.chief)


@pytest.fixture
def head(world: World) -> User:
    return person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)


@pytest.fixture
def other_head(world: World) -> User:
    """The head of another department: an outsider to the market's rectifications."""
    return person(world, "other-head", Role.DEPARTMENT_HEAD, world.other_item.department)


@dataclass
class Hall:
    """A second center's hall floor (its own center, its own department head and supervisor)."""

    floor: Floor
    head: User
    supervisor: User
    outsider_head: User


@pytest.fixture
def hall(world: World) -> Hall:
    floor = make_floor(slug="padhall")
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    department = floor.counters[0].department
    assert department is not None
    head = make_user("pad-head", full_name="科长")
    make_staff(head, floor.center, Role.DEPARTMENT_HEAD, department=department)
    supervisor = make_user("pad-supervisor", full_name="监察")
    make_staff(supervisor, floor.center, Role.SUPERVISOR)
    other = make_department(floor.center)
    outsider = make_user("pad-other-head")
    make_staff(outsider, floor.center, Role.DEPARTMENT_HEAD, department=other)
    return Hall(floor=floor, head=head, supervisor=supervisor, outsider_head=outsider)


def serve(hall: Hall, *, mobile: str = "") -> Ticket:
    """A finished service at counter 1 of the hall, for a visitor who left `mobile` (or none)."""
    floor = hall.floor
    ticket_issue(category=floor.business, mobile=mobile)
    ticket = ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    assert ticket is not None
    ticket_finish(counter=floor.counters[0], staff=floor.clerks[0])
    return ticket


def pad_post(hall: Hall, ticket: Ticket, level: int) -> int:
    """Rate on the pad of counter 1, as its browser (a signed-in clerk of the center) does."""
    client = login(hall.floor.clerks[0])
    answer = client.post(
        f"/hall/pad/{hall.floor.counters[0].pk}/rate/", {"ticket": ticket.pk, "level": level}
    )
    return answer.status_code
