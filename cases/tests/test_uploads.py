"""Uploads: checked by content and size, kept privately, served only to the right people."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import CaseAccess, CaseMaterial
from cases.services import material_upload
from cases.tests.conftest import PDF, PNG, World, login, submit


def upload(world: World, name: str, content: bytes, **kwargs: Any) -> CaseMaterial:
    return material_upload(
        case=kwargs.pop("case", None) or submit(world),
        user=kwargs.pop("user", world.citizen),
        upload=SimpleUploadedFile(name, content),
        spec=kwargs.pop("spec", world.licence),
    )


def test_a_pdf_is_kept_with_its_digest_and_detected_type(world: World) -> None:
    material = upload(world, "营业执照.pdf", PDF)
    assert material.content_type == "application/pdf"
    assert material.sha256 == hashlib.sha256(PDF).hexdigest()
    assert material.size == len(PDF)
    assert material.original_name == "营业执照.pdf"
    with material.file.open("rb") as stored:
        assert stored.read() == PDF


def test_a_png_named_pdf_is_kept_as_a_png(world: World) -> None:
    assert upload(world, "scan.pdf", PNG).content_type == "image/png"


def test_a_fake_pdf_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        upload(world, "licence.pdf", b"just some text, renamed")
    assert not CaseMaterial.objects.exists()


def test_an_oversize_file_is_refused(world: World, settings: Any) -> None:
    settings.GOVHALL_CASE_FILE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="at most 1 MB"):
        upload(world, "big.pdf", PDF + b"0" * 1024 * 1024)


def test_a_case_has_a_total_limit(world: World, settings: Any) -> None:
    settings.GOVHALL_CASE_TOTAL_MAX_BYTES = 100
    case = submit(world)
    upload(world, "a.pdf", PDF, case=case)
    with pytest.raises(ValidationError, match="at most 0 MB"):
        upload(world, "b.pdf", PDF * 3, case=case)


def test_a_material_of_another_item_is_refused(world: World) -> None:
    other_spec = world.other_item.materials.create(name="别的")
    with pytest.raises(ValidationError):
        upload(world, "a.pdf", PDF, spec=other_spec)


def test_someone_else_cannot_upload_to_the_case(world: World) -> None:
    with pytest.raises(PermissionDenied):
        upload(world, "a.pdf", PDF, user=world.neighbour)


def test_materials_have_no_public_url(world: World) -> None:
    material = upload(world, "a.pdf", PDF)
    with pytest.raises(ValueError, match="no public URL"):
        material.file.url  # noqa: B018


def test_a_material_is_served_to_the_applicant_and_allowed_staff_only(world: World) -> None:
    material = upload(world, "a.pdf", PDF)
    url = f"/cases/{material.case.number}/materials/{material.pk}/"
    for allowed in (world.citizen, world.clerk, world.general_clerk, world.supervisor):
        response = login(allowed).get(url)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
        assert response["Content-Type"] == "application/pdf"
    for outsider in (world.neighbour, world.other_clerk, world.outsider_staff):
        assert login(outsider).get(url).status_code == 404, outsider
    assert set(CaseAccess.objects.values_list("user__username", flat=True)) == {
        "clerk",
        "general",
        "supervisor",
    }


def test_uploads_through_the_api_are_checked_the_same_way(world: World) -> None:
    case = submit(world)
    client = login(world.citizen)
    url = f"/api/v1/cases/{case.number}/materials"
    fake = client.post(
        url, {"file": SimpleUploadedFile("x.pdf", b"hello"), "spec": world.licence.pk}
    )
    assert fake.status_code == 422
    assert "not a PDF" in fake.json()["message"]
    good = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF), "spec": world.licence.pk})
    assert good.status_code == 201
    assert good.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (
        login(world.neighbour).post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code
        == 404
    )
