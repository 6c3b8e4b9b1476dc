"""Ratings in a browser: the citizen rates a concluded case 不满意 online, the department head
calls back and records the fix, and the citizen gives a view of it.

The pages run in English here: the feedback app's Chinese texts join the catalog separately.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from cases.models import Case
from cases.services import Applicant, case_conclude_on_the_spot, case_submit
from catalog.demo_data import DEMO_PASSWORD
from catalog.models import ServiceItem
from feedback.models import Rectification, RectificationState
from tests.e2e.test_cases import INSTANT_ITEM, MARKET, site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_hall import VISITOR_ID

pytestmark = pytest.mark.django_db(transaction=True)


def _concluded_case() -> Case:
    """The demo citizen's on-the-spot registration, concluded by the market's chief
    representative: the counter pages are tested in test_cases.py."""
    item = ServiceItem.objects.published().get(
        center__slug="demo", department__short_name=MARKET, name=INSTANT_ITEM
    )
    case, _created = case_submit(
        user=User.objects.get(username="demo-citizen"),
        item=item,
        applicant=Applicant(kind="person", name="张三", id_number=VISITOR_ID, mobile="13800138000"),
        form_data={},
        idempotency_key="feedback-e2e",
    )
    return case_conclude_on_the_spot(
        case=case, staff=User.objects.get(username="demo-chief-representative")
    )


def _page(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_a_bad_online_rating_is_called_back_rectified_and_judged_by_the_rater(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = _concluded_case()

    citizen = _page(browser, site, "demo-citizen")
    citizen.goto(f"{site}/cases/{case.number}/")
    citizen.get_by_role("link", name="Rate this service").click()
    citizen.get_by_label("Dissatisfied", exact=True).check()
    citizen.get_by_label("Comment").fill("窗口排队太久")
    citizen.get_by_role("button", name="Send the rating").click()
    expect(citizen.get_by_role("status")).to_have_text("Thank you for your rating.")
    expect(citizen.get_by_role("heading", name="Rectification: Open")).to_be_visible()

    head = _page(browser, site, "demo-department-head")
    head.goto(f"{site}/feedback/rectifications/")
    head.get_by_role("link", name=case.number).click()
    expect(head.get_by_text("窗口排队太久")).to_be_visible()
    head.get_by_label("What the rater said on the call").fill("已致电核实，高峰时段窗口不足")
    head.get_by_role("button", name="Record the call back").click()
    expect(head.get_by_role("status")).to_have_text("The call back is recorded.")
    head.get_by_label("What was put right").fill("高峰时段增开两个窗口")
    head.get_by_role("button", name="Record the fix").click()
    expect(head.get_by_role("status")).to_contain_text("The fix is recorded")

    citizen.reload()
    expect(citizen.get_by_text("高峰时段增开两个窗口")).to_be_visible()
    citizen.get_by_label("Basically satisfied").check()
    citizen.get_by_role("button", name="Send my view").click()
    expect(citizen.get_by_role("status")).to_contain_text("your view of the fix is recorded")
    expect(
        citizen.get_by_text(re.compile("Your view of the fix: Basically satisfied"))
    ).to_be_visible()
    rectification = Rectification.objects.get(rating__case=case)
    assert rectification.state == RectificationState.CLOSED
