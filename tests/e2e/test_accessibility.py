"""Accessibility: axe-core's WCAG 2 A and AA rules over every public page, the kiosk, the phone
ticket page and the elder-friendly mode; and a citizen who applies online by keyboard alone.

Loading the demo center takes seconds, and a live-server test empties the database when it ends:
so the first page test loads the demo once, walks every page in one browser and keeps each page's
findings for the module; each page's test then reports its own.
"""

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, FilePayload, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cases.models import Case
from catalog.demo_data import DEMO_PASSWORD
from catalog.models import Counter, ItemField, QueueCategory, ServiceItem, StaffProfile
from feedback.services import rating_link_issue
from hall.models import CounterPause, Ticket
from hall.services.booking import appointment_book
from hall.services.tickets import (
    counter_pause,
    counter_sign_in,
    ticket_call_next,
    ticket_issue,
)
from sharing.pdf import verification_path
from tests.e2e.axe import Violation, axe_violations
from tests.e2e.test_cases import MARKET, ONLINE_ITEM, pdf_file, png_file
from tests.e2e.test_certificates import business_licence_push
from tests.e2e.test_feedback import _concluded_case
from tests.e2e.test_hall import HALL_OPEN, VISITOR_ID
from workorders.models import Channel, Kind
from workorders.services import WorkOrderInput, work_order_receive

# The pages are the same HTML whatever the database: CI checks them once, on the SQLite run.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="accessibility does not depend on the database; checked on the SQLite run",
)

Mode = Literal["visitor", "english", "phone", "kiosk", "elder", "citizen"]
TOMORROW = dt.date(2026, 12, 2)


@dataclass(frozen=True)
class Records:
    """What the pages show beyond the demo catalog, made through the services."""

    item: str
    case: str
    id_tail: str
    rating_link: str
    ticket: str
    called: str
    booking: str
    verify: str
    work_order: str
    follow_code: str


@dataclass(frozen=True)
class Visit:
    """A page as someone reaches it: the address, who looks, and what they do there first."""

    path: str
    mode: Mode = "visitor"
    then: Callable[[Page, Records], None] | None = None


def _slot_chosen(page: Page, records: Records) -> None:
    page.get_by_role("link", name=re.compile("10:00–")).click()
    expect(page.get_by_label("姓名")).to_be_visible()


def _work_order_sent(page: Page, records: Records) -> None:
    page.get_by_label("类型").select_option(label="投诉")
    page.get_by_label("反映的问题或建议").fill("5号窗口午休时间无人值守")
    page.get_by_label("匿名").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("follow-code")).to_be_visible()


def _work_order_found(page: Page, records: Records) -> None:
    page.get_by_label("工单编号").fill(records.work_order)
    page.get_by_label("查询码").fill(records.follow_code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name=re.compile(records.work_order))).to_be_visible()


def _call_shown(page: Page, records: Records) -> None:
    expect(page.get_by_text(records.called, exact=True).first).to_be_visible()


GUIDE = "/c/demo/items/{item}/"
SLOTS = f"/hall/c/demo/book/?category=A&date={TOMORROW.isoformat()}"
CASE_QUERY = "/cases/query/?number={case}&id_tail={id_tail}"
VISITS: dict[str, Visit] = {
    "home": Visit("/c/demo/"),
    "root": Visit("/"),
    "search results": Visit("/c/demo/items/?q=yyzz"),
    "all services": Visit("/c/demo/items/"),
    "guide": Visit(GUIDE),
    "bundle guide": Visit("/c/demo/bundles/open-restaurant/"),
    "departments": Visit("/c/demo/departments/"),
    "power and responsibility lists": Visit("/c/demo/lists/"),
    "booking": Visit("/hall/c/demo/book/"),
    "booking slots": Visit(SLOTS),
    "booking form": Visit(SLOTS, then=_slot_chosen),
    "booking detail": Visit("/hall/c/demo/book/{booking}/"),
    "check-in": Visit("/hall/c/demo/check-in/"),
    "special service request": Visit("/hall/c/demo/special/"),
    "take a ticket": Visit("/hall/c/demo/ticket/"),
    "printed ticket": Visit("/hall/t/{ticket}/print/"),
    "hall display": Visit("/hall/c/demo/display/", then=_call_shown),
    "case query": Visit("/cases/query/"),
    "case query answer": Visit(CASE_QUERY),
    "texted rating link": Visit("{rating_link}"),
    "public comment form": Visit("/feedback/c/demo/comment/"),
    "public figures": Visit("/feedback/figures/demo/"),
    "work order form": Visit("/workorders/c/demo/new/"),
    "work order received": Visit("/workorders/c/demo/new/", then=_work_order_sent),
    "work order follow-up": Visit("/workorders/follow/"),
    "work order follow-up answer": Visit("/workorders/follow/", then=_work_order_found),
    "open data": Visit("/open-data/"),
    "certificate verification": Visit("{verify}"),
    "log-in": Visit("/accounts/login/"),
    "home in English": Visit("/c/demo/", mode="english"),
    "guide in English": Visit(GUIDE, mode="english"),
    "phone: take a ticket": Visit("/hall/c/demo/ticket/", mode="phone"),
    "phone: ticket page": Visit("/hall/t/{ticket}/", mode="phone"),
    "phone: case query answer": Visit(CASE_QUERY, mode="phone"),
    "kiosk: home": Visit("/c/demo/", mode="kiosk"),
    "kiosk: search results": Visit("/c/demo/items/?q=yyzz", mode="kiosk"),
    "kiosk: guide": Visit(GUIDE, mode="kiosk"),
    "kiosk: take a ticket": Visit("/hall/c/demo/ticket/", mode="kiosk"),
    "kiosk: check-in": Visit("/hall/c/demo/check-in/", mode="kiosk"),
    "kiosk: booking slots": Visit(SLOTS, mode="kiosk"),
    "kiosk: bundle guide": Visit("/c/demo/bundles/open-restaurant/", mode="kiosk"),
    "elder: home": Visit("/c/demo/", mode="elder"),
    "elder: search results": Visit("/c/demo/items/?q=yyzz", mode="elder"),
    "elder: guide": Visit(GUIDE, mode="elder"),
    "elder: booking slots": Visit(SLOTS, mode="elder"),
    "elder: take a ticket": Visit("/hall/c/demo/ticket/", mode="elder"),
    "elder: ticket page": Visit("/hall/t/{ticket}/", mode="elder"),
    "elder: case query answer": Visit(CASE_QUERY, mode="elder"),
    "elder: work order form": Visit("/workorders/c/demo/new/", mode="elder"),
    "elder: bundle guide": Visit("/c/demo/bundles/open-restaurant/", mode="elder"),
    "elder: booking form": Visit(SLOTS, mode="elder", then=_slot_chosen),
    "elder: check-in": Visit("/hall/c/demo/check-in/", mode="elder"),
    "elder: special service request": Visit("/hall/c/demo/special/", mode="elder"),
    "elder: public comment form": Visit("/feedback/c/demo/comment/", mode="elder"),
    "elder: public figures": Visit("/feedback/figures/demo/", mode="elder"),
    "elder: certificate verification": Visit("{verify}", mode="elder"),
    "elder: work order follow-up answer": Visit(
        "/workorders/follow/", mode="elder", then=_work_order_found
    ),
    "elder: log-in": Visit("/accounts/login/", mode="elder"),
    "citizen: application form": Visit("/cases/apply/{item}/", mode="citizen"),
    "citizen: my cases": Visit("/cases/mine/", mode="citizen"),
    "citizen: case": Visit("/cases/{case}/", mode="citizen"),
    "citizen: rating a case": Visit("/feedback/cases/{case}/", mode="citizen"),
    "citizen: my certificates": Visit("/certificates/", mode="citizen"),
}


def _online_item() -> ServiceItem:
    """The online item, with a field of each kind: the demo catalog defines none for it."""
    item = ServiceItem.objects.published().get(
        center__slug="demo", department__short_name=MARKET, name=ONLINE_ITEM
    )
    ItemField.objects.create(item=item, key="shop", label="店铺名称", position=1)
    ItemField.objects.create(
        item=item,
        key="kind",
        label="经营类别",
        kind=ItemField.Kind.CHOICE,
        choices="热食类\n冷食类",
        position=2,
    )
    ItemField.objects.create(
        item=item, key="opened", label="拟开业日期", kind=ItemField.Kind.DATE, position=3
    )
    ItemField.objects.create(
        item=item, key="seats", label="座位数", kind=ItemField.Kind.NUMBER, position=4
    )
    return item


def _records() -> Records:
    item = _online_item()
    case = _concluded_case()
    general = QueueCategory.objects.get(center__slug="demo", letter="A")
    called = ticket_issue(category=general)
    waiting = ticket_issue(category=general, source=Ticket.Source.REMOTE)
    # The hall display then shows a call, a busy counter and one paused beside the free ones.
    calling, pausing = Counter.objects.filter(center__slug="demo", number__in=[1, 2]).order_by(
        "number"
    )
    for counter in (calling, pausing):
        clerk = StaffProfile.objects.filter(counter=counter).first()
        assert clerk is not None
        counter_sign_in(counter=counter, staff=clerk.user)
        if counter == calling:
            assert ticket_call_next(counter=counter, staff=clerk.user) == called
        else:
            counter_pause(counter=counter, staff=clerk.user, reason=CounterPause.Reason.BREAK)
    booking = appointment_book(
        category=general,
        day=TOMORROW,
        slot_start=dt.time(10, 0),
        id_number=VISITOR_ID,
        name="张三",
        mobile="13800138000",
    )
    licence = business_licence_push()
    received = work_order_receive(
        center=item.center,
        given=WorkOrderInput(
            kind=Kind.SUGGESTION, channel=Channel.ONLINE, content="大厅增加老花镜", anonymous=True
        ),
        actor=None,
    )
    return Records(
        item=item.implementation_code,
        case=case.number,
        id_tail=VISITOR_ID[-4:],
        rating_link=rating_link_issue(case=case),
        ticket=waiting.access_key,
        called=called.number,
        booking=booking.code,
        verify=verification_path(licence),
        work_order=received.work_order.number,
        follow_code=received.code,
    )


def _context(browser: Browser, site: str, mode: Mode) -> BrowserContext:
    options: dict[str, Any] = {"locale": "en-US" if mode == "english" else "zh-CN"}
    if mode == "phone":
        options |= {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    if mode == "kiosk":
        options["viewport"] = {"width": 1080, "height": 1920}
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Each mode switched on as its people switch it on: the links of the site, a log-in.
    if mode == "english":
        page.goto(f"{site}/lang/en/?next=/")
    elif mode == "kiosk":
        page.goto(f"{site}/c/demo/kiosk/")
        expect(page.locator("body")).to_have_class(re.compile("kiosk"))
    elif mode == "elder":
        page.goto(f"{site}/mode/elder/?on=1&next=/")
        expect(page.locator("body")).to_have_class(re.compile("elder"))
    elif mode == "citizen":
        _log_in(page, site, "demo-citizen")
    return context


def _log_in(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name=re.compile("站内信"))).to_be_visible()


def _audit(page: Page, site: str, visit: Visit, records: Records) -> list[Violation]:
    response = page.goto(site + visit.path.format(**asdict(records)))
    assert response is not None and response.ok, (
        f"{page.url} answered {response and response.status}"
    )
    if visit.then is not None:
        visit.then(page, records)
    page.wait_for_load_state("networkidle")
    return axe_violations(page)


def _audit_all(browser: Browser, site: str, records: Records) -> dict[str, list[Violation] | str]:
    findings: dict[str, list[Violation] | str] = {}
    pages: dict[Mode, Page] = {}
    for name, visit in VISITS.items():
        try:
            if visit.mode not in pages:
                pages[visit.mode] = _context(browser, site, visit.mode).pages[0]
            findings[name] = _audit(pages[visit.mode], site, visit, records)
        except Exception as error:  # reported by that page's own test
            findings[name] = f"{type(error).__name__}: {error}"
    for page in pages.values():
        page.context.close()
    return findings


@pytest.fixture(scope="module")
def _findings_kept() -> dict[str, list[Violation] | str]:
    return {}


@pytest.fixture
def findings(
    _findings_kept: dict[str, list[Violation] | str],
    browser: Browser,
    request: pytest.FixtureRequest,
) -> dict[str, list[Violation] | str]:
    if not _findings_kept:
        # Only the test that walks the pages asks for the database and the live server: the
        # others read what it kept, and spare the emptying of every table after each of them.
        # The mark, not the fixture alone, is what makes pytest-django leave the live server's
        # writes uncovered by a transaction of the test's.
        request.applymarker(pytest.mark.django_db(transaction=True))
        request.getfixturevalue("transactional_db")
        site = str(request.getfixturevalue("live_server").url)
        with time_machine.travel(HALL_OPEN, tick=True):
            call_command("seed_demo", verbosity=0)
            _findings_kept.update(_audit_all(browser, site, _records()))
    return _findings_kept


@pytest.mark.parametrize("name", list(VISITS))
def test_the_page_has_no_serious_accessibility_violation(
    name: str, findings: dict[str, list[Violation] | str]
) -> None:
    found = findings[name]
    if isinstance(found, str):
        pytest.fail(f"{name}: the page could not be checked: {found}")
    assert not found, f"{name}:\n" + "\n".join(str(violation) for violation in found)


# --- the application form by keyboard alone -----------------------------------------------------

FOCUS_SHOWN = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return false;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""
IS_FOCUSED = "element => element === document.activeElement"


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    with time_machine.travel(HALL_OPEN, tick=True):
        call_command("seed_demo", verbosity=0)
        yield str(live_server.url)


def _tab_to(page: Page, target: Locator, most: int = 60) -> None:
    """Press Tab until `target` has the focus (it may have it already, as an autofocus field),
    checking that every stop on the way shows where the focus is."""
    for _stop in range(most):
        if target.evaluate(IS_FOCUSED):
            return
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_SHOWN), page.evaluate("document.activeElement.outerHTML")
    pytest.fail(f"{target} was not reached in {most} presses of Tab")


def _type_into(page: Page, target: Locator, text: str) -> None:
    _tab_to(page, target)
    page.keyboard.type(text)


def _type_date(page: Page, field: Locator, day: dt.date) -> None:
    """Type a date segment by segment. Chromium orders the segments by its own interface language,
    not the page's: Debian's runs in English here, month/day/year; each full segment moves on."""
    _tab_to(page, field)
    page.keyboard.type(day.strftime("%m%d%Y"))
    expect(field).to_have_value(day.isoformat())


def _choose(page: Page, select: Locator, label: str) -> None:
    """Pick an option of a closed select with the arrow keys, as a keyboard user does."""
    _tab_to(page, select)
    for _option in range(select.locator("option").count()):
        if select.evaluate("element => element.selectedOptions[0]?.text") == label:
            return
        page.keyboard.press("ArrowDown")
    assert select.evaluate("element => element.selectedOptions[0]?.text") == label


def _attach(page: Page, file_input: Locator, payload: FilePayload, presses: int = 3) -> None:
    """Open the focused file field's chooser with Space and pick the file, then wait until the
    field holds it: Chromium 156 lets the next field's Space go by while it is still closing this
    chooser. A press that opens nothing within a few seconds is repeated, as a person would."""
    _tab_to(page, file_input)
    for _press in range(presses):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        chooser.value.set_files(payload)
        expect(file_input).to_have_value(re.compile(re.escape(payload["name"]) + "$"))
        return
    pytest.fail(f"Space on {file_input} opened no file chooser in {presses} presses")


@pytest.mark.django_db(transaction=True)
def test_a_citizen_applies_online_with_the_keyboard_alone(browser: Browser, site: str) -> None:
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    item = _online_item()

    page.goto(f"{site}/accounts/login/?next=/cases/apply/{item.implementation_code}/")
    _type_into(page, page.get_by_label("用户名"), "demo-citizen")
    _type_into(page, page.get_by_label("密码"), DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"网上申报: {ONLINE_ITEM}")

    _choose(page, page.get_by_label("申请人类型"), "自然人")
    _type_into(page, page.get_by_label("姓名或单位名称"), "张三")
    _type_into(page, page.get_by_label("居民身份证号码（自然人）"), VISITOR_ID)
    _type_into(page, page.get_by_label("手机号码（接收通知）"), "13800138000")
    _type_into(page, page.get_by_label("店铺名称"), "张三小吃")
    _choose(page, page.get_by_label("经营类别"), "热食类")
    _type_date(page, page.get_by_label("拟开业日期"), dt.date(2026, 12, 20))
    _type_into(page, page.get_by_label("座位数"), "12")
    _attach(page, page.get_by_label(f"《{ONLINE_ITEM}申请表》"), pdf_file("申请表.pdf"))
    _attach(page, page.get_by_label("申请人居民身份证"), png_file("身份证.png"))
    _attach(page, page.get_by_label("经营场所平面布局图"), pdf_file("布局图.pdf"))
    _tab_to(page, page.get_by_role("button", name="提交", exact=True))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("已提交")
    case = Case.objects.get(item=item, applicant_user__username="demo-citizen")
    expect(page.get_by_role("status")).to_contain_text(f"您的申请 {case.number} 已提交。")
    assert (case.applicant_name, case.id_number, case.mobile) == ("张三", VISITOR_ID, "13800138000")
    assert case.form_data == {
        "shop": "张三小吃",
        "kind": "热食类",
        "opened": "2026-12-20",
        "seats": 12,
    }
    assert case.materials.count() == 3
    context.close()
