"""The hall floor in a browser: a booking becomes a ticket, a counter calls and serves it, the
hall screen shows the call, the pad takes the rating; and a citizen follows a ticket on a phone."""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from catalog.demo_data import DEMO_PASSWORD
from catalog.models import Counter, QueueCategory, StaffProfile
from hall.auth import device_create
from hall.models import Device, OutboxMessage, PadRating, Ticket
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_finish, ticket_issue

pytestmark = pytest.mark.django_db(transaction=True)

# A Tuesday morning in the hall, whatever day the tests run on.
HALL_OPEN = dt.datetime(2026, 12, 1, 9, 40, tzinfo=ZoneInfo("Asia/Shanghai"))
VISITOR_ID = "11010519491231002X"


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    with time_machine.travel(HALL_OPEN, tick=True):
        call_command("seed_demo", verbosity=0)
        yield str(live_server.url)


def _context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    return context


def _log_in(page: Page, site: str, username: str) -> None:
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_booking_is_checked_in_called_shown_served_and_rated(browser: Browser, site: str) -> None:
    counter = Counter.objects.get(center__slug="demo", number=17)
    letter = counter.categories.get().letter

    citizen = _context(browser).new_page()
    citizen.goto(f"{site}/hall/c/demo/book/?category={letter}&date=2026-12-01")
    citizen.get_by_role("link", name=re.compile("10:00")).click()
    citizen.get_by_label("姓名").fill("张三")
    citizen.get_by_label("居民身份证号码").fill(VISITOR_ID)
    citizen.get_by_label("手机号码").fill("13800138000")
    citizen.get_by_role("button", name="发送验证码").click()
    message = OutboxMessage.objects.filter(mobile="13800138000").latest("created_at")
    code = re.search(r"\d{6}", message.text)
    assert code is not None
    citizen.get_by_label("验证码").fill(code.group())
    citizen.get_by_role("button", name="提交预约").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("预约")
    booking_code = citizen.locator(".code").inner_text().strip()

    kiosk = _context(browser).new_page()
    kiosk.goto(f"{site}/hall/c/demo/check-in/")
    kiosk.get_by_label("预约码").fill(booking_code)
    kiosk.get_by_role("button", name="预约签到").click()
    expect(kiosk.get_by_text("您的排队号")).to_be_visible()
    ticket = Ticket.objects.get(source=Ticket.Source.APPOINTMENT)
    expect(kiosk.get_by_text(ticket.number, exact=True)).to_be_visible()

    screen = _context(browser, viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(f"{site}/hall/c/demo/display/")
    expect(screen.get_by_role("heading", name="正在叫号")).to_be_visible()

    clerk = _context(browser).new_page()
    _log_in(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/hall/workstation/")
    clerk.get_by_role("button", name="签到上岗").click()
    clerk.get_by_role("button", name="叫号").click()
    expect(clerk.locator(".current")).to_contain_text(ticket.number)
    calls = screen.get_by_role("region", name="正在叫号")
    expect(calls).to_contain_text(ticket.number, timeout=5_000)

    token = device_create(
        center=counter.center, kind=Device.Kind.COUNTER, name="17号窗口评价器", counter=counter
    )
    pad = _context(browser).new_page()
    pad.goto(f"{site}/hall/pad/{counter.pk}/?device={token}")
    clerk.get_by_role("button", name="开始办理").click()
    clerk.get_by_role("button", name="办结").click()
    expect(pad.get_by_role("heading", name="请对我们的服务进行评价")).to_be_visible(timeout=8_000)
    pad.get_by_role("button", name="非常满意").click()
    expect(pad.get_by_role("status")).not_to_be_empty()
    rating = PadRating.objects.get()
    assert (rating.ticket, rating.counter, rating.level) == (ticket, counter, 5)
    assert rating.staff == User.objects.get(username="demo-clerk")


def test_a_citizen_follows_a_ticket_on_the_phone_while_counters_call(
    browser: Browser, site: str
) -> None:
    general = QueueCategory.objects.get(center__slug="demo", letter="A")
    earlier = ticket_issue(category=general)
    phone = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    phone.goto(f"{site}/hall/c/demo/ticket/")
    phone.get_by_role("button", name=re.compile("综合受理")).click()
    mine = Ticket.objects.exclude(pk=earlier.pk).get()
    expect(phone.get_by_text(mine.number, exact=True)).to_be_visible()
    expect(phone.get_by_text("等候中")).to_be_visible()
    ahead = phone.locator("[data-field=ahead]")
    expect(ahead).to_have_text("1")

    first, second = Counter.objects.filter(center__slug="demo", number__in=[1, 2]).order_by(
        "number"
    )
    clerks = [StaffProfile.objects.filter(counter=counter).first() for counter in (first, second)]
    assert clerks[0] is not None and clerks[1] is not None
    counter_sign_in(counter=first, staff=clerks[0].user)
    counter_sign_in(counter=second, staff=clerks[1].user)
    assert ticket_call_next(counter=first, staff=clerks[0].user) == earlier
    expect(ahead).to_have_text("0", timeout=10_000)
    assert ticket_call_next(counter=second, staff=clerks[1].user) == mine
    expect(phone.get_by_text("已叫号")).to_be_visible(timeout=10_000)
    expect(phone.locator("[data-field=counter]")).to_have_text(str(second.number))
    ticket_finish(counter=second, staff=clerks[1].user)
    expect(phone.get_by_text("已办结")).to_be_visible(timeout=10_000)
