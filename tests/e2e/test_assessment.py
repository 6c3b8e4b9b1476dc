"""Assessment in a browser: an inspector records a finding that the staff member reads in the
daily bulletin; the administrator closes last month and the ranking shows the seeded order."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.roles import Role
from assessment.models import Category, Finding
from assessment.selectors import center_staff
from assessment.services import finding_record
from catalog.demo_data import DEMO_PASSWORD, demo_username
from catalog.models import Center
from tests.e2e.test_cases import site  # noqa: F401 -- the live demo fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _staff(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_an_inspectors_finding_reaches_the_daily_bulletin(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    clerk = User.objects.get(username=demo_username(Role.CLERK))
    inspector = _staff(browser, site, demo_username(Role.INSPECTOR))
    inspector.get_by_role("link", name="Assessment").click()
    inspector.get_by_role("link", name="Record a finding").click()
    inspector.get_by_label("Staff member").select_option(value=str(clerk.pk))
    inspector.get_by_label("Category").select_option(label="Phone use at the counter")
    inspector.get_by_label("Note").fill("十点巡查时低头玩手机")
    inspector.get_by_role("button", name="Record").click()
    expect(inspector.get_by_role("status")).to_have_text("The finding was recorded.")

    person = _staff(browser, site, demo_username(Role.CLERK))
    person.get_by_role("link", name="Assessment").click()
    person.get_by_role("link", name="Daily bulletin").click()
    deductions = person.get_by_test_id("bulletin-deductions")
    expect(deductions).to_contain_text(clerk.full_name)
    expect(deductions).to_contain_text("十点巡查时低头玩手机")
    expect(deductions).to_contain_text("−1.00")
    person.get_by_role("link", name="My assessment record").click()
    person.get_by_role("link", name=dt.date(2026, 12, 1).isoformat()).click()
    person.get_by_label("Your answer (given once)").fill("已认识到错误，立即改正")
    person.get_by_role("button", name="Send the answer").click()
    expect(person.get_by_test_id("answer")).to_contain_text("已认识到错误，立即改正")


def test_the_closed_month_ranks_the_seeded_staff(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    center = Center.objects.get(slug="demo")
    inspector = User.objects.get(username=demo_username(Role.INSPECTOR))
    best, second, worst = list(center_staff(center)[:3])
    november = dt.date(2026, 11, 20)
    seeded = [
        (best, Finding.Kind.PRAISE, ""),
        (best, Finding.Kind.PRAISE, ""),
        (second, Finding.Kind.PRAISE, ""),
        (worst, Finding.Kind.DEDUCTION, Category.DISCIPLINE),
    ]
    for person, kind, category in seeded:
        finding_record(
            inspector=inspector,
            kind=kind,
            category=category,
            staff=person,
            note="十一月督查",
            day=november,
        )
    administrator = _staff(browser, site, demo_username(Role.ADMINISTRATOR))
    administrator.get_by_role("link", name="Assessment").click()
    expect(administrator.get_by_text("No closed month in this period.")).to_be_visible()
    administrator.get_by_role("button", name="Close the month and freeze its scores").click()
    expect(administrator.get_by_role("status")).to_contain_text("2026-11 is closed")
    rows = administrator.get_by_test_id("ranking").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text(str(best))
    expect(rows.nth(0)).to_contain_text("102.00")
    expect(rows.nth(1)).to_contain_text(str(second))
    expect(rows.last).to_contain_text(str(worst))
    expect(rows.last).to_contain_text("98.00")
    with administrator.expect_download() as download:
        administrator.get_by_role("link", name="Export to Excel").click()
    assert download.value.suggested_filename == "ranking-staff-2026-11.xlsx"
