"""Builders of hall test data: a center with queues, counters and signed-in clerks."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from accounts.roles import Role
from catalog.models import Center, Counter, QueueCategory
from catalog.tests.factories import (
    make_center,
    make_counter,
    make_department,
    make_staff,
    make_user,
)


@dataclass
class Floor:
    center: Center
    general: QueueCategory
    business: QueueCategory
    counters: list[Counter]
    clerks: list[User]


def make_floor(counters: int = 2, slug: str = "qinghe") -> Floor:
    """A center with queues A (综合) and B (商事); `counters` counters serve both, a clerk each."""
    center = make_center(slug=slug)
    department = make_department(center)
    general = QueueCategory.objects.create(center=center, letter="A", name="综合受理")
    business = QueueCategory.objects.create(
        center=center, letter="B", name="商事登记", department=department
    )
    made_counters = []
    clerks = []
    for index in range(counters):
        counter = make_counter(center, department)
        counter.categories.add(general, business)
        clerk = make_user(f"{slug}-clerk{index + 1}", full_name=f"窗口{index + 1}")
        make_staff(clerk, center, Role.CLERK, department=department, counter=counter)
        made_counters.append(counter)
        clerks.append(clerk)
    return Floor(center, general, business, made_counters, clerks)
