"""A fee on a free item in a browser: the clerk records it on the case page (warned that the item
is free, and confirming), the sweep finds it, and the supervisor sees the violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from cases.models import CaseFee
from supervision.services import violations_detect
from tests.e2e.test_hall import _log_in
from tests.e2e.test_supervision import _page, overdue_case, site, text  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fee_on_a_free_item_is_recorded_and_reaches_the_supervisor(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = overdue_case()
    assert case.item.is_free

    clerk = _page(browser)
    _log_in(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/cases/{case.number}/")
    expect(clerk.get_by_text(text("This item is free of charge.", "本事项免费。"))).to_be_visible()
    clerk.get_by_label(text("What the fee was charged for", "收费事由")).fill("资料费")
    clerk.get_by_label(text("Amount (yuan)", "金额（元）")).fill("20")
    clerk.get_by_label(text("Receipt number", "票据号码")).fill("No.0042")
    clerk.get_by_label(
        text("The fee was charged although the item is free", "该事项免费，但已收取此费用")
    ).check()
    clerk.get_by_role("button", name=text("Record the fee", "登记收费")).click()
    expect(clerk.get_by_role("status")).to_have_text(text("Done.", "操作成功。"))
    row = clerk.get_by_role("row").filter(has_text="No.0042")
    expect(row).to_contain_text("资料费")
    expect(row).to_contain_text("20.00")
    assert CaseFee.objects.get(case=case).item_free

    violations_detect()
    supervisor = _page(browser)
    _log_in(supervisor, site, "demo-supervisor")
    supervisor.goto(f"{site}/supervision/violations/?rule=fee_on_free_item")
    found = supervisor.get_by_role("row").filter(has_text=case.number)
    expect(found).to_contain_text(text("Fee charged on a free item", "免费事项收费"))
