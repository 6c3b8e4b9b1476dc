"""Two-factor log-in in a browser: a clerk turns it on from the account page by scanning the key,
and the next log-in asks for the code after the password."""

from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.roles import Role
from accounts.services import roles_ensure

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Counter-Desk-2026"


def code_for(secret: str, *, steps_later: int = 0) -> str:
    """What an authenticator app holding the key shows now, or that many 30-second steps on."""
    return f"{totp(b32decode(secret), drift=steps_later):06d}"


def log_in_with_password(page: Page, site: str) -> None:
    page.goto(site + "/accounts/login/?next=/accounts/messages/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_clerk_turns_two_factor_on_and_logs_in_with_a_code(
    page: Page, browser: Browser, live_server: Any
) -> None:
    site = str(live_server.url)
    roles_ensure()
    clerk = User.objects.create_user(username="clerk", password=PASSWORD)
    clerk.groups.add(Group.objects.get(name=Role.CLERK.value))

    log_in_with_password(page, site)
    expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Turn two-factor log-in on").click()
    expect(page.get_by_role("img", name="QR code of the authenticator key")).to_be_visible()
    secret = page.locator("code").inner_text()
    page.get_by_label("Code from the authenticator").fill(code_for(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor log-in is on")

    # A new browser: the password alone no longer opens the account.
    other = browser.new_context(locale="zh-CN").new_page()
    log_in_with_password(other, site)
    expect(other.get_by_label("Code from the authenticator")).to_be_visible()
    other.get_by_label("Code from the authenticator").fill("000000")
    other.get_by_role("button", name="Confirm").click()
    expect(other.get_by_text("That code is not right")).to_be_visible()
    # The confirmation used the current code, and a code counts once: the app's next one is
    # accepted a step early (or on time, should the step turn meanwhile).
    other.get_by_label("Code from the authenticator").fill(code_for(secret, steps_later=1))
    other.get_by_role("button", name="Confirm").click()
    expect(other.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    other.get_by_role("link", name="Account").click()
    expect(other.get_by_text("Logged in as clerk.")).to_be_visible()
    expect(other.get_by_role("button", name="Turn two-factor log-in off")).to_be_visible()
