"""Electronic supervision in a browser: the supervisor finds an overdue case on the lights board,
issues a supervision notice to its department, the department head answers it, and the supervisor
reads the answer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from cases.models import Case
from cases.services import Applicant, case_accept, case_submit
from catalog.models import ServiceItem
from tests.e2e.test_hall import HALL_OPEN, VISITOR_ID, _log_in

pytestmark = pytest.mark.django_db(transaction=True)

ONLINE_ITEM = "小餐饮经营许可证核发"  # of the market department, the demo heads' department
ANSWER = "已于今日办结，延误原因为现场核查排期。"


def text(english: str, chinese: str) -> re.Pattern[str]:
    """A page's text in either language: the catalog may or may not translate it yet."""
    return re.compile(f"{re.escape(english)}|{re.escape(chinese)}")


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    with time_machine.travel(HALL_OPEN, tick=True):
        call_command("seed_demo", verbosity=0)
        yield str(live_server.url)


def overdue_case() -> Case:
    """An online application accepted a week ago for a three-day item: red on the board."""
    item = ServiceItem.objects.published().get(center__slug="demo", name=ONLINE_ITEM)
    week_ago = dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    case, _created = case_submit(
        user=User.objects.get(username="demo-citizen"),
        item=item,
        applicant=Applicant(kind="person", name="王小明", id_number=VISITOR_ID),
        form_data={},
        idempotency_key="e2e-supervision",
        now=week_ago,
    )
    return case_accept(case=case, staff=User.objects.get(username="demo-clerk"), now=week_ago)


def _page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_the_supervisor_issues_a_notice_on_an_overdue_case_and_the_head_answers(
    browser: Browser, site: str
) -> None:
    case = overdue_case()
    assert case.promised_due is not None and case.promised_due < HALL_OPEN.date()

    supervisor = _page(browser)
    _log_in(supervisor, site, "demo-supervisor")
    supervisor.goto(f"{site}/supervision/")
    row = supervisor.get_by_role("row").filter(has_text=case.number)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=text("Issue a notice", "下发督办单")).click()
    expect(
        supervisor.get_by_label(text("Department that must answer", "须答复的部门"))
    ).to_have_value(str(case.item.department_id))
    supervisor.get_by_label(text("What must be done", "督办事项")).fill(
        "请说明超期原因并尽快办结。"
    )
    supervisor.get_by_role("button", name=text("Send the notice", "发出督办单")).click()
    heading = supervisor.get_by_role("heading", level=1)
    expect(heading).to_contain_text("督办〔2026〕")
    reference = re.search(r"督办〔2026〕\d+号", heading.inner_text())
    assert reference is not None

    head = _page(browser)
    _log_in(head, site, "demo-department-head")
    head.goto(f"{site}/supervision/")
    head.get_by_role("link", name=reference.group(0)).click()
    head.get_by_label(text("Answer of the department", "部门答复")).fill(ANSWER)
    head.get_by_role("button", name=text("Send the answer", "提交答复")).click()
    expect(head.get_by_text(ANSWER)).to_be_visible()

    supervisor.reload()
    expect(supervisor.get_by_text(ANSWER)).to_be_visible()
    expect(
        supervisor.get_by_role("button", name=text("Close the notice", "办结督办单"))
    ).to_be_visible()
