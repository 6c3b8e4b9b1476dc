"""Fixtures of the work orders' tests: the cases' world with a hall manager and department staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.tests.conftest import ID_NUMBER, World, _english, _media, frozen, login, person, world
from catalog.models import Department
from workorders.models import Channel, Kind, WorkOrder
from workorders.services import WorkOrderInput, work_order_receive

__all__ = ["ID_NUMBER", "_english", "_media", "frozen", "login", "world"]


@dataclass
class People:
    world: World
    manager: User  # the hall manager: receives, dispatches, concludes
    head: User  # the market department's head
    reviewer: User  # a market reviewer
    other_head: User  # the health department's head: an outsider to market's orders
    clerk: User  # a market clerk: sees no work order
    market: Department
    health: Department


@pytest.fixture
def people(world: World) -> People:
    market = world.item.department
    health = world.other_item.department
    return People(
        world=world,
        manager=person(world, "manager", Role.HALL_MANAGER),
        head=person(world, "market-head", Role.DEPARTMENT_HEAD, market),
        reviewer=person(world, "market-reviewer", Role.REVIEWER, market),
        other_head=person(world, "health-head", Role.DEPARTMENT_HEAD, health),
        clerk=world.clerk,
        market=market,
        health=health,
    )


def complaint(people: People, **fields: object) -> WorkOrder:
    """A real-name complaint from the supervision phone, entered by the hall manager."""
    values: dict[str, object] = {
        "kind": Kind.COMPLAINT,
        "channel": Channel.PHONE,
        "content": "窗口工作人员态度生硬",
        "name": "李小四",
        "mobile": "13900000002",
        "id_number": ID_NUMBER,
    }
    values.update(fields)
    given = WorkOrderInput(**values)  # type: ignore[arg-type]
    return work_order_receive(
        center=people.world.center, given=given, actor=people.manager
    ).work_order
