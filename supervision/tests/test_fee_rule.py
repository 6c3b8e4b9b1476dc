"""The rule "fee charged on a free item" (乱收费): every charge on an item the catalog listed as
free is found, once per case; charges under the catalog's fees are not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from cases.services import case_fee_charge
from cases.tests.conftest import World, accept, submit
from catalog.models import Fee, ServiceItem
from supervision import rules
from supervision.models import Rule, Severity, Violation
from supervision.services import violations_detect
from workdays.selectors import calendar_current

TODAY = dt.date(2026, 9, 28)


def test_fees_on_a_free_item_are_one_grave_finding_per_case(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = accept(world, submit(world))
    for name, amount in (("资料费", "20"), ("加急费", "50.50")):
        case_fee_charge(
            case=case,
            staff=world.clerk,
            amount=Decimal(amount),
            name=name,
            free_item_confirmed=True,
        )
    (finding,) = rules.fees_on_free_items(world.center, TODAY, calendar_current())
    assert (finding.rule, finding.severity, finding.case_id) == (
        Rule.FEE_ON_FREE_ITEM,
        Severity.GRAVE,
        case.pk,
    )
    assert (finding.person_id, finding.department_id) == (world.clerk.pk, case.department_id)
    assert "资料费 20.00" in finding.detail and "加急费 50.50" in finding.detail


def test_a_fee_under_the_catalog_is_no_violation_even_if_the_item_turns_free_later(
    world: World, frozen: time_machine.Traveller
) -> None:
    ServiceItem.objects.filter(pk=world.item.pk).update(is_free=False)
    world.item.refresh_from_db()
    fee = Fee.objects.create(item=world.item, name="工本费", amount=10, basis="《收费标准》")
    case = accept(world, submit(world))
    case_fee_charge(case=case, staff=world.clerk, amount=Decimal("10"), fee=fee)
    ServiceItem.objects.filter(pk=world.item.pk).update(is_free=True)
    assert rules.fees_on_free_items(world.center, TODAY, calendar_current()) == []


def test_the_sweep_records_the_violation_once_and_other_centers_see_nothing(
    world: World, frozen: time_machine.Traveller
) -> None:
    case = accept(world, submit(world))
    case_fee_charge(
        case=case, staff=world.clerk, amount=Decimal("5"), name="复印费", free_item_confirmed=True
    )
    violations_detect()
    violations_detect()
    (violation,) = Violation.objects.filter(rule=Rule.FEE_ON_FREE_ITEM)
    assert (violation.case_id, violation.person_id) == (case.pk, world.clerk.pk)
    other_center = world.outsider_staff.staff_profile.center
    assert rules.fees_on_free_items(other_center, TODAY, calendar_current()) == []
