"""Work orders in a browser: an anonymous online complaint is dispatched by the hall manager,
answered by the department, concluded as partly upheld and followed by the complainant with the
code shown once."""

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog.demo_data import DEMO_PASSWORD
from tests.e2e.test_cases import site  # noqa: F401 -- the live demo fixture
from workorders.models import State, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)

MARKET_NAME = "清河区市场监督管理局"


def _visitor(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    return context.new_page()


def _staff(browser: Browser, base: str, username: str) -> Page:
    page = _visitor(browser)
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_an_anonymous_complaint_is_dispatched_answered_and_followed_by_its_code(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    visitor = _visitor(browser)
    visitor.goto(f"{site}/c/demo/")
    visitor.get_by_role("link", name="Complaints and suggestions").click()
    visitor.get_by_label("Type").select_option(label="Complaint")
    visitor.get_by_label("What happened, or what you suggest").fill("5号窗口午休时间无人值守")
    visitor.get_by_label("Anonymous").check()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Work order received")).to_be_visible()
    number = visitor.get_by_test_id("work-order-number").inner_text()
    code = visitor.get_by_test_id("follow-code").inner_text()
    assert number.startswith("GD") and len(code) == 8

    manager = _staff(browser, site, "demo-hall-manager")
    manager.get_by_role("link", name="Work orders").click()
    manager.get_by_role("link", name=number).click()
    expect(manager.get_by_test_id("complainant")).to_have_text("Anonymous")
    manager.get_by_label("Dispatch to").select_option(label=MARKET_NAME)
    manager.get_by_role("button", name="Dispatch").click()
    expect(manager.get_by_role("status")).to_contain_text("dispatched to " + MARKET_NAME)

    head = _staff(browser, site, "demo-department-head")
    head.goto(f"{site}/workorders/?state=dispatched")
    head.get_by_role("link", name=number).click()
    expect(head.get_by_text("5号窗口午休时间无人值守")).to_be_visible()
    head.get_by_role("button", name="Sign for it").click()
    expect(head.get_by_role("status")).to_have_text("You signed for the work order.")
    head.get_by_role("button", name="Start handling").click()
    head.get_by_label("Reply to the complainant").fill("已安排午休轮岗，保证窗口有人值守。")
    head.get_by_role("button", name="Send the reply").click()
    expect(head.get_by_role("status")).to_have_text("The reply is recorded.")

    manager.reload()
    manager.get_by_label("Was the complaint upheld?").select_option(label="Partly upheld")
    manager.get_by_role("button", name="Conclude").click()
    expect(manager.get_by_role("status")).to_have_text("The work order is concluded.")
    expect(manager.get_by_test_id("finding")).to_have_text("Partly upheld")

    visitor.get_by_role("link", name="Follow a work order").click()
    visitor.get_by_label("Work order number").fill(number)
    visitor.get_by_label("Follow-up code").fill("WRONGCOD")
    visitor.get_by_role("button", name="Look up").click()
    expect(visitor.get_by_role("alert")).to_have_text("No work order matches this number and code.")
    visitor.get_by_label("Work order number").fill(number)
    visitor.get_by_label("Follow-up code").fill(code)
    visitor.get_by_role("button", name="Look up").click()
    expect(visitor.get_by_text("已安排午休轮岗，保证窗口有人值守。")).to_be_visible()
    expect(visitor.get_by_text("State: Concluded")).to_be_visible()
    assert WorkOrder.objects.get(number=number).state == State.CONCLUDED
