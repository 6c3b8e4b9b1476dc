"""The audit log in a browser: a supervisor finds a failed sign-in and is the only one who may."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_hall import _log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    call_command("seed_demo", verbosity=0)
    yield str(live_server.url)


def _page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_supervisor_finds_a_failed_sign_in_and_a_clerk_may_not_look(
    browser: Browser, site: str
) -> None:
    intruder = _page(browser)
    intruder.goto(site + "/accounts/login/")
    intruder.get_by_label("用户名").fill("demo-clerk")
    intruder.get_by_label("密码").fill("not-the-password")
    intruder.get_by_role("button", name="登录").click()

    supervisor = _page(browser)
    _log_in(supervisor, site, "demo-supervisor")
    supervisor.goto(site + "/audit/")
    search = supervisor.get_by_role("search")
    search.get_by_label(re.compile("人员|Person")).fill("demo-clerk")
    search.get_by_role("button", name=re.compile("^(搜索|Search)$")).click()
    failed = supervisor.get_by_role("row").filter(has_text="auth.login_failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("demo-clerk")

    clerk = _page(browser)
    _log_in(clerk, site, "demo-clerk")
    response = clerk.goto(site + "/audit/")
    assert response is not None and response.status == 403
