"""Approval in a browser: after acceptance two departments approve the food licence in parallel,
the head approves an extension, the case concludes and is delivered, and the citizen reads the
timeline."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseStatus, DeliveryMethod
from cases.services import Applicant, case_accept, case_submit
from catalog.demo_data import DEMO_PASSWORD
from catalog.models import Department, ServiceItem
from catalog.tests.factories import make_staff
from tests.e2e.test_bundles import COMPANY_USCC
from tests.e2e.test_cases import _page, _status, site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_hall import VISITOR_ID, _log_in

pytestmark = pytest.mark.django_db(transaction=True)

FOOD_LICENCE = "食品经营许可"
PAPERS, PREMISES, HYGIENE, DECISION = "材料审查", "食品安全现场核查", "卫生条件审查", "许可决定"
PROCESSING = "部门办理中"
EXTENSION_REASON = "现场核查发现需补充水质检测报告"
# Accepted on Tuesday 1 December with a promise of 5 working days; 3 more move it past the
# weekend to the Friday after.
PROMISED, EXTENDED = "2026-12-08", "2026-12-11"


def _accepted_food_licence_case() -> Case:
    """The demo company's food licence, submitted online and accepted at the market counter:
    the application pages are tested in test_cases.py."""
    item = ServiceItem.objects.published().get(
        center__slug="demo", name=FOOD_LICENCE, level=ServiceItem.Level.MAIN
    )
    case, _created = case_submit(
        user=User.objects.get(username="demo-citizen"),
        item=item,
        applicant=Applicant(
            kind="legal", name="清河小馆餐饮有限公司", uscc=COMPANY_USCC, mobile="13800138000"
        ),
        form_data={
            "shop_name": "清河小馆",
            "premises": "清河区滨河路二段8号",
            "food_categories": "热食类食品制售",
            "manager_id": VISITOR_ID,
        },
        idempotency_key="approval-e2e",
    )
    return case_accept(case=case, staff=User.objects.get(username="demo-clerk"))


def _health_reviewer() -> User:
    """The demo has no reviewer at the health bureau, whose stage runs in parallel: one joins."""
    health = Department.objects.get(center__slug="demo", short_name="卫健局")
    user = User.objects.create_user(
        username="health-reviewer", password=DEMO_PASSWORD, full_name="卫健审核员"
    )
    make_staff(user, health.center, Role.REVIEWER, department=health)
    return user


def _complete_stage(page: Page, stage: str, result: str) -> None:
    """Write the stage's result in its row of the stage table and complete it."""
    row = page.get_by_role("row").filter(has_text=stage)
    row.get_by_label("办理结果").fill(result)
    row.get_by_role("button", name=f"完成“{stage}”").click()
    expect(page.get_by_role("status")).to_have_text("操作成功。")


def _expect_stage(page: Page, stage: str, status: str) -> None:
    """The stage's row of the stage table shows `status` in its status column."""
    row = page.get_by_role("row").filter(has_text=stage)
    expect(row.get_by_role("cell").nth(3)).to_have_text(status)


def _expect_promised(page: Page, day: str) -> None:
    """The case page's promised due date (承诺办结日期, followed by the statutory one) is `day`."""
    due = page.get_by_role("definition").filter(has_text="法定办结日期")
    expect(due).to_have_text(re.compile(f"^{day} "))


def test_two_departments_approve_in_parallel_the_head_extends_and_the_citizen_sees_it_all(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = _accepted_food_licence_case()
    health_reviewer = _health_reviewer()

    reviewer = _page(browser)
    _log_in(reviewer, site, "demo-reviewer")
    reviewer.goto(f"{site}/cases/work/")
    expect(reviewer.get_by_role("heading", name="待办列表")).to_be_visible()
    row = reviewer.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text(PAPERS)
    expect(row).to_contain_text("市场监管局")
    # A one-day stage is within the department's warning lead from its first day.
    expect(row).to_contain_text("黄灯")
    expect(row).not_to_contain_text("清河小馆餐饮有限公司")  # the applicant's name is masked
    row.get_by_role("link", name=case.number).click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(f"{case.number} · {FOOD_LICENCE}")
    _status(reviewer, PROCESSING)
    _complete_stage(reviewer, PAPERS, "申请材料齐全，符合法定形式")
    _expect_stage(reviewer, PAPERS, "已办结")
    # The two checks of the premises start together; the reviewer may only work his own.
    _expect_stage(reviewer, PREMISES, "办理中")
    _expect_stage(reviewer, HYGIENE, "办理中")
    expect(reviewer.get_by_role("button", name=f"完成“{HYGIENE}”")).to_have_count(0)
    _complete_stage(reviewer, PREMISES, "经营场所布局合理，设施齐全")
    _expect_stage(reviewer, HYGIENE, "办理中")
    _expect_stage(reviewer, DECISION, "等候中")

    health = _page(browser)
    _log_in(health, site, health_reviewer.username)
    health.goto(f"{site}/cases/work/")
    row = health.get_by_role("row").filter(has_text=case.number)
    expect(row).to_have_count(1)  # the health bureau's stage only
    expect(row).to_contain_text(HYGIENE)
    expect(row).to_contain_text("卫健局")
    row.get_by_role("link", name=case.number).click()
    expect(health.get_by_role("button", name=f"完成“{PREMISES}”")).to_have_count(0)
    _complete_stage(health, HYGIENE, "卫生条件符合要求")
    _expect_stage(health, DECISION, "办理中")

    reviewer.reload()
    _expect_promised(reviewer, PROMISED)
    reviewer.get_by_label("延期（工作日）").fill("3")
    reviewer.get_by_label("延期原因").fill(EXTENSION_REASON)
    reviewer.get_by_role("button", name="申请延期").click()
    expect(reviewer.get_by_role("status")).to_have_text("操作成功。")
    expect(reviewer.get_by_text(f"申请延期 3 个工作日：{EXTENSION_REASON}").first).to_be_visible()
    # Only the department head decides on an extension.
    expect(reviewer.get_by_role("button", name="批准延期", exact=True)).to_have_count(0)

    head = _page(browser)
    _log_in(head, site, "demo-department-head")
    head.goto(f"{site}/cases/{case.number}/")
    _expect_promised(head, PROMISED)
    head.get_by_role("button", name="批准延期", exact=True).click()
    expect(head.get_by_role("status")).to_have_text("操作成功。")
    _expect_promised(head, EXTENDED)
    expect(head.get_by_text("延期：+3 个工作日")).to_be_visible()
    expect(head.get_by_role("button", name="批准延期", exact=True)).to_have_count(0)

    _complete_stage(head, DECISION, "准予行政许可")
    head.get_by_label("决定结果").select_option(label="准予许可")
    head.get_by_role("button", name="办结", exact=True).click()
    expect(head.get_by_role("status")).to_have_text("操作成功。")
    _status(head, "已办结（准予许可）")
    expect(head.get_by_role("link", name="决定书（PDF）")).to_be_visible()
    head.get_by_label("送达", exact=True).select_option(label="窗口领取")
    head.get_by_role("button", name="登记送达").click()
    expect(head.get_by_role("status")).to_have_text("操作成功。")
    expect(head.get_by_text(re.compile("^已送达：窗口领取"))).to_be_visible()

    citizen = _page(browser)
    _log_in(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/cases/{case.number}/")
    _status(citizen, "已办结（准予许可）")
    href = citizen.get_by_role("link", name="决定书（PDF）").get_attribute("href")
    assert href is not None
    document = citizen.request.get(site + href)
    assert document.ok
    assert document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")
    certificate = citizen.get_by_role("region", name="已发证照")
    expect(certificate).to_contain_text("食品经营许可证")
    expect(certificate).to_contain_text(case.number)
    timeline = citizen.get_by_role("list").filter(has_text="已接件")
    expect(timeline.get_by_role("listitem")).to_have_text(
        [
            re.compile("已接件$"),
            re.compile("已受理$"),
            re.compile(f"{PROCESSING}: 已启动办理环节：{PAPERS}。$"),
            re.compile(f"{PROCESSING}: 办理环节“{PAPERS}”（市场监管局）已完成：.*{PREMISES}"),
            re.compile(f"{PROCESSING}: 办理环节“{PREMISES}”（市场监管局）已完成"),
            re.compile(f"{PROCESSING}: 办理环节“{HYGIENE}”（卫健局）已完成：.*{DECISION}"),
            re.compile(f"{PROCESSING}: 申请延期 3 个工作日：{EXTENSION_REASON}$"),
            re.compile(f"{PROCESSING}: 已批准延期 3 个工作日，截止日期为 {EXTENDED}。$"),
            re.compile(f"{PROCESSING}: 办理环节“{DECISION}”（市场监管局）已完成"),
            re.compile("已办结（准予许可）$"),
            re.compile(f"已办结（准予许可）: 已发放食品经营许可证，编号 .*{case.number}。$"),
            re.compile("已办结（准予许可）: 已送达：窗口领取$"),
        ]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert case.decision.delivery_method == DeliveryMethod.COUNTER
