"""The certificate registry in a browser: the department head concludes the food licence case,
the licence appears among the company's certificates, the verification page that the PDF's QR
code leads to says valid, and after the head revokes the licence it says revoked. A later
application takes the company's business licence from the registry and the clerk sees it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from cases.models import CaseStage, StageStatus
from cases.services import Applicant, case_submit, stage_complete
from catalog.demo_data import DEMO_PASSWORD
from catalog.models import ServiceItem
from sharing.models import Certificate, CertificateStatus, CertificateType, CertificateUse
from sharing.services import certificate_push
from tests.e2e.test_bundles import COMPANY_USCC
from tests.e2e.test_case_approval import (
    DECISION,
    _accepted_food_licence_case,
    _complete_stage,
    _health_reviewer,
)
from tests.e2e.test_cases import _page, site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_hall import _log_in
from tests.pdf import pdf_qr_codes, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

LICENCE = "食品经营许可证"


def _in_english(page: Page, address: str) -> None:
    """The registry's pages in English: their Chinese comes with the merged catalog."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": address}])


def test_a_concluded_case_issues_a_licence_that_verifies_valid_then_revoked(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = _accepted_food_licence_case()
    reviewer, health = User.objects.get(username="demo-reviewer"), _health_reviewer()
    # The stages before the decision, as test_case_approval clicks them.
    for stage in CaseStage.objects.filter(case=case).exclude(name=DECISION).order_by("step"):
        stage.refresh_from_db()
        assert stage.status == StageStatus.ACTIVE
        worker = health if stage.department.short_name == "卫健局" else reviewer
        stage_complete(stage=stage, staff=worker, result="符合要求")

    head = _page(browser)
    _log_in(head, site, "demo-department-head")
    head.goto(f"{site}/cases/{case.number}/")
    _complete_stage(head, DECISION, "准予行政许可")
    head.get_by_label("决定结果").select_option(label="准予许可")
    head.get_by_role("button", name="办结", exact=True).click()
    expect(head.get_by_role("status")).to_have_text("操作成功。")

    certificate = Certificate.objects.get(case_certificate__case=case)
    assert certificate.type.code == "FOOD_BUSINESS_LICENCE"  # the demo's type
    assert set(certificate.data) == {"shop_name", "premises", "food_categories"}
    citizen = _page(browser)
    _log_in(citizen, site, "demo-citizen")
    _in_english(citizen, site)
    citizen.goto(f"{site}/certificates/")
    card = citizen.get_by_role("region", name=f"{LICENCE} {certificate.number}")
    expect(card).to_contain_text("清河小馆餐饮有限公司")
    expect(card).to_contain_text("Valid")
    with citizen.expect_download() as download:
        card.get_by_role("link", name=f"Download the {LICENCE} (PDF)").click()
    path = download.value.path()
    text = pdf_text(path.read_bytes())
    assert LICENCE in text and certificate.number in text
    # The QR code, read off the drawn page, leads to the address printed beside it.
    (verify_url,) = pdf_qr_codes(path.read_bytes())
    assert re.fullmatch(r"http://\S+/verify/\S+", verify_url)
    assert verify_url in text.replace("\n", "").replace(" ", "")

    verifier = _page(browser)
    _in_english(verifier, site)
    verifier.goto(verify_url)
    expect(verifier.get_by_role("heading", name="Genuine and valid")).to_be_visible()
    # The holder's name masked, and no more than the holder chose to show.
    expect(
        verifier.get_by_role("definition").filter(has_text=re.compile(r"^清\*+司$"))
    ).to_be_visible()
    expect(verifier.get_by_text("清河小馆餐饮有限公司")).to_have_count(0)

    _in_english(head, site)
    head.goto(f"{site}/certificates/manage/")
    head.get_by_role("link", name=LICENCE).first.click()
    head.get_by_label("Reason").fill("经营场所与许可不符")
    head.get_by_role("button", name="Revoke").click()
    expect(head.get_by_role("status")).to_have_text("Done.")
    expect(head.get_by_role("cell", name="经营场所与许可不符")).to_be_visible()

    verifier.reload()
    expect(verifier.get_by_role("heading", name="Genuine, but Revoked")).to_be_visible()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def _log_in_english(page: Page, address: str, username: str) -> None:
    _in_english(page, address)
    page.goto(address + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def business_licence_push() -> Certificate:
    """The demo company's business licence, pushed by the market bureau's own system."""
    business = CertificateType.objects.get(issuer__center__slug="demo", code="BUSINESS_LICENCE")
    return certificate_push(
        issuer=business.issuer,
        type_code="BUSINESS_LICENCE",
        number="91511602MA6B2K03X-001",
        holder_kind="legal",
        holder_identifier=COMPANY_USCC,
        holder_name="清河小馆餐饮有限公司",
        issued_on=dt.date(2026, 11, 2),
        data={
            "company_name": "清河小馆餐饮有限公司",
            "company_type": "有限责任公司",
            "business_scope": "餐饮服务",
            "premises": "清河区滨河路二段8号",
        },
    )


def test_a_later_application_takes_the_business_licence_from_the_registry(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    # The company's business licence, pushed by the market bureau's own system; the first food
    # licence case, accepted at the counter, shows the company's USCC is the citizen's.
    licence = business_licence_push()
    first = _accepted_food_licence_case()
    later, _created = case_submit(
        user=User.objects.get(username="demo-citizen"),
        item=ServiceItem.objects.get(pk=first.item_id),
        applicant=Applicant(
            kind="legal", name="清河小馆餐饮有限公司", uscc=COMPANY_USCC, mobile="13800138000"
        ),
        form_data=first.form_data,
        idempotency_key="reuse-e2e",
    )

    citizen = _page(browser)
    _log_in_english(citizen, site, "demo-citizen")
    citizen.goto(f"{site}/cases/{later.number}/")
    registry = citizen.get_by_role("region", name="From the certificate registry")
    expect(registry).to_contain_text(f"营业执照 {licence.number}")
    registry.get_by_role("button", name="Take “营业执照” from the registry").click()
    expect(citizen.get_by_role("status")).to_have_text("Done.")
    provided = f"营业执照: provided by the registry: 营业执照 no. {licence.number}"
    expect(citizen.get_by_role("region", name="From the certificate registry")).to_contain_text(
        provided
    )

    clerk = _page(browser)
    _log_in_english(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/cases/{later.number}/")
    registry = clerk.get_by_role("region", name="From the certificate registry")
    expect(registry).to_contain_text(provided)
    expect(registry).to_contain_text("Valid")
    expect(registry.get_by_role("button")).to_have_count(0)

    citizen.goto(f"{site}/certificates/")
    card = citizen.get_by_role("region", name=f"营业执照 {licence.number}")
    card.get_by_text("Used 2 times").click()
    expect(card).to_contain_text(f"Stands for “营业执照” in case {later.number}")
    expect(card).to_contain_text(f"Checked on the page of case {later.number}")
    assert CertificateUse.objects.filter(certificate=licence, case=later).count() == 2
