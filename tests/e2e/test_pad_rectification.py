"""A bad rating on the counter pad in a browser: the visitor taps 不满意 on the pad, the
department head calls back and records the fix, and the visitor judges it through the texted
link.

The pages run in English here, as in test_feedback.py.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog.demo_data import DEMO_DEPARTMENT, DEMO_PASSWORD
from catalog.models import ServiceItem, StaffProfile
from feedback.models import CallBackOutcome, Rectification, RectificationState, ViewSource
from hall.auth import device_create
from hall.models import Device, OutboxMessage, PadRating, Ticket
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_finish, ticket_issue
from tests.e2e.test_hall import site  # noqa: F401 -- the live demo fixture

pytestmark = pytest.mark.django_db(transaction=True)

VISITOR_MOBILE = "13900139000"


def _page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    return context.new_page()


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _served_at_a_market_counter() -> Ticket:
    """A market department service finished at a counter, for a visitor who left a mobile: the
    counter's own pages are tested in test_hall.py."""
    profile = (
        StaffProfile.objects.filter(
            center__slug="demo", department__short_name=DEMO_DEPARTMENT, counter__isnull=False
        )
        .select_related("counter", "user")
        .order_by("pk")
        .first()
    )
    assert profile is not None and profile.counter is not None
    counter = profile.counter
    item = ServiceItem.objects.published().filter(department=profile.department).first()
    category = counter.categories.order_by("pk").first()
    assert item is not None and category is not None
    counter_sign_in(counter=counter, staff=profile.user)
    ticket_issue(category=category, item=item, mobile=VISITOR_MOBILE)
    ticket = ticket_call_next(counter=counter, staff=profile.user)
    assert ticket is not None
    ticket_finish(counter=counter, staff=profile.user)
    return ticket


def test_a_bad_pad_rating_is_called_back_rectified_and_judged_by_the_rater(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    ticket = _served_at_a_market_counter()
    assert ticket.counter is not None
    token = device_create(
        center=ticket.counter.center,
        kind=Device.Kind.COUNTER,
        name="pad",
        counter=ticket.counter,
    )

    pad = _page(browser)
    pad.goto(f"{site}/hall/pad/{ticket.counter.pk}/?device={token}")
    expect(pad.get_by_role("heading", name="Please rate our service")).to_be_visible()
    pad.get_by_role("button", name="Dissatisfied", exact=True).click()
    expect(pad.get_by_role("status")).to_have_text("Thank you for your rating!")
    expect(pad.get_by_role("heading", name="If you like, rate each aspect")).to_be_visible()
    pad.get_by_role("group", name="Attitude").get_by_text("Very dissatisfied").click()
    pad.get_by_role("button", name="Send").click()
    expect(pad.get_by_text("Welcome. After your service, please rate it here.")).to_be_visible()
    rating = PadRating.objects.get(ticket=ticket)
    assert (rating.level, rating.attitude, rating.efficiency) == (2, 1, None)
    rectification = Rectification.objects.get(pad_rating=rating)
    assert rectification.real_name

    head = _page(browser)
    _log_in(head, site, "demo-department-head")
    head.goto(f"{site}/feedback/rectifications/")
    head.get_by_role("link", name=re.compile(ticket.number)).click()
    expect(head.get_by_text("139****9000")).to_be_visible()
    head.get_by_label("What the rater said on the call").fill("已致电核实：办理时态度生硬")
    head.get_by_role("button", name="Record the call back").click()
    expect(head.get_by_role("status")).to_have_text("The call back is recorded.")
    head.get_by_label("What was put right").fill("窗口人员已接受服务规范培训")
    head.get_by_role("button", name="Record the fix").click()
    expect(head.get_by_role("status")).to_contain_text("The fix is recorded")

    text = OutboxMessage.objects.filter(mobile=VISITOR_MOBILE).latest("created_at").text
    link = text[text.index("/feedback/v/") :]
    rater = _page(browser)
    rater.goto(site + link)
    expect(rater.get_by_text("窗口人员已接受服务规范培训")).to_be_visible()
    rater.get_by_label("Satisfied", exact=True).check()
    rater.get_by_role("button", name="Send my view").click()
    expect(rater.get_by_role("status")).to_contain_text("your view of the fix is recorded")

    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    assert rectification.call_back_outcome == CallBackOutcome.REACHED
    assert (rectification.view, rectification.view_source) == (4, ViewSource.LINK)
    rater.goto(site + link)
    expect(rater.get_by_role("alert")).to_contain_text("already been used")
