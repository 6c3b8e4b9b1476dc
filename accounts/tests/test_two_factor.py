"""Two-factor log-in for staff: enrolling, the code after the password, turning it off, the
administrator's reset, and throttled wrong codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin import site
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from accounts.services import roles_ensure, two_factor_enrol_start
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "Counter-Desk-2026"
# A Monday morning in Beijing; time stands still unless a test moves it.
NOON = "2026-11-23T04:00:00Z"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def make_person(username: str, role: Role) -> User:
    roles_ensure()
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def clerk() -> User:
    return make_person("clerk", Role.CLERK)


def code(device: TOTPDevice) -> str:
    """The code an authenticator app shows for the device now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def enrolled(user: User) -> TOTPDevice:
    """The user with two-factor log-in turned on through the account pages."""
    client = english_client()
    client.force_login(user)
    assert client.post("/accounts/two-factor/enrol/").status_code == 302
    page = client.get("/accounts/two-factor/confirm/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    answer = client.post("/accounts/two-factor/confirm/", {"code": code(device)})
    assert answer.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def password_step(client: Client, user: User, next_url: str = "") -> str:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    answer = client.post("/accounts/login/", data)
    assert answer.status_code == 302
    return str(answer["Location"])


def test_a_staff_member_enrols_with_a_first_code_and_it_is_audited(clerk: User) -> None:
    device = enrolled(clerk)
    assert device.name == "authenticator"
    assert AuditEntry.objects.filter(action="account.two_factor_on", actor_id=clerk.pk).exists()


def test_a_wrong_first_code_leaves_two_factor_off(clerk: User) -> None:
    client = english_client()
    client.force_login(clerk)
    client.post("/accounts/two-factor/enrol/")
    answer = client.post("/accounts/two-factor/confirm/", {"code": "000000"})
    assert answer.status_code == 200
    assert "That code is not right" in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()


def test_after_the_password_log_in_asks_for_the_code(
    clerk: User, frozen: time_machine.Traveller
) -> None:
    device = enrolled(clerk)
    frozen.shift(60)  # The code of the confirmation cannot be used twice.
    client = english_client()
    assert password_step(client, clerk, "/accounts/messages/") == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    answer = client.post("/accounts/login/code/", {"code": code(device)})
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/messages/"
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_a_wrong_code_is_refused(clerk: User, frozen: time_machine.Traveller) -> None:
    device = enrolled(clerk)
    frozen.shift(60)
    client = english_client()
    password_step(client, clerk)
    right = code(device)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    answer = client.post("/accounts/login/code/", {"code": wrong})
    assert answer.status_code == 200
    assert "That code is not right" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_is_used_only_once(clerk: User, frozen: time_machine.Traveller) -> None:
    device = enrolled(clerk)
    frozen.shift(60)
    first, second = english_client(), english_client()
    password_step(first, clerk)
    password_step(second, clerk)
    the_code = code(device)
    assert first.post("/accounts/login/code/", {"code": the_code}).status_code == 302
    assert second.post("/accounts/login/code/", {"code": the_code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_wrong_codes_are_throttled_even_before_a_right_one(
    clerk: User, frozen: time_machine.Traveller
) -> None:
    device = enrolled(clerk)
    frozen.shift(60)
    client = english_client()
    password_step(client, clerk)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/code/", {"code": "abcdef"})
    answer = client.post("/accounts/login/code/", {"code": code(device)})
    assert answer.status_code == 200
    assert "Too many wrong codes" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_password_step_expires(clerk: User, frozen: time_machine.Traveller) -> None:
    device = enrolled(clerk)
    client = english_client()
    password_step(client, clerk)
    frozen.shift(settings.TWO_FACTOR_PENDING_SECONDS + 1)
    answer = client.post("/accounts/login/code/", {"code": code(device)})
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_the_password_step_sends_to_log_in() -> None:
    answer = english_client().get("/accounts/login/code/")
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/"


def test_a_user_without_a_device_logs_in_with_the_password_alone(clerk: User) -> None:
    client = english_client()
    assert password_step(client, clerk) == "/"
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_turning_it_off_needs_the_password_and_a_code(
    clerk: User, frozen: time_machine.Traveller
) -> None:
    device = enrolled(clerk)
    frozen.shift(60)
    client = english_client()
    client.force_login(clerk)
    answer = client.post(
        "/accounts/two-factor/disable/", {"password": "not-the-password", "code": code(device)}
    )
    assert answer.status_code == 400
    assert "The password is not right" in answer.content.decode()
    assert TOTPDevice.objects.filter(user=clerk).exists()
    frozen.shift(60)
    answer = client.post("/accounts/two-factor/disable/", {"password": PASSWORD, "code": "123"})
    assert answer.status_code == 400
    assert TOTPDevice.objects.filter(user=clerk).exists()
    answer = client.post(
        "/accounts/two-factor/disable/", {"password": PASSWORD, "code": code(device)}
    )
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert AuditEntry.objects.filter(action="account.two_factor_off", actor_id=clerk.pk).exists()


def test_the_administrator_resets_a_device_and_it_is_audited(clerk: User) -> None:
    enrolled(clerk)
    admin = User.objects.create_superuser(username="root", password=PASSWORD)
    client = english_client()
    client.force_login(admin)
    answer = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [clerk.pk]},
    )
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    entry = AuditEntry.objects.get(action="account.two_factor_reset")
    assert entry.actor_id == admin.pk
    assert entry.target_id == str(clerk.pk)
    # Now the password alone is enough again.
    assert password_step(english_client(), clerk) == "/"
    # The only way to remove a device is the audited one.
    assert not site.is_registered(TOTPDevice)


def test_a_citizen_cannot_turn_two_factor_on() -> None:
    citizen = make_person("citizen", Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        two_factor_enrol_start(user=citizen)
    client = english_client()
    client.force_login(citizen)
    assert client.post("/accounts/two-factor/enrol/").status_code == 403
    assert "Two-factor" not in client.get("/accounts/").content.decode()


def test_the_account_pages_need_a_log_in() -> None:
    client = english_client()
    for url in ("/accounts/", "/accounts/password/", "/accounts/two-factor/confirm/"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/accounts/login/")


def test_a_role_that_requires_two_factor_reaches_only_the_account_page_until_enrolled(
    settings: Any, frozen: time_machine.Traveller
) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.ADMINISTRATOR.value]
    administrator = make_person("administrator", Role.ADMINISTRATOR)
    client = english_client()
    client.force_login(administrator)
    answer = client.get("/accounts/messages/", follow=True)
    assert answer.redirect_chain == [("/accounts/", 302)]
    assert "Your role requires two-factor log-in" in answer.content.decode()
    assert client.get("/api/v1/messages").status_code == 403
    enrolled(administrator)
    assert client.get("/accounts/messages/").status_code == 200


def test_other_roles_are_not_asked_when_some_role_requires_two_factor(
    settings: Any, clerk: User
) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.ADMINISTRATOR.value]
    client = english_client()
    client.force_login(clerk)
    assert client.get("/accounts/messages/").status_code == 200
