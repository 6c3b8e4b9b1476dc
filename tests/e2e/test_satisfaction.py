"""Satisfaction in a browser: a visitor reads the center's published figures from the home page,
and a department head reads his department's satisfaction and exports it.

The pages run in English here: the feedback app's Chinese texts join the catalog separately.
"""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Browser, expect

from accounts.models import User
from feedback.models import RatingChannel
from feedback.services import RatingInput, rating_give
from tests.e2e.test_cases import site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_feedback import _concluded_case, _page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_reads_the_figures_and_a_head_exports_his_departments(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = _concluded_case()
    market = case.item.department.name
    rating_give(
        case=case,
        channel=RatingChannel.ONLINE,
        given=RatingInput(level=2, comment="窗口排队太久"),
        rater=User.objects.get(username="demo-citizen"),
    )

    context = browser.new_context(locale="en-US")
    visitor = context.new_page()
    visitor.goto(site + "/c/demo/")
    visitor.get_by_role("link", name="Service ratings and complaints").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Service ratings and complaints")
    month = visitor.get_by_role("region", name=re.compile("This month"))
    figures = month.get_by_role("listitem")
    expect(figures.filter(has_text=re.compile(r"^\s*1\s*ratings\s*$"))).to_have_count(1)
    expect(figures.filter(has_text=re.compile(r"^\s*1\s*bad ratings\s*$"))).to_have_count(1)
    expect(figures.filter(has_text=re.compile(r"^\s*0\.0%\s*satisfied\s*$"))).to_have_count(1)

    head = _page(browser, site, "demo-department-head")
    head.goto(site + "/feedback/satisfaction/")
    by_department = head.get_by_role("table", name="By department")
    expect(by_department.get_by_role("row", name=re.compile(market))).to_contain_text("0.0%")
    head.get_by_role("textbox", name="Period").fill("2026-13")
    head.get_by_role("button", name="Show").click()
    expect(head.get_by_role("alert")).to_contain_text("There is no month 13")
    head.get_by_role("textbox", name="Period").fill("2026-12")
    head.get_by_role("button", name="Show").click()
    with head.expect_download() as download_info:
        head.get_by_role("link", name="Export to Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-2026-12.xlsx")
    path = download.path()
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    rows = list(workbook["By department"].iter_rows(values_only=True))
    assert rows[1][:2] == (market, 1)
