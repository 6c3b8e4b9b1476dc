"""Automatic approval (秒批): the catalog's rules checked on submission, each recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from accounts.roles import Role
from cases.models import Case, CaseStatus
from cases.services import Decision, case_auto_decide, case_decide
from cases.tests.conftest import ID_NUMBER, World, accept, login, person, submit
from cases.tests.test_decision import finish_stages
from catalog.models import AutoRule, ItemField, ServiceItem
from catalog.tests.factories import make_item


@pytest.fixture
def renewal(world: World) -> ServiceItem:
    """A 秒批 renewal: the applicant holds a valid food licence, a small area, an individual."""
    item = make_item(
        world.item.department,
        status=ServiceItem.Status.PUBLISHED,
        promised_days=3,
        statutory_days=20,
        auto_approval=True,
        certificate_name="食品经营许可证",
        certificate_valid_years=5,
    )
    ItemField.objects.create(item=item, key="area", label="经营面积", kind=ItemField.Kind.NUMBER)
    ItemField.objects.create(
        item=item, key="opened", label="开业日期", kind=ItemField.Kind.DATE, required=False
    )
    for position, rule in enumerate(
        (
            AutoRule(kind=AutoRule.Kind.CERTIFICATE, certificate_name="食品经营许可证"),
            AutoRule(kind=AutoRule.Kind.NUMBER, field_key="area", maximum=Decimal(500)),
            AutoRule(kind=AutoRule.Kind.PAST_DATE, field_key="opened"),
            AutoRule(kind=AutoRule.Kind.APPLICANT_KIND, values="person"),
        ),
        start=1,
    ):
        rule.item, rule.position = item, position
        rule.full_clean()
        rule.save()
    return item


def holding_licence(world: World) -> None:
    """The citizen's first food licence, approved by a person."""
    world.item.certificate_name = "食品经营许可证"
    world.item.certificate_valid_years = 1
    world.item.save()
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)
    case = accept(world, submit(world, key="first"))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))


def apply_renewal(world: World, renewal: ServiceItem, **form: str) -> Case:
    case = submit(
        world, item=renewal, key="renewal", **{"area": "80", "opened": "2020-05-01", **form}
    )
    case_auto_decide(case=case)
    case.refresh_from_db()
    return case


def test_when_every_rule_holds_the_case_concludes_without_a_person(
    world: World, renewal: ServiceItem
) -> None:
    holding_licence(world)
    case = apply_renewal(world, renewal, area="80", opened="2020-05-01")
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    checks = list(case.rule_checks.values_list("rule", "passed"))
    assert checks == [
        ("Holds a valid 食品经营许可证", True),
        ("经营面积 between −∞ and 500", True),
        ("开业日期 is not in the future", True),
        ("The applicant is: Individual", True),
    ]
    concluded = case.events.get(to_status=CaseStatus.CONCLUDED_APPROVED, from_status=3)
    assert concluded.actor is None and "automatically" in concluded.note
    assert case.decision.decided_by is None and case.decision.delivered_at is not None
    assert case.certificate.holder_identifier == ID_NUMBER


def test_one_failing_rule_sends_the_case_to_a_clerk_with_the_reason(
    world: World, renewal: ServiceItem
) -> None:
    holding_licence(world)
    case = apply_renewal(world, renewal, area="900")
    assert case.status == CaseStatus.RECEIVED
    assert list(case.rule_checks.filter(passed=False).values_list("rule", flat=True)) == [
        "经营面积 between −∞ and 500"
    ]
    assert "for a clerk to review" in case.events.order_by("-pk")[0].note
    page = login(world.clerk).get(f"/cases/{case.number}/").content.decode()
    assert "Not held" in page and "经营面积 between −∞ and 500" in page


def test_an_expired_or_missing_certificate_fails_its_rule(
    world: World, renewal: ServiceItem, frozen: time_machine.Traveller
) -> None:
    holding_licence(world)
    frozen.move_to("2027-10-01T02:00:00Z")  # the one-year licence ran out on 27 September
    case = apply_renewal(world, renewal)
    assert case.status == CaseStatus.RECEIVED
    failed = case.rule_checks.get(passed=False)
    assert failed.rule == "Holds a valid 食品经营许可证"
    assert "No valid certificate" in failed.detail


def test_the_applicant_who_asks_for_a_person_gets_one(world: World, renewal: ServiceItem) -> None:
    holding_licence(world)
    client = login(world.citizen)
    url = f"/cases/apply/{renewal.implementation_code}/"
    form = {
        "applicant_kind": "person",
        "applicant_name": "张小三",
        "id_number": ID_NUMBER,
        "field-area": "80",
        "field-opened": "2021-03-01",
    }
    assert b"I want a person to handle this" in client.get(url).content
    response = client.post(url, {**form, "person_requested": "1", "action": "submit"})
    assert response.status_code == 302
    case = Case.objects.get(item=renewal)
    assert case.status == CaseStatus.RECEIVED and case.person_requested
    assert not case.rule_checks.exists()
    assert "asked for a person" in case.events.order_by("-pk")[0].note


def test_the_api_applies_and_concludes_at_once(world: World, renewal: ServiceItem) -> None:
    holding_licence(world)
    answer = login(world.citizen).post(
        "/api/v1/cases",
        {
            "item": renewal.implementation_code,
            "applicant_kind": "person",
            "applicant_name": "张小三",
            "id_number": ID_NUMBER,
            "fields": {"area": 120, "opened": "2021-03-01"},
        },
        content_type="application/json",
        headers={"Idempotency-Key": "renew-1"},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == CaseStatus.CONCLUDED_APPROVED
    assert all(check["passed"] for check in body["rule_checks"])
    assert body["certificate"]["name"] == "食品经营许可证"


def test_a_rule_without_its_argument_is_refused_by_the_catalog(renewal: ServiceItem) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        AutoRule(item=renewal, kind=AutoRule.Kind.NUMBER, field_key="area").full_clean()
    assert "minimum" in raised.value.message_dict


def test_the_demo_citizen_passes_the_demo_automatic_item(world: World) -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    item = ServiceItem.objects.get(center__slug="demo", name="就业创业证申领")
    case = submit(
        world,
        item=item,
        key="demo",
        employment_status="灵活就业",
        status_since="2026-09-01",
        age="30",
    )
    assert case_auto_decide(case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert case.certificate.name == "就业创业证"
