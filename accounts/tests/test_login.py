import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def clerk() -> User:
    return User.objects.create_user(username="clerk", password="a-long-password-1")


def test_a_right_password_logs_in(client: Client, clerk: User) -> None:
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": "a-long-password-1"}
    )
    assert response.status_code == 302


def test_repeated_failures_lock_the_name_even_for_the_right_password(
    client: Client, clerk: User
) -> None:
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": "a-long-password-1"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        response.context["form"].errors["__all__"][0].startswith(("Too many", "登录失败次数过多"))
    )


def test_passwords_are_stored_hashed(clerk: User) -> None:
    assert "a-long-password-1" not in clerk.password
    assert clerk.check_password("a-long-password-1")


def test_the_failure_that_locks_a_name_is_audited_once(client: Client, clerk: User) -> None:
    for _ in range(7):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    locks = AuditEntry.objects.filter(action="auth.login_locked")
    assert [(entry.target_id, entry.ip) for entry in locks] == [("clerk", "127.0.0.1")]


def test_failures_below_the_limit_lock_nothing(client: Client, clerk: User) -> None:
    for _ in range(4):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert not AuditEntry.objects.filter(action="auth.login_locked").exists()
