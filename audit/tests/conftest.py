"""Fixtures of the audit tests: two centers, their readers of the log, and an outsider."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import User
from accounts.roles import Role

# The cases' own world, for the tests that follow a case through its services.
from cases.tests.conftest import _media, frozen, world  # noqa: F401
from catalog.models import Center
from catalog.tests.factories import make_center, make_staff, make_user


@dataclass
class People:
    center: Center
    other_center: Center
    supervisor: User
    administrator: User
    clerk: User
    other_supervisor: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def people(db: None) -> People:
    center, other_center = make_center(), make_center()

    def staff(name: str, role: Role, where: Center) -> User:
        user = make_user(name)
        make_staff(user, where, role)
        return user

    return People(
        center=center,
        other_center=other_center,
        supervisor=staff("supervisor", Role.SUPERVISOR, center),
        administrator=staff("administrator", Role.ADMINISTRATOR, center),
        clerk=staff("clerk", Role.CLERK, center),
        other_supervisor=staff("other-supervisor", Role.SUPERVISOR, other_center),
    )


def drop_append_only_triggers() -> None:
    """What someone with the database's own rights could do: the hash chain must still tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute("ALTER TABLE audit_auditday DISABLE TRIGGER USER")
        else:
            for name in (
                "audit_entry_no_update",
                "audit_entry_no_delete",
                "audit_day_no_delete",
                "audit_day_sealed",
            ):
                cursor.execute(f"DROP TRIGGER {name}")
