"""Fixtures of the feedback tests: the cases' world, a concluded case and the department heads."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import case_conclude_on_the_spot
from cases.tests.conftest import World, _english, _media, frozen, person, submit, world

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
