"""Bundles in a browser: from the portal's home a company opens the restaurant bundle's guide,
applies once with one set of uploads and follows the linked cases."""

import re

from playwright.sync_api import Browser, Locator, Page, expect

from cases.models import BundleApplication, CaseMaterial
from govhall.identifiers import uscc_with_check
from tests.e2e.test_cases import pdf_file, png_file, site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_hall import _log_in

COMPANY_USCC = uscc_with_check("91511602MA6B2K03X")
REP_ID = "法定代表人（负责人）身份证件"
ITEMS = ("营业执照核发", "食品经营许可", "单位社会保险参保登记")


def field(page: Page, label: str) -> Locator:
    """The form control labelled `label`, marked required (*) or not."""
    return page.get_by_label(re.compile(f"^{re.escape(label)}( \\*)?$"))


def test_a_company_applies_for_the_restaurant_bundle_with_one_set_of_uploads(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    _log_in(page, site, "demo-citizen")
    # English pages from here: the bundle's texts are new, their Chinese comes with the catalog.
    context.add_cookies([{"name": "django_language", "value": "en", "url": site}])

    page.goto(f"{site}/c/demo/")
    page.get_by_role("link", name=re.compile("开办餐馆一件事")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开办餐馆一件事")
    documents = page.get_by_role("row").filter(has_text=REP_ID)
    expect(documents).to_have_count(1)  # asked by three items, handed in once
    expect(documents).to_contain_text("、".join(ITEMS))
    page.get_by_role("link", name="Apply for all at once").click()

    page.get_by_label("Applicant kind").select_option(label="Legal entity")
    page.get_by_label("Name (person or entity)").fill("清河小馆餐饮有限公司")
    page.get_by_label("Unified social credit code (legal entities)").fill(COMPANY_USCC)
    field(page, "企业名称").fill("清河小馆餐饮有限公司")
    field(page, "企业类型").select_option("有限责任公司")
    field(page, "注册资本（万元）").fill("50")
    field(page, "经营范围").fill("餐饮服务")
    expect(field(page, "经营场所")).to_have_count(0)  # the address is asked once
    field(page, "住所").fill("清河区滨河路二段8号")
    field(page, "经营者名称").fill("清河小馆")
    field(page, "经营项目").select_option("热食类食品制售")
    field(page, "食品安全管理员身份证号码").fill("11010519491231002X")
    field(page, REP_ID).set_input_files(png_file("法人身份证.png"))
    field(page, "公司章程").set_input_files(pdf_file("章程.pdf"))
    page.get_by_role("button", name="Submit the bundle").click()

    application = BundleApplication.objects.get()
    expect(page.get_by_role("status")).to_contain_text(application.number)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{application.number} · 开办餐馆一件事"
    )
    rows = page.get_by_role("row").filter(has_text=re.compile("GH"))
    expect(rows).to_have_count(3)
    for index, name in enumerate(ITEMS):
        expect(rows.nth(index)).to_contain_text(name)
        expect(rows.nth(index)).to_contain_text("Received")
    shared = CaseMaterial.objects.filter(spec__name=REP_ID)
    assert shared.count() == 3 and len(set(shared.values_list("file", flat=True))) == 1

    rows.nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    expect(page.get_by_role("link", name=re.compile(application.number))).to_be_visible()
    expect(page.get_by_role("link", name="法人身份证.png")).to_be_visible()
    context.close()
