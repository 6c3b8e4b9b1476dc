"""A citizen on the public site: search, read a guide, switch modes, download the PDF."""

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


def test_a_citizen_finds_the_business_licence_by_initials_and_reads_its_guide(
    page: Page, site: str
) -> None:
    page.goto(site + "/")
    page.get_by_role("searchbox").fill("yyzz")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("个")
    link = page.get_by_role("link", name=re.compile("营业执照"))
    expect(link.first).to_be_visible()
    link.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("营业执照")
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    expect(page.get_by_role("heading", name="法定依据")).to_be_visible()


def test_a_chinese_search_finds_the_business_licence(page: Page, site: str) -> None:
    page.goto(site + "/c/demo/items/")
    page.get_by_label("搜索").fill("营业执照")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("link", name=re.compile("营业执照")).first).to_be_visible()


def test_elder_friendly_mode_enlarges_the_text_on_every_page(page: Page, site: str) -> None:
    page.goto(site + "/c/demo/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="关怀版").click()
    expect(page.get_by_role("button", name="标准版")).to_be_visible()
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger > normal * 1.2
    page.get_by_role("link", name="全部事项").click()
    expect(page.locator("body")).to_have_class(re.compile("elder"))
    page.get_by_role("button", name="标准版").click()
    expect(page.get_by_role("button", name="关怀版")).to_be_visible()


def test_the_guide_pdf_downloads_with_the_item_name(page: Page, site: str) -> None:
    page.goto(site + "/c/demo/items/?q=yyzz")
    page.get_by_role("link", name=re.compile("营业执照")).first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("下载办事指南")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None
    with open(path, "rb") as file:
        assert "营业执照" in pdf_text(file.read())


def test_the_kiosk_returns_home_after_idle_time(page: Page, site: str, settings: Any) -> None:
    settings.GOVHALL_KIOSK_IDLE_SECONDS = 1
    page.goto(site + "/c/demo/kiosk/")
    page.get_by_role("link", name="全部事项").click()
    expect(page).to_have_url(re.compile(r"/c/demo/items/$"))
    page.wait_for_url(re.compile(r"/c/demo/$"), timeout=10_000)


def test_english_can_be_chosen(page: Page, site: str) -> None:
    page.goto(site + "/c/demo/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="All services")).to_be_visible()
