"""Fixtures of the registry's tests: the cases' world whose market item issues a business licence
(营业执照) of a registry type, with the department head and the administrator who manage it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseStatus
from cases.services import Decision, case_decide
from cases.tests.conftest import (  # noqa: F401 -- fixtures shared with the cases' tests
    World,
    _english,
    _media,
    accept,
    frozen,
    person,
    submit,
    world,
)
from cases.tests.test_decision import finish_stages
from sharing.models import Certificate, CertificateType


@dataclass
class Registry:
    world: World
    licence: CertificateType
    head: User
    administrator: User
    other_head: User


@pytest.fixture(autouse=True)
def _key(settings: Any, tmp_path: Path) -> None:
    # Each test signs with a key of its own, made on first use, outside the developer's data.
    settings.DATA_DIR = tmp_path / "data"
    settings.GOVHALL_CERTIFICATE_KEY_PATH = ""


@pytest.fixture
def registry(world: World) -> Registry:  # noqa: F811 -- the imported fixture
    world.item.certificate_name = "营业执照"
    world.item.certificate_valid_years = 5
    world.item.save()
    licence = CertificateType.objects.create(
        code="BUSINESS_LICENCE",
        name="营业执照",
        issuer=world.item.department,
        valid_years=5,
        fields=[
            {"key": "shop", "label": "店名", "required": True},
            {"key": "kind", "label": "类型", "required": False},
        ],
    )
    return Registry(
        world=world,
        licence=licence,
        head=person(world, "head", Role.DEPARTMENT_HEAD, world.item.department),
        administrator=person(world, "administrator", Role.ADMINISTRATOR),
        other_head=person(world, "other-head", Role.DEPARTMENT_HEAD, world.other_item.department),
    )


ConcludeFn = Callable[..., Case]


@pytest.fixture
def conclude(
    registry: Registry, django_capture_on_commit_callbacks: Callable[..., Any]
) -> ConcludeFn:
    """Approve a new case of the market item; the on-commit hooks run unless `hooks=False`."""

    def approve(key: str = "k1", *, hooks: bool = True) -> Case:
        with django_capture_on_commit_callbacks(execute=hooks):
            case = accept(registry.world, submit(registry.world, key=key))
            finish_stages(case, registry.head)
            case_decide(
                case=case, staff=registry.head, decision=Decision(CaseStatus.CONCLUDED_APPROVED)
            )
        return case

    return approve


@pytest.fixture
def certificate(conclude: ConcludeFn) -> Certificate:
    case = conclude()
    return Certificate.objects.select_related("type", "issuer").get(case_certificate__case=case)
