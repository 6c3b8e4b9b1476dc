"""Reuse in applications (免提交): the applicant takes a material from the registry with consent,
the clerk sees it, and every use is logged for the holder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import accept, login, submit
from sharing.models import Certificate, CertificateUse
from sharing.services import (
    CertificateConflictError,
    certificate_status_change,
    certificate_use_provide,
)
from sharing.tests.conftest import Registry


@pytest.fixture
def application(registry: Registry, certificate: Certificate) -> Case:
    """A second application of the same holder whose licence material the registry satisfies."""
    registry.world.licence.certificate_type = "BUSINESS_LICENCE"
    registry.world.licence.save()
    return submit(registry.world, key="second")


def test_the_applicant_takes_the_licence_from_the_registry_and_the_clerk_sees_it(
    registry: Registry, certificate: Certificate, application: Case
) -> None:
    world = registry.world
    citizen = login(world.citizen)
    page = citizen.get(f"/cases/{application.number}/").content.decode()
    assert "Take “营业执照” from the registry" in page
    answer = citizen.post(
        f"/certificates/provide/{application.number}/",
        {"material": world.licence.pk, "identifier": certificate.identifier},
        follow=True,
    )
    page = answer.content.decode()
    assert f"营业执照: provided by the registry: 营业执照 no. {certificate.number}" in page
    assert "Take “营业执照” from the registry" not in page
    use = CertificateUse.objects.get(kind=CertificateUse.Kind.PROVIDED)
    assert (use.certificate, use.case, use.material, use.used_by) == (
        certificate,
        application,
        world.licence,
        world.citizen,
    )
    assert AuditEntry.objects.filter(action="certificate.provide").count() == 1

    clerk = login(world.clerk)
    for _ in range(2):
        page = clerk.get(f"/cases/{application.number}/").content.decode()
        assert f"provided by the registry: 营业执照 no. {certificate.number}" in page
        assert "Valid" in page
    consulted = CertificateUse.objects.get(kind=CertificateUse.Kind.CONSULTED)
    assert (consulted.used_by, consulted.case) == (world.clerk, application)

    log = citizen.get("/certificates/").content.decode()
    assert "Used 2 times" in log
    assert f"Stands for “营业执照” in case {application.number}" in log
    assert f"Checked on the page of case {application.number}" in log and "clerk" in log


def test_a_material_is_provided_once_and_only_before_acceptance(
    registry: Registry, certificate: Certificate, application: Case
) -> None:
    world = registry.world
    provide = {
        "case": application,
        "material_id": world.licence.pk,
        "identifier": certificate.identifier,
        "user": world.citizen,
    }
    certificate_use_provide(**provide)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already"):
        certificate_use_provide(**provide)  # type: ignore[arg-type]
    later = submit(world, key="third")
    accept(world, later)
    later.refresh_from_db()
    with pytest.raises(CertificateConflictError, match="before acceptance"):
        certificate_use_provide(**{**provide, "case": later})  # type: ignore[arg-type]


def test_nobody_else_provides_and_a_revoked_licence_is_not_offered(
    registry: Registry, certificate: Certificate, application: Case
) -> None:
    world = registry.world
    neighbour = login(world.neighbour)
    answer = neighbour.post(
        f"/certificates/provide/{application.number}/",
        {"material": world.licence.pk, "identifier": certificate.identifier},
    )
    assert answer.status_code == 404
    with pytest.raises(ValidationError, match="No certificate can stand for this material"):
        certificate_use_provide(
            case=application,
            material_id=world.photo.pk,
            identifier=certificate.identifier,
            user=world.citizen,
        )
    certificate_status_change(
        certificate=certificate, action="revoke", actor=registry.head, reason="错误核发"
    )
    page = login(world.citizen).get(f"/cases/{application.number}/").content.decode()
    assert "from the registry" not in page
    with pytest.raises(ValidationError, match="not a valid certificate of yours"):
        certificate_use_provide(
            case=application,
            material_id=world.licence.pk,
            identifier=certificate.identifier,
            user=world.citizen,
        )
    assert not CertificateUse.objects.exists()
