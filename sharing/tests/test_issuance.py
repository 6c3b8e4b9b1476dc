"""Certificates enter the registry when a case concludes approved: exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from audit.models import AuditEntry
from cases.models import CaseCertificate, CaseStatus
from cases.services import Decision, case_conclude_on_the_spot, case_decide
from cases.tests.conftest import ID_NUMBER, accept, submit
from cases.tests.test_decision import finish_stages
from sharing import services
from sharing.models import Certificate, CertificateSource, CertificateStatus, CertificateType
from sharing.services import (
    certificate_issue_for_case,
    certificates_issue_pending,
    identifier_well_formed,
)
from sharing.tasks import certificates_expire_daily, certificates_issue_pending_sweep
from sharing.tests.conftest import ConcludeFn, Registry


def test_an_approved_case_enters_the_registry_once_on_commit(
    registry: Registry, conclude: ConcludeFn
) -> None:
    case = conclude()
    certificate = Certificate.objects.get()
    record = CaseCertificate.objects.get(case=case)
    assert certificate.case_certificate == record
    assert certificate.type == registry.licence
    assert (certificate.number, certificate.holder_name) == (record.number, "张小三")
    assert (certificate.holder_kind, certificate.holder_identifier) == ("person", ID_NUMBER)
    assert (certificate.issued_on, certificate.expires_on) == (
        dt.date(2026, 9, 28),
        dt.date(2031, 9, 27),
    )
    assert certificate.status == CertificateStatus.VALID
    assert certificate.source == CertificateSource.CASE
    assert certificate.data == {"shop": "小三面馆", "kind": "餐饮"}
    assert certificate.identifier == (
        f"1.2.156.3005.2.BUSINESSLICENCE.{registry.world.item.department.uscc}.00000001.01."
        + certificate.identifier[-1]
    )
    assert identifier_well_formed(certificate.identifier)
    history = certificate.status_changes.get()
    assert (history.from_status, history.to_status) == ("", CertificateStatus.VALID)
    assert case.number in history.reason
    assert AuditEntry.objects.filter(
        action="certificate.issue", target_id=certificate.identifier
    ).exists()
    # The hook, the sweep and a second call all find it entered already.
    assert certificate_issue_for_case(case_certificate_id=record.pk) == certificate
    assert certificates_issue_pending() == 0
    assert Certificate.objects.count() == 1


def test_the_sweep_enters_a_record_whose_hook_never_ran(
    registry: Registry, conclude: ConcludeFn
) -> None:
    conclude(hooks=False)
    assert not Certificate.objects.exists()
    assert certificates_issue_pending() == 1
    assert certificates_issue_pending() == 0
    assert Certificate.objects.get().type == registry.licence


def test_a_failing_registry_does_not_undo_the_cases_conclusion(
    registry: Registry, conclude: ConcludeFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(payload: bytes) -> tuple[str, str]:
        raise OSError("the key's disk is gone")

    monkeypatch.setattr(services, "sign", broken)
    case = conclude()
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert CaseCertificate.objects.filter(case=case).exists()
    assert not Certificate.objects.exists()
    assert certificates_issue_pending() == 0  # still broken: logged, tried again next time
    monkeypatch.undo()
    assert certificates_issue_pending() == 1


def test_serials_count_up_per_type(registry: Registry, conclude: ConcludeFn) -> None:
    conclude("k1")
    conclude("k2")
    serials = sorted(
        identifier.split(".")[7]
        for identifier in Certificate.objects.values_list("identifier", flat=True)
    )
    assert serials == ["00000001", "00000002"]


def test_an_item_without_a_registry_type_gets_one_made_from_it(
    registry: Registry, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    world = registry.world
    world.instant.certificate_name = "个体工商户登记证明"
    world.instant.save()
    case = submit(world, item=world.instant, key="k9")
    with django_capture_on_commit_callbacks(execute=True):
        case_conclude_on_the_spot(case=case, staff=world.chief)
    made = CertificateType.objects.get(name="个体工商户登记证明")
    assert made.issuer == world.instant.department
    assert made.code.startswith("T") and made.valid_years is None
    certificate = Certificate.objects.get(case_certificate__case=case)
    assert certificate.type == made and certificate.expires_on is None


def test_a_denied_case_enters_nothing(registry: Registry) -> None:
    world = registry.world
    case = accept(world, submit(world))
    finish_stages(case, registry.head)
    case_decide(
        case=case, staff=registry.head, decision=Decision(CaseStatus.CONCLUDED_DENIED, "No.")
    )
    assert certificates_issue_pending() == 0
    assert not Certificate.objects.exists()


def test_the_periodic_tasks_sweep_and_expire(registry: Registry, conclude: ConcludeFn) -> None:
    conclude(hooks=False)
    assert certificates_issue_pending_sweep.call_local() == 1
    with time_machine.travel(dt.datetime(2031, 9, 28, 1, tzinfo=dt.UTC), tick=False):
        assert certificates_expire_daily.call_local() == 1
    assert Certificate.objects.get().status == CertificateStatus.EXPIRED
