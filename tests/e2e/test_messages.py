"""The site message box in a browser: the header's count, opening a message, elder mode."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.services import message_send

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_opens_a_message_from_the_header_and_the_count_falls(
    page: Page, live_server: Any
) -> None:
    site = str(live_server.url)
    citizen = User.objects.create_user(username="reader", password="a-long-password-1")
    message_send(
        user=citizen, subject="Case GH1 has been accepted.", link="/cases/mine/", kind="case.status"
    )
    page.goto(site + "/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(site + "/cases/mine/")
    page.get_by_role("link", name="Messages (1)").click()
    expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 unread message")
    page.get_by_role("button", name="Elder-friendly view").click()
    expect(page.locator("body")).to_have_class(re.compile("elder"))
    page.get_by_role("button", name=re.compile("^Open")).click()
    expect(page).to_have_url(site + "/cases/mine/")
    expect(page.get_by_role("link", name="Messages (0)")).to_be_visible()
