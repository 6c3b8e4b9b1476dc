"""Cases in a browser: a citizen applies online with uploads, a clerk asks for a correction with the
one-time notice, the citizen corrects and the clerk accepts; an on-the-spot item is accepted and
concluded at the counter in one step."""

import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from cases.models import Case, CaseStatus
from catalog.models import Counter, ItemField, ServiceItem
from hall.models import Ticket
from hall.services.tickets import ticket_issue
from tests.e2e.test_hall import HALL_OPEN, VISITOR_ID, _log_in

pytestmark = pytest.mark.django_db(transaction=True)

MARKET = "市场监管局"
ONLINE_ITEM = "小餐饮经营许可证核发"
INSTANT_ITEM = "个体工商户设立登记"
HEALTH_PROOF = "食品安全管理人员及从业人员健康证明"
ACCEPTED = "(已受理|部门办理中)"


def pdf_bytes() -> bytes:
    """A minimal valid one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


def png_bytes() -> bytes:
    """A valid 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pdf_file(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def png_file(name: str) -> FilePayload:
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes()}


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    with time_machine.travel(HALL_OPEN, tick=True):
        call_command("seed_demo", verbosity=0)
        yield str(live_server.url)


def _page(browser: Browser) -> Page:
    context: BrowserContext = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def _status(page: Page, label: str) -> None:
    """The case page's status line (状态) reads `label`."""
    expect(page.get_by_role("definition").filter(has_text=re.compile(f"^{label}$"))).to_have_count(
        1
    )


def _market_item(name: str) -> ServiceItem:
    return ServiceItem.objects.published().get(
        center__slug="demo", department__short_name=MARKET, name=name
    )


def test_a_citizen_applies_online_corrects_once_and_the_clerk_accepts(
    browser: Browser, site: str
) -> None:
    item = _market_item(ONLINE_ITEM)
    # The demo catalog defines no extra fields for its items: give this one a small form.
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

    citizen = _page(browser)
    _log_in(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/cases/apply/{item.implementation_code}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"网上申报: {ONLINE_ITEM}")
    citizen.get_by_label("申请人类型").select_option(label="自然人")
    citizen.get_by_label("姓名或单位名称").fill("张三")
    citizen.get_by_label("居民身份证号码（自然人）").fill(VISITOR_ID)
    citizen.get_by_label("手机号码（接收通知）").fill("13800138000")
    citizen.get_by_label("店铺名称").fill("张三小吃")
    citizen.get_by_label("经营类别").select_option("热食类")
    citizen.get_by_label("拟开业日期").fill("2026-12-20")
    citizen.get_by_label("座位数").fill("12")
    citizen.get_by_label(f"《{ONLINE_ITEM}申请表》").set_input_files(pdf_file("申请表.pdf"))
    citizen.get_by_label("申请人居民身份证").set_input_files(png_file("身份证.png"))
    citizen.get_by_label("经营场所平面布局图").set_input_files(pdf_file("布局图.pdf"))
    citizen.get_by_role("button", name="提交", exact=True).click()

    case = Case.objects.get()
    expect(citizen.get_by_role("status")).to_contain_text(f"您的申请 {case.number} 已提交。")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"{case.number} · {ONLINE_ITEM}")
    _status(citizen, "已接件")
    for name in ("申请表.pdf", "身份证.png", "布局图.pdf"):
        expect(citizen.get_by_role("link", name=name)).to_be_visible()
    assert case.form_data == {
        "shop": "张三小吃",
        "kind": "热食类",
        "opened": "2026-12-20",
        "seats": 12,
    }
    assert sorted(case.materials.values_list("content_type", flat=True)) == [
        "application/pdf",
        "application/pdf",
        "image/png",
    ]

    clerk = _page(browser)
    _log_in(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/cases/intake/")
    expect(clerk.get_by_role("heading", name="受理台")).to_be_visible()
    row = clerk.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text(ONLINE_ITEM)
    expect(row).to_contain_text("已接件")
    expect(row).not_to_contain_text(VISITOR_ID)  # personal data is masked in the list
    row.get_by_role("link", name=case.number).click()
    clerk.get_by_role("checkbox", name=HEALTH_PROOF).check()
    clerk.get_by_label(f"{HEALTH_PROOF} 缺少什么或有何错误").fill("缺少从业人员健康证明")
    clerk.get_by_label("备注").fill("请在五个工作日内补齐")
    clerk.get_by_role("button", name="发送一次性告知书").click()
    expect(clerk.get_by_role("status")).to_have_text("操作成功。")
    _status(clerk, "待补正")

    citizen.reload()
    _status(citizen, "待补正")
    expect(citizen.get_by_role("heading", name="一次性告知书")).to_be_visible()
    expect(citizen.get_by_text(f"{HEALTH_PROOF}: 缺少从业人员健康证明", exact=True)).to_be_visible()
    citizen.get_by_label("材料名称").select_option(label=HEALTH_PROOF)
    citizen.get_by_label("文件（PDF、JPEG 或 PNG）").set_input_files(png_file("健康证明.png"))
    citizen.get_by_role("button", name="上传", exact=True).click()
    expect(citizen.get_by_role("status")).to_have_text("操作成功。")
    expect(citizen.get_by_role("link", name="健康证明.png")).to_be_visible()
    citizen.get_by_role("button", name="我已补齐全部所需材料").click()
    expect(citizen.get_by_role("status")).to_have_text("操作成功。")
    _status(citizen, "已补正")

    clerk.reload()
    _status(clerk, "已补正")
    clerk.get_by_role("button", name="受理", exact=True).click()
    expect(clerk.get_by_role("status")).to_have_text("操作成功。")
    # Items with approval stages move on from acceptance to the department at once.
    _status(clerk, ACCEPTED)

    citizen.reload()
    _status(citizen, ACCEPTED)
    expect(citizen.get_by_role("link", name="受理通知书（PDF）")).to_be_visible()
    timeline = citizen.get_by_role("list").filter(has_text="已接件")
    events = timeline.get_by_role("listitem")
    expected = ["已接件$", f"待补正: {HEALTH_PROOF}: 缺少从业人员健康证明$", "已补正$", "已受理$"]
    for index, pattern in enumerate(expected):
        expect(events.nth(index)).to_have_text(re.compile(pattern))
    case.refresh_from_db()
    assert case.status in (CaseStatus.ACCEPTED, CaseStatus.PROCESSING)
    assert case.corrections_count == 1


def test_the_chief_representative_accepts_and_concludes_an_on_the_spot_item_at_the_counter(
    browser: Browser, site: str
) -> None:
    item = _market_item(INSTANT_ITEM)
    assert item.is_instant
    counter = Counter.objects.get(center__slug="demo", number=17)
    ticket = ticket_issue(category=counter.categories.get(), mobile="13900139000")

    chief = _page(browser)
    _log_in(chief, site, "demo-chief-representative")
    chief.goto(f"{site}/hall/workstation/")
    chief.get_by_label("我的窗口").select_option(str(counter.pk))
    chief.get_by_role("button", name="选用此窗口").click()
    chief.get_by_role("button", name="签到上岗").click()
    chief.get_by_role("button", name="叫号").click()
    expect(chief.get_by_text(ticket.number, exact=True)).to_be_visible()

    chief.goto(f"{site}/cases/new/")
    expect(chief.get_by_role("heading", name="窗口收件")).to_be_visible()
    expect(chief.get_by_text(ticket.number, exact=True)).to_be_visible()
    chief.get_by_label("办理事项").select_option(label=INSTANT_ITEM)
    chief.get_by_role("button", name="继续").click()
    expect(chief.get_by_role("heading", level=1)).to_have_text(f"窗口收件: {INSTANT_ITEM}")
    chief.get_by_label("姓名或单位名称").fill("李四")
    chief.get_by_label("居民身份证号码（自然人）").fill(VISITOR_ID)
    chief.get_by_role("button", name="创建办件").click()

    case = Case.objects.get()
    expect(chief.get_by_role("heading", level=1)).to_have_text(f"{case.number} · {INSTANT_ITEM}")
    _status(chief, "已接件")
    chief.get_by_role("button", name="受理并当场办结").click()
    expect(chief.get_by_role("status")).to_have_text("操作成功。")
    _status(chief, "已办结（准予许可）")
    timeline = chief.get_by_role("list").filter(has_text="已接件")
    expect(timeline.get_by_role("listitem")).to_have_text(
        [
            re.compile("已接件$"),
            re.compile("已受理$"),
            re.compile("已办结（准予许可）: 已当场办结。$"),
        ]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert case.ticket == ticket
    assert case.mobile == "13900139000"  # taken from the ticket
    assert Ticket.objects.get().status == Ticket.Status.CALLED
