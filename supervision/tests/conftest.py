"""Fixtures of supervision's tests: the cases' world (a center, two departments, an online item)
with the people the escalation ladder reaches."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.tests.conftest import (  # noqa: F401 -- fixtures shared with the cases' tests
    World,
    _english,
    _media,
    frozen,
    person,
    world,
)
from catalog.models import Department
from catalog.tests.factories import make_department, make_staff, make_user
from supervision.tests.efficiency_world import hall  # noqa: F401 -- the efficiency tables' world


@dataclass
class People:
    world: World
    market: Department
    health: Department
    head: User
    reviewer: User
    health_head: User
    outsider_head: User


@pytest.fixture
def people(world: World) -> People:  # noqa: F811 -- the imported fixture
    """The market department's head and reviewer, the health department's head, and a head of
    another center's department (the outsider)."""
    market = world.item.department
    health = world.other_item.department
    outsider = make_user("outsider-head")
    outsider_profile = world.outsider_staff.staff_profile
    make_staff(
        outsider,
        outsider_profile.center,
        Role.DEPARTMENT_HEAD,
        department=make_department(outsider_profile.center),
    )
    return People(
        world=world,
        market=market,
        health=health,
        head=person(world, "head", Role.DEPARTMENT_HEAD, market),
        reviewer=person(world, "reviewer", Role.REVIEWER, market),
        health_head=person(world, "health-head", Role.DEPARTMENT_HEAD, health),
        outsider_head=outsider,
    )
