"""Fees charged on cases (收费): recorded under the item's catalog fee; on a free item recorded all
the same once confirmed, for supervision; refused for bad input, outsiders and the wrong state."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from cases.models import Case, CaseEvent, CaseFee
from cases.services import CaseConflictError, case_fee_charge
from cases.tests.conftest import World, accept, login, submit
from catalog.models import Fee, ServiceItem


def paid_item(world: World) -> tuple[ServiceItem, Fee]:
    """The world's item turned into one with a fee in the catalog."""
    ServiceItem.objects.filter(pk=world.item.pk).update(is_free=False)
    world.item.refresh_from_db()
    fee = Fee.objects.create(
        item=world.item, name="工本费", amount=Decimal("10.00"), basis="《收费标准》第3条"
    )
    return world.item, fee


def test_a_fee_is_recorded_under_the_items_catalog_fee(world: World) -> None:
    _item, fee = paid_item(world)
    case = accept(world, submit(world))
    charge = case_fee_charge(
        case=case, staff=world.clerk, amount=Decimal("10.00"), fee=fee, receipt_number="NO-0001"
    )
    assert (charge.name, charge.basis, charge.item_free, charge.charged_by) == (
        "工本费",
        "《收费标准》第3条",
        False,
        world.clerk,
    )
    assert CaseEvent.objects.filter(case=case, note__startswith="Fee charged").count() == 1
    assert AuditEntry.objects.filter(action="case.fee_charged", target_id=case.number).exists()
    # A case may be charged several times (a second copy of the certificate, say).
    case_fee_charge(case=case, staff=world.clerk, amount=Decimal("10"), fee=fee)
    assert case.fees.count() == 2


def test_a_paid_item_needs_its_catalog_fee_and_a_fee_of_another_item_is_refused(
    world: World,
) -> None:
    _item, _fee = paid_item(world)
    other = Fee.objects.create(item=world.other_item, name="检测费", amount=5, basis="依据")
    case = accept(world, submit(world))
    with pytest.raises(ValidationError, match="Choose the catalog fee"):
        case_fee_charge(case=case, staff=world.clerk, amount=Decimal("10"))
    with pytest.raises(ValidationError, match="not one of this item's fees"):
        case_fee_charge(case=case, staff=world.clerk, amount=Decimal("5"), fee=other)
    assert not CaseFee.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-3", "0.001", "NaN", "100000000"])
def test_an_amount_that_is_not_yuan_and_fen_is_refused(world: World, amount: str) -> None:
    _item, fee = paid_item(world)
    case = accept(world, submit(world))
    with pytest.raises(ValidationError, match="amount in yuan"):
        case_fee_charge(case=case, staff=world.clerk, amount=Decimal(amount), fee=fee)


def test_a_fee_on_a_free_item_is_recorded_only_when_confirmed_and_explained(
    world: World,
) -> None:
    assert world.item.is_free
    case = accept(world, submit(world))
    with pytest.raises(ValidationError, match="free of charge"):
        case_fee_charge(case=case, staff=world.clerk, amount=Decimal("20"), name="资料费")
    with pytest.raises(ValidationError, match="what the fee on a free item"):
        case_fee_charge(
            case=case, staff=world.clerk, amount=Decimal("20"), free_item_confirmed=True
        )
    charge = case_fee_charge(
        case=case, staff=world.clerk, amount=Decimal("20"), name="资料费", free_item_confirmed=True
    )
    assert (charge.item_free, charge.fee, charge.name) == (True, None, "资料费")


def test_outsiders_and_other_departments_cannot_record_fees(world: World) -> None:
    case = accept(world, submit(world))
    for outsider in (world.other_clerk, world.outsider_staff, world.citizen):
        with pytest.raises(PermissionDenied):
            case_fee_charge(
                case=case,
                staff=outsider,
                amount=Decimal("1"),
                name="x",
                free_item_confirmed=True,
            )
    assert not CaseFee.objects.exists()


def test_no_fee_before_acceptance(world: World) -> None:
    case = submit(world)
    with pytest.raises(CaseConflictError):
        case_fee_charge(
            case=case, staff=world.clerk, amount=Decimal("1"), name="x", free_item_confirmed=True
        )


def test_the_case_page_records_a_fee_and_shows_it(world: World) -> None:
    _item, fee = paid_item(world)
    case = accept(world, submit(world))
    clerk = login(world.clerk)
    page = clerk.get(reverse("cases:detail", args=[case.number]))
    assert "Record the fee" in page.content.decode()
    url = reverse("cases:act", args=[case.number])
    bad = clerk.post(url, {"action": "fee", "fee": fee.pk, "amount": "ten"}, follow=True)
    assert "as a number" in bad.content.decode()
    clerk.post(
        url,
        {"action": "fee", "fee": fee.pk, "amount": "１０.５０元", "receipt_number": "NO-7"},
    )
    (charge,) = CaseFee.objects.filter(case=case)
    assert (charge.amount, charge.receipt_number) == (Decimal("10.50"), "NO-7")
    shown = login(world.citizen).get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "NO-7" in shown and "10.50" in shown
    assert "Record the fee" not in shown


def test_the_api_records_a_fee_and_lists_them(world: World) -> None:
    _item, fee = paid_item(world)
    case = accept(world, submit(world))
    url = f"/api/v1/cases/{case.number}/fees"
    clerk = login(world.clerk)

    created = clerk.post(
        url, json.dumps({"amount": "10.00", "fee": fee.pk}), content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["amount"] == "10.00"
    assert created.json()["catalog_fee"] == fee.pk
    missing = clerk.post(url, json.dumps({"amount": "10"}), content_type="application/json")
    assert missing.status_code == 422
    assert "catalog fee" in missing.json()["message"]
    unknown = clerk.post(
        url, json.dumps({"amount": "1", "fee": fee.pk + 100}), content_type="application/json"
    )
    assert unknown.status_code == 404
    bad = clerk.post(
        url, json.dumps({"amount": "1.005", "fee": fee.pk}), content_type="application/json"
    )
    assert bad.status_code == 422
    outsider = login(world.other_clerk).post(
        url, json.dumps({"amount": "10", "fee": fee.pk}), content_type="application/json"
    )
    assert outsider.status_code == 404
    listed = login(world.citizen).get(url)
    assert [row["amount"] for row in listed.json()] == ["10.00"]
    assert Case.objects.get(pk=case.pk).fees.count() == 1
