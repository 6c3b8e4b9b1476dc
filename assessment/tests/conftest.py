"""Fixtures of the assessment's tests: a hall floor of two counters with their clerks, and the
center's inspector, department head, hall manager, supervisor and administrator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from accounts.models import User
from accounts.roles import Role
from cases.tests.conftest import PDF, PNG, _english, _media, login
from catalog.models import Counter, Department
from catalog.tests.factories import make_center, make_department, make_staff, make_user
from hall.models import Ticket
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_finish, ticket_issue
from hall.tests.factories import Floor, make_floor
from workdays.services import calendar_seed

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
# 2026-11-10 10:00 in Beijing, a Tuesday.
TUESDAY = "2026-11-10T02:00:00Z"

__all__ = ["PDF", "PNG", "_english", "_media", "login"]


@dataclass
class Hall:
    floor: Floor
    department: Department
    first: User  # the clerk of counter 1
    second: User  # the clerk of counter 2
    inspector: User
    head: User  # the head of the clerks' department
    other_head: User  # the head of another department
    manager: User
    supervisor: User
    administrator: User
    outsider: User  # an inspector of another center

    @property
    def counters(self) -> list[Counter]:
        return self.floor.counters


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hall(db: None, frozen: time_machine.Traveller) -> Hall:
    calendar_seed(first_year=2025, last_year=2027)
    floor = make_floor(slug="assess")
    department = floor.counters[0].department
    assert department is not None
    center = floor.center

    def staff(name: str, role: Role, **fields: Any) -> User:
        user = make_user(name, full_name=name)
        make_staff(user, center, role, **fields)
        return user

    other_center = make_center()
    outsider = make_user("outsider-inspector")
    make_staff(outsider, other_center, Role.INSPECTOR)
    return Hall(
        floor=floor,
        department=department,
        first=floor.clerks[0],
        second=floor.clerks[1],
        inspector=staff("督查员", Role.INSPECTOR),
        head=staff("科长", Role.DEPARTMENT_HEAD, department=department),
        other_head=staff("别的科长", Role.DEPARTMENT_HEAD, department=make_department(center)),
        manager=staff("大厅经理", Role.HALL_MANAGER),
        supervisor=staff("监察员", Role.SUPERVISOR),
        administrator=staff("管理员", Role.ADMINISTRATOR),
        outsider=outsider,
    )


def serve(hall: Hall, index: int, times: int = 1) -> list[Ticket]:
    """`times` finished services at counter `index` by its clerk."""
    counter, clerk = hall.counters[index], hall.floor.clerks[index]
    counter_sign_in(counter=counter, staff=clerk)
    served = []
    for _ in range(times):
        ticket_issue(category=hall.floor.business)
        ticket = ticket_call_next(counter=counter, staff=clerk)
        assert ticket is not None
        ticket_finish(counter=counter, staff=clerk)
        served.append(ticket)
    return served
