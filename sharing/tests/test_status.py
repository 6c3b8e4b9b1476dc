"""Suspension, reinstatement, revocation, cancellation and expiry: guarded, with history."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from audit.models import AuditEntry
from cases.tests.conftest import login
from catalog.tests.factories import make_center, make_staff, make_user
from sharing.models import Certificate, CertificateStatus
from sharing.selectors import GENUINE, certificate_verify
from sharing.services import (
    CertificateConflictError,
    certificate_status_change,
    certificates_expire,
)
from sharing.tests.conftest import Registry


def test_revocation_is_recorded_with_reason_actor_and_audit_entry(
    registry: Registry, certificate: Certificate
) -> None:
    certificate_status_change(
        action="revoke", certificate=certificate, actor=registry.head, reason="以欺骗手段取得"
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    change = certificate.status_changes.order_by("-pk")[0]
    assert (change.from_status, change.to_status) == ("01", "03")
    assert (change.reason, change.changed_by) == ("以欺骗手段取得", registry.head)
    entry = AuditEntry.objects.get(action="certificate.revoked")
    assert entry.target_id == certificate.identifier
    assert entry.data["reason"] == "以欺骗手段取得"


def test_revoking_a_revoked_certificate_is_a_conflict(
    registry: Registry, certificate: Certificate
) -> None:
    certificate_status_change(
        action="revoke", certificate=certificate, actor=registry.head, reason="错误核发"
    )
    with pytest.raises(CertificateConflictError) as raised:
        certificate_status_change(
            action="revoke", certificate=certificate, actor=registry.head, reason="again"
        )
    assert raised.value.message == "This certificate is revoked: it can no longer be revoked."
    assert certificate.status_changes.count() == 2


def test_the_page_shows_the_conflict_as_a_message(
    registry: Registry, certificate: Certificate
) -> None:
    client = login(registry.head)
    url = f"/certificates/manage/{certificate.identifier}/"
    client.post(url, {"action": "revoke", "reason": "错误核发"})
    answer = client.post(url, {"action": "revoke", "reason": "again"}, follow=True)
    assert answer.status_code == 200
    assert "This certificate is revoked: it can no longer be revoked." in answer.content.decode()
    page = client.get(url).content.decode()
    assert "错误核发" in page and "Revoked (03)" in page
    assert 'value="revoke">Revoke</button>' in page


def test_suspension_can_be_lifted_and_cancellation_ends_it(
    registry: Registry, certificate: Certificate
) -> None:
    certificate_status_change(
        action="suspend", certificate=certificate, actor=registry.administrator, reason="核查中"
    )
    with pytest.raises(CertificateConflictError):
        certificate_status_change(
            action="suspend", certificate=certificate, actor=registry.head, reason="again"
        )
    certificate_status_change(
        action="reinstate", certificate=certificate, actor=registry.head, reason="核查完毕"
    )
    with pytest.raises(CertificateConflictError):
        certificate_status_change(
            action="reinstate", certificate=certificate, actor=registry.head, reason="again"
        )
    certificate_status_change(
        action="cancel", certificate=certificate, actor=registry.head, reason="申请注销"
    )
    steps = list(certificate.status_changes.values_list("from_status", "to_status"))
    assert steps == [("", "01"), ("01", "02"), ("02", "01"), ("01", "04")]


def test_a_change_needs_a_reason(registry: Registry, certificate: Certificate) -> None:
    with pytest.raises(ValidationError, match="reason"):
        certificate_status_change(
            action="revoke", certificate=certificate, actor=registry.head, reason="  "
        )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_only_the_issuers_head_and_the_centers_administrator_may_change_it(
    registry: Registry, certificate: Certificate
) -> None:
    other_center_admin = make_user("far-admin")
    make_staff(other_center_admin, make_center(), Role.ADMINISTRATOR)
    for outsider in (
        registry.other_head,
        registry.world.clerk,
        registry.world.supervisor,
        registry.world.citizen,
        other_center_admin,
    ):
        with pytest.raises(PermissionDenied):
            certificate_status_change(
                action="suspend", certificate=certificate, actor=outsider, reason="no"
            )
        client = login(outsider)
        assert client.get(f"/certificates/manage/{certificate.identifier}/").status_code in (
            403,
            404,
        )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_the_daily_sweep_expires_live_certificates_past_their_last_day(
    registry: Registry, certificate: Certificate
) -> None:
    assert certificate.expires_on == dt.date(2031, 9, 27)
    assert certificates_expire(today=dt.date(2031, 9, 27)) == 0
    with time_machine.travel(dt.datetime(2031, 9, 28, 1, tzinfo=dt.UTC), tick=False):
        # Before the sweep runs, verification already counts the day as passed.
        early = certificate_verify(
            identifier=certificate.identifier, token=certificate.token, today=dt.date(2031, 9, 28)
        )
        assert (early.verdict, early.status, early.currently_valid) == (GENUINE, "05", False)
        assert certificates_expire(today=dt.date(2031, 9, 28)) == 1
        assert certificates_expire(today=dt.date(2031, 9, 28)) == 0
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED
    change = certificate.status_changes.order_by("-pk")[0]
    assert (change.from_status, change.to_status, change.changed_by) == ("01", "05", None)


def test_a_revoked_certificate_does_not_expire(
    registry: Registry, certificate: Certificate
) -> None:
    certificate_status_change(
        action="revoke", certificate=certificate, actor=registry.head, reason="错误核发"
    )
    assert certificates_expire(today=dt.date(2032, 1, 1)) == 0
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def test_an_unknown_action_is_refused(registry: Registry, certificate: Certificate) -> None:
    with pytest.raises(ValidationError, match="Unknown action"):
        certificate_status_change(
            action="destroy", certificate=certificate, actor=registry.head, reason="x"
        )
    answer = login(registry.head).post(
        f"/certificates/manage/{certificate.identifier}/",
        {"action": "destroy", "reason": "x"},
        follow=True,
    )
    assert "Unknown action." in answer.content.decode()
