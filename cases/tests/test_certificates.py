"""Certificate records (证照) of approved cases for items that issue one."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import CaseCertificate, CaseStatus
from cases.services import Decision, case_conclude_on_the_spot, case_decide
from cases.tests.conftest import ID_NUMBER, World, accept, login, person, submit
from cases.tests.test_decision import finish_stages


@pytest.fixture
def head(world: World) -> User:
    return person(world, "head", Role.DEPARTMENT_HEAD, world.item.department)


def licensing(world: World, years: int | None = 5) -> None:
    world.item.certificate_name = "营业执照"
    world.item.certificate_valid_years = years
    world.item.save()


def test_an_approved_case_issues_its_items_certificate(world: World, head: User) -> None:
    licensing(world)
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    certificate = CaseCertificate.objects.get(case=case)
    assert certificate.name == "营业执照"
    assert (certificate.holder_name, certificate.holder_identifier) == ("张小三", ID_NUMBER)
    assert certificate.issuer == world.item.department
    assert certificate.issued_on == dt.date(2026, 9, 28)
    assert certificate.valid_until == dt.date(2031, 9, 27)
    assert certificate.number == f"{world.item.department.uscc}-{case.number}"
    assert "营业执照 no." in case.events.order_by("-pk")[0].note


def test_a_denied_case_and_an_item_without_certificate_issue_none(world: World, head: User) -> None:
    licensing(world)
    denied = accept(world, submit(world))
    finish_stages(denied, head)
    case_decide(
        case=denied, staff=head, decision=Decision(CaseStatus.CONCLUDED_DENIED, "Not zoned.")
    )
    instant = submit(world, item=world.instant, key="k2")
    case_conclude_on_the_spot(case=instant, staff=world.chief)
    assert not CaseCertificate.objects.exists()


def test_an_on_the_spot_item_issues_its_certificate_without_expiry(world: World) -> None:
    world.instant.certificate_name = "证明"
    world.instant.save()
    case = submit(world, item=world.instant)
    case_conclude_on_the_spot(case=case, staff=world.chief)
    assert CaseCertificate.objects.get(case=case).valid_until is None


def test_the_applicant_sees_the_certificate_and_another_citizen_gets_404(
    world: World, head: User
) -> None:
    licensing(world, years=None)
    case = accept(world, submit(world))
    finish_stages(case, head)
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    page = login(world.citizen).get(f"/cases/{case.number}/").content.decode()
    assert "Certificate issued" in page and "No expiry" in page
    answer = login(world.citizen).get(f"/api/v1/cases/{case.number}").json()
    assert answer["certificate"]["name"] == "营业执照"
    neighbour = login(world.neighbour)
    assert neighbour.get(f"/cases/{case.number}/").status_code == 404
    assert neighbour.get(f"/api/v1/cases/{case.number}").status_code == 404
