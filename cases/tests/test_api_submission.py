"""`POST /api/v1/cases` with the materials in the same request (multipart): all or nothing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case, CaseMaterial
from cases.tests.conftest import ID_NUMBER, PDF, PNG, World, login
from cases.tests.test_api import body


def apply(client: Client, payload: Any, key: str = "key-1", **parts: Any) -> Any:
    data = {"payload": payload if isinstance(payload, str) else json.dumps(payload), **parts}
    return client.post("/api/v1/cases", data, headers={"Idempotency-Key": key})


def files(*named: tuple[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content) for name, content in named]


def test_an_application_and_its_materials_are_one_request(world: World) -> None:
    client = login(world.citizen)
    answer = apply(
        client,
        body(world),
        file=files(("营业执照.pdf", PDF), ("照片.png", PNG)),
        spec=[world.licence.pk, world.photo.pk],
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert [(m["spec"], m["name"], m["content_type"]) for m in created["materials"]] == [
        (world.licence.pk, "营业执照.pdf", "application/pdf"),
        (world.photo.pk, "照片.png", "image/png"),
    ]
    assert created["materials"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert [event["to_status"] for event in created["events"]] == [1]
    # The answer is built without reading the new case back: it equals a read of it.
    assert client.get(f"/api/v1/cases/{created['number']}").json() == created
    case = Case.objects.get()
    with case.materials.get(spec=world.licence).file.open("rb") as stored:
        assert stored.read() == PDF


def test_the_same_key_again_returns_the_case_and_keeps_no_second_set_of_files(
    world: World,
) -> None:
    client = login(world.citizen)
    first = apply(client, body(world), file=files(("a.pdf", PDF)), spec=[world.licence.pk])
    again = apply(client, body(world), file=files(("b.pdf", PDF)), spec=[world.licence.pk])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert CaseMaterial.objects.count() == 1


def test_files_without_specs_are_materials_off_the_list(world: World) -> None:
    answer = apply(login(world.citizen), body(world), file=files(("extra.pdf", PDF)))
    assert answer.status_code == 201
    assert [m["spec"] for m in answer.json()["materials"]] == [None]


def test_a_fake_pdf_refuses_the_whole_application(world: World) -> None:
    answer = apply(
        login(world.citizen),
        body(world),
        file=files(("licence.pdf", PDF), ("photo.pdf", b"just text, renamed")),
        spec=[world.licence.pk, world.photo.pk],
    )
    assert answer.status_code == 422
    assert "photo.pdf is not a PDF, JPEG or PNG" in answer.json()["message"]
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


def test_the_case_limit_counts_every_file_of_the_request(world: World, settings: Any) -> None:
    settings.GOVHALL_CASE_TOTAL_MAX_BYTES = len(PDF) + 10
    answer = apply(login(world.citizen), body(world), file=files(("a.pdf", PDF), ("b.pdf", PDF)))
    assert answer.status_code == 422
    assert "materials of a case may take at most" in answer.json()["message"]
    assert not Case.objects.exists()


def test_a_material_of_another_item_is_a_404_and_no_case(world: World) -> None:
    other = world.other_item.materials.create(name="健康证明", position=1)
    answer = apply(login(world.citizen), body(world), file=files(("a.pdf", PDF)), spec=[other.pk])
    assert answer.status_code == 404
    assert answer.json()["message"] == "This item has no such material."
    assert not Case.objects.exists()


def test_specs_and_files_must_pair(world: World) -> None:
    client = login(world.citizen)
    one_spec_two_files = apply(
        client, body(world), file=files(("a.pdf", PDF), ("b.pdf", PDF)), spec=[world.licence.pk]
    )
    assert one_spec_two_files.status_code == 422
    assert "one spec for each file" in one_spec_two_files.json()["message"]
    not_a_number = apply(client, body(world), file=files(("a.pdf", PDF)), spec=["licence"])
    assert not_a_number.status_code == 422
    assert not Case.objects.exists()


def test_a_bad_payload_gets_a_422_that_names_the_problem(world: World) -> None:
    client = login(world.citizen)
    not_json = apply(client, "{not json", file=files(("a.pdf", PDF)))
    assert not_json.status_code == 422
    assert not_json.json()["detail"][0]["loc"] == ["body", "payload"]
    missing = client.post(
        "/api/v1/cases", {"file": files(("a.pdf", PDF))}, headers={"Idempotency-Key": "k"}
    )
    assert missing.status_code == 422
    no_name = apply(client, body(world, applicant_name=""))
    assert no_name.status_code == 422
    assert no_name.json()["detail"][0]["loc"] == ["body", "payload", "applicant_name"]
    bad_id = apply(client, body(world, id_number=ID_NUMBER[:-1] + "0"))
    assert bad_id.status_code == 422
    assert not Case.objects.exists()


def test_a_nul_character_in_the_payload_is_refused(world: World) -> None:
    answer = apply(login(world.citizen), body(world, applicant_name="张\x00三"))
    assert answer.status_code == 422
    assert "NUL character" in answer.json()["message"]
    assert not Case.objects.exists()


def test_anonymous_callers_get_401(world: World) -> None:
    assert apply(Client(), body(world), file=files(("a.pdf", PDF))).status_code == 401
    assert not Case.objects.exists()
