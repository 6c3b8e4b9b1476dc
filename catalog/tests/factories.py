"""Small builders of catalog test data: centers, departments, counters, items and staff."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from catalog.models import Center, Counter, Department, ItemType, ServiceItem, StaffProfile
from catalog.services import item_save
from govhall.identifiers import uscc_with_check

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def make_center(**fields: Any) -> Center:
    """A center with a unique slug and a 12-digit area code."""
    number = _next()
    values: dict[str, Any] = {
        "name": f"第{number}政务服务中心",
        "slug": f"center-{number}",
        "area_code": f"5116{number:08d}",
    }
    values.update(fields)
    return Center.objects.create(**values)


def make_department(center: Center, **fields: Any) -> Department:
    """A department of the center with a valid unified social credit code."""
    number = _next()
    values: dict[str, Any] = {
        "center": center,
        "name": f"第{number}局",
        "short_name": f"局{number}",
        "uscc": uscc_with_check(f"11511301{number:08d}X"),
        "sort_order": number,
    }
    values.update(fields)
    return Department.objects.create(**values)


def make_counter(center: Center, department: Department | None = None, **fields: Any) -> Counter:
    """A department counter numbered after the center's highest."""
    last = Counter.objects.filter(center=center).order_by("-number").first()
    values: dict[str, Any] = {
        "center": center,
        "number": (last.number + 1) if last else 1,
        "department": department,
    }
    values.update(fields)
    return Counter.objects.create(**values)


def make_item(department: Department, **fields: Any) -> ServiceItem:
    """A draft licensing item of the department, saved through the catalog service."""
    number = _next()
    values: dict[str, Any] = {
        "center": department.center,
        "department": department,
        "basic_code": f"511A{number:010d}",
        "name": f"测试事项{number}",
        "item_type": ItemType.LICENSING,
        "implementing_body": department.name,
        "legal_basis": "《中华人民共和国行政许可法》",
        "statutory_days": 20,
        "promised_days": 12,
    }
    values.update(fields)
    return item_save(item=ServiceItem(**values))


def make_user(username: str | None = None, **fields: Any) -> User:
    """A user with the password "password"."""
    user = User.objects.create_user(
        username=username or f"user{_next()}", password="password", **fields
    )
    return user


def make_staff(user: User, center: Center, role: Role | None = None, **fields: Any) -> StaffProfile:
    """Make the user a staff member of the center; with a role, also put them in its group."""
    if role is not None:
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    values: dict[str, Any] = {"user": user, "center": center, "badge_number": f"B{_next():05d}"}
    values.update(fields)
    return StaffProfile.objects.create(**values)
