"""Fixtures of the cases' tests: a center with two departments, an online item and its people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import Applicant, case_accept, case_submit
from catalog.models import Center, Department, ItemField, MaterialSpec, ServiceItem
from catalog.tests.factories import make_center, make_department, make_item, make_staff, make_user
from govhall.identifiers import resident_id_with_check, uscc_with_check
from workdays.services import calendar_seed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# 2026-09-28 10:00 in Beijing: a Monday before the National Day holidays.
MONDAY = "2026-09-28T02:00:00Z"


def resident_id(body: str = "11010519491231002") -> str:
    return resident_id_with_check(body)


ID_NUMBER = resident_id()
USCC = uscc_with_check("1151130100000042X")


@dataclass
class World:
    center: Center
    item: ServiceItem
    instant: ServiceItem
    other_item: ServiceItem
    licence: MaterialSpec
    photo: MaterialSpec
    citizen: User
    neighbour: User
    clerk: User
    general_clerk: User
    other_clerk: User
    chief: User
    supervisor: User
    outsider_staff: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, frozen: time_machine.Traveller) -> World:
    calendar_seed(first_year=2025, last_year=2027)
    center = make_center(slug="qinghe")
    market, health = make_department(center), make_department(center)
    item = make_item(
        market, status=ServiceItem.Status.PUBLISHED, promised_days=5, statutory_days=20
    )
    licence = MaterialSpec.objects.create(item=item, name="营业执照", position=1)
    photo = MaterialSpec.objects.create(item=item, name="照片", position=2, required=False)
    ItemField.objects.create(item=item, key="shop", label="店名", position=1)
    ItemField.objects.create(
        item=item, key="kind", label="类型", kind=ItemField.Kind.CHOICE, choices="餐饮\n零售"
    )
    ItemField.objects.create(
        item=item, key="opened", label="开业日期", kind=ItemField.Kind.DATE, required=False
    )
    instant = make_item(
        market, status=ServiceItem.Status.PUBLISHED, promised_days=0, statutory_days=5
    )
    other_item = make_item(health, status=ServiceItem.Status.PUBLISHED)

    def staff(name: str, role: Role, **fields: Any) -> User:
        user = make_user(name, full_name=name)
        make_staff(user, center, role, **fields)
        return user

    other_center = make_center()
    outsider = make_user("outsider-staff")
    make_staff(outsider, other_center, Role.CLERK)
    return World(
        center=center,
        item=item,
        instant=instant,
        other_item=other_item,
        licence=licence,
        photo=photo,
        citizen=make_user("citizen", full_name="张小三", mobile="13800000001"),
        neighbour=make_user("neighbour"),
        clerk=staff("clerk", Role.CLERK, department=market),
        general_clerk=staff("general", Role.CLERK),
        other_clerk=staff("other", Role.CLERK, department=health),
        chief=staff("chief", Role.CHIEF_REPRESENTATIVE, department=market),
        supervisor=staff("supervisor", Role.SUPERVISOR),
        outsider_staff=outsider,
    )


def submit(world: World, item: ServiceItem | None = None, key: str = "k1", **fields: Any) -> Case:
    case, _created = case_submit(
        user=world.citizen,
        item=item or world.item,
        applicant=Applicant(
            kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000001"
        ),
        form_data=fields or ({"shop": "小三面馆", "kind": "餐饮"} if item is None else {}),
        idempotency_key=key,
    )
    return case


def login(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def person(world: World, name: str, role: Role, department: Department | None = None) -> User:
    """A member of staff of the world's center with one role, in a department (or none)."""
    user = make_user(name, full_name=name)
    make_staff(user, world.center, role, department=department)
    return user


def accept(world: World, case: Case) -> Case:
    """The case accepted by the market clerk: its stages start."""
    return case_accept(case=case, staff=world.clerk)
