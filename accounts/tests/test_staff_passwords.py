"""The password rule for staff (12 characters, three kinds of four) and citizens' unchanged rule,
wherever a password is set: the password page, the admin, the management commands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from accounts.models import User
from accounts.passwords import character_kinds
from accounts.roles import Role
from accounts.services import roles_ensure

pytestmark = pytest.mark.django_db
STRONG = "Window-seven-2026"
# Long enough for Django, too plain for staff: lower-case letters and hyphens only.
PLAIN = "counter-window-seven"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def make_person(username: str, role: Role | None) -> User:
    roles_ensure()
    user = User.objects.create_user(username=username, password=STRONG)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.mark.parametrize(
    ("password", "kinds"),
    [("abcdef", 1), ("abcDEF", 2), ("abc123-", 3), ("Abc123-", 4), ("政务abc1", 3)],
)
def test_kinds_of_character_are_counted(password: str, kinds: int) -> None:
    assert character_kinds(password) == kinds


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_staff_need_a_long_mixed_password(role: Role) -> None:
    user = make_person("staff", role)
    with pytest.raises(ValidationError) as short:
        validate_password("Ab1-short", user)
    assert "at least 12 characters" in " ".join(short.value.messages)
    with pytest.raises(ValidationError) as plain:
        validate_password(PLAIN, user)
    assert "at least three of" in " ".join(plain.value.messages)
    validate_password(STRONG, user)


def test_the_demo_password_meets_the_staff_rule() -> None:
    validate_password("govhall-demo-2026", make_person("clerk", Role.CLERK))


def test_citizens_keep_the_default_rules() -> None:
    citizen = make_person("citizen", Role.CITIZEN)
    validate_password(PLAIN, citizen)
    with pytest.raises(ValidationError):
        validate_password("short", citizen)


def test_the_site_staff_flag_and_unsaved_accounts_count_as_staff() -> None:
    flagged = make_person("flagged", Role.CITIZEN)
    flagged.is_staff = True
    with pytest.raises(ValidationError):
        validate_password(PLAIN, flagged)
    # What `createsuperuser` checks: a user not saved yet, whose roles nobody knows.
    with pytest.raises(ValidationError):
        validate_password(PLAIN, User(username="root"))


def test_the_password_page_refuses_a_plain_staff_password() -> None:
    clerk = make_person("clerk", Role.CLERK)
    client = Client()
    client.force_login(clerk)
    form = {"old_password": STRONG, "new_password1": PLAIN, "new_password2": PLAIN}
    with translation.override("en"):
        answer = client.post("/accounts/password/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    better = "Window-eight-2027"
    form = {"old_password": STRONG, "new_password1": better, "new_password2": better}
    answer = client.post("/accounts/password/", form)
    assert answer.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(better)


def test_the_admin_applies_the_rule() -> None:
    clerk = make_person("clerk", Role.CLERK)
    admin = User.objects.create_superuser(username="root", password=STRONG)
    client = Client()
    client.force_login(admin)
    answer = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/", {"password1": PLAIN, "password2": PLAIN}
    )
    assert answer.status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    answer = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-clerk",
            "password1": PLAIN,
            "password2": PLAIN,
            "usable_password": "true",
        },
    )
    assert answer.status_code == 200
    assert not User.objects.filter(username="new-clerk").exists()
    answer = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-clerk",
            "password1": STRONG,
            "password2": STRONG,
            "usable_password": "true",
        },
    )
    assert answer.status_code == 302
    assert User.objects.filter(username="new-clerk").exists()


def test_the_changepassword_command_refuses_a_plain_staff_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_person("clerk", Role.CLERK)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PLAIN)
    with pytest.raises(CommandError, match="Aborting"):
        call_command("changepassword", "clerk", stdout=None)
