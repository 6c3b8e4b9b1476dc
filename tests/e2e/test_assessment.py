"""Assessment in a browser: an inspector records a finding that the staff member reads in the
daily bulletin; the administrator closes last month and the ranking shows the seeded order; a
third-party round's score reaches the counter's monthly score."""

import datetime as dt

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.roles import Role
from assessment.models import Category, Finding
from assessment.selectors import center_staff
from assessment.services import finding_record
from catalog.demo_data import DEMO_PASSWORD, demo_username
from catalog.models import Center, Counter
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


def test_a_third_party_round_enters_the_counters_monthly_score(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    assessor = User.objects.get(username=demo_username(Role.ASSESSOR))
    counter = Counter.objects.filter(center__slug="demo").order_by("number").first()
    assert counter is not None
    with translation.override("en"):
        counter_name = str(counter)
    administrator = _staff(browser, site, demo_username(Role.ADMINISTRATOR))
    administrator.get_by_role("link", name="Assessment").click()
    administrator.get_by_role("link", name="Third-party assessment").click()
    administrator.get_by_role("link", name="Open a round").click()
    administrator.get_by_label("Name of the round").fill("2026年11月第三方评议")
    administrator.get_by_label("Period assessed (month, quarter or year)").fill("2026-11")
    administrator.get_by_role("button", name="Open the round").click()
    expect(administrator.get_by_role("status")).to_have_text(
        "The round is open: invite its assessors."
    )
    administrator.get_by_label("Assessor", exact=True).select_option(value=str(assessor.pk))
    administrator.get_by_label("Speaks for").select_option(label="People's congress deputy")
    administrator.get_by_role("button", name="Invite").click()
    expect(administrator.get_by_test_id("assessors")).to_contain_text("People's congress deputy")
    round_page = administrator.url

    person = _staff(browser, site, demo_username(Role.ASSESSOR))
    person.get_by_role("link", name="Assessment").click()
    person.get_by_role("link", name="2026年11月第三方评议").click()
    person.get_by_role("link", name=counter_name, exact=True).click()
    for label, points in (
        ("服务态度 (0 to 25)", "25"),
        ("办事效率 (0 to 25)", "25"),
        ("业务水平 (0 to 20)", "20"),
        ("政务公开 (0 to 15)", "15"),
        ("窗口环境 (0 to 15)", "10"),
    ):
        person.get_by_label(label).fill(points)
    person.get_by_label("Note").fill("窗口整洁，答复耐心")
    person.get_by_role("button", name="Submit the sheet").click()
    expect(person.get_by_role("status")).to_have_text("The score sheet is submitted.")
    expect(person.get_by_test_id("counters")).to_contain_text("95.00")

    administrator.goto(round_page)
    expect(administrator.get_by_test_id("results")).to_contain_text("95.0")
    administrator.get_by_role("button", name="Close the round").click()
    expect(administrator.get_by_test_id("round-state")).to_have_text("Closed")
    administrator.get_by_role("link", name="Monthly ranking").click()
    administrator.get_by_role("button", name="Close the month and freeze its scores").click()
    expect(administrator.get_by_role("status")).to_contain_text("2026-11 is closed")
    administrator.get_by_label("Ranking of").select_option(value="counter")
    administrator.get_by_role("button", name="Show").click()
    row = (
        administrator.get_by_test_id("ranking")
        .locator("tbody tr")
        .filter(has=administrator.get_by_role("cell", name=counter_name, exact=True))
    )
    # 0.2 × (95 − 90)
    expect(row.get_by_test_id("third-party")).to_have_text("1.00")
