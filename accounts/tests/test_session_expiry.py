"""Staff are signed out after a while without a request; citizens keep their longer session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as project_settings
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import roles_ensure

pytestmark = pytest.mark.django_db
NOON = "2026-11-23T04:00:00Z"
MINUTE = 60


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def signed_in(username: str, role: Role) -> Client:
    roles_ensure()
    user = User.objects.create_user(username=username, password="Window-seven-2026")
    user.groups.add(Group.objects.get(name=role.value))
    client = Client()
    client.cookies[project_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/accounts/messages/").status_code == 200


def test_staff_are_signed_out_after_thirty_idle_minutes(frozen: time_machine.Traveller) -> None:
    client = signed_in("clerk", Role.CLERK)
    assert is_signed_in(client)
    frozen.shift(29 * MINUTE)
    assert is_signed_in(client)
    # Each request starts the idle time again.
    frozen.shift(29 * MINUTE)
    assert is_signed_in(client)
    frozen.shift(31 * MINUTE)
    answer = client.get("/accounts/messages/", follow=True)
    assert answer.redirect_chain[0][0].startswith("/accounts/login/")
    assert "30 minutes without activity" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_citizens_stay_signed_in_while_staff_would_not(frozen: time_machine.Traveller) -> None:
    client = signed_in("citizen", Role.CITIZEN)
    assert is_signed_in(client)
    frozen.shift(3 * 60 * MINUTE)
    assert is_signed_in(client)


def test_the_idle_limit_is_a_setting(frozen: time_machine.Traveller, settings: Any) -> None:
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 5 * MINUTE
    client = signed_in("clerk", Role.CLERK)
    assert is_signed_in(client)
    frozen.shift(6 * MINUTE)
    assert not is_signed_in(client)


def test_no_idle_limit_when_it_is_zero(frozen: time_machine.Traveller, settings: Any) -> None:
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 0
    client = signed_in("clerk", Role.CLERK)
    assert is_signed_in(client)
    frozen.shift(3 * 60 * MINUTE)
    assert is_signed_in(client)
