"""The cases API: statuses for applicants, staff and outsiders."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from cases.models import Case, CaseStatus
from cases.tests.conftest import ID_NUMBER, World, login, submit


def body(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "item": world.item.implementation_code,
        "applicant_kind": "person",
        "applicant_name": "张小三",
        "id_number": ID_NUMBER,
        "mobile": "13800000001",
        "fields": {"shop": "小三面馆", "kind": "餐饮"},
    }
    values.update(changes)
    return values


def post(client: Client, url: str, data: dict[str, Any], key: str | None = "key-1") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_an_application_is_created_once_per_idempotency_key(world: World) -> None:
    client = login(world.citizen)
    first = post(client, "/api/v1/cases", body(world))
    assert first.status_code == 201
    again = post(client, "/api/v1/cases", body(world))
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_an_application_without_an_idempotency_key_is_a_422(world: World) -> None:
    response = post(login(world.citizen), "/api/v1/cases", body(world), key=None)
    assert response.status_code == 422


def test_bad_applications_get_messages(world: World) -> None:
    client = login(world.citizen)
    bad_id = post(client, "/api/v1/cases", body(world, id_number="123"))
    assert bad_id.status_code == 422
    assert "17 digits" in bad_id.json()["message"]
    unknown = post(client, "/api/v1/cases", body(world, item="nope"), key="k2")
    assert unknown.status_code == 404


def test_anonymous_callers_get_401(world: World) -> None:
    case = submit(world)
    client = Client()
    assert post(client, "/api/v1/cases", body(world)).status_code == 401
    assert client.get(f"/api/v1/cases/{case.number}").status_code == 401
    assert client.post(f"/api/v1/cases/{case.number}/accept").status_code == 401
    assert client.get("/api/v1/cases").status_code == 401


def test_a_citizen_cannot_use_the_staff_actions(world: World) -> None:
    case = submit(world)
    assert login(world.citizen).post(f"/api/v1/cases/{case.number}/accept").status_code == 401


def test_staff_run_intake_through_the_api(world: World) -> None:
    case = submit(world)
    clerk = login(world.clerk)
    refused = post(clerk, f"/api/v1/cases/{case.number}/refuse", {"reason": ""})
    assert refused.status_code == 422
    corrected = post(
        clerk,
        f"/api/v1/cases/{case.number}/correction",
        {"items": [{"spec": world.licence.pk, "reason": "缺"}]},
    )
    assert corrected.status_code == 200
    assert corrected.json()["status"] == CaseStatus.CORRECTION_START
    second = post(
        clerk,
        f"/api/v1/cases/{case.number}/correction",
        {"items": [{"name": "合同", "reason": "缺"}]},
    )
    assert second.status_code == 409
    assert login(world.other_clerk).post(f"/api/v1/cases/{case.number}/accept").status_code == 404


def test_the_applicant_withdraws_through_the_api(world: World) -> None:
    case = submit(world)
    assert (
        post(login(world.neighbour), f"/api/v1/cases/{case.number}/withdraw", {}).status_code == 404
    )
    response = post(login(world.citizen), f"/api/v1/cases/{case.number}/withdraw", {})
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE


def test_a_clerk_accepts_and_the_applicant_reads_the_due_dates(world: World) -> None:
    case = submit(world)
    assert login(world.clerk).post(f"/api/v1/cases/{case.number}/accept").status_code == 200
    data = login(world.citizen).get(f"/api/v1/cases/{case.number}").json()
    assert data["promised_due"] == "2026-10-10"
    # Accepted, then the department's stages start at once.
    assert [event["to_status"] for event in data["events"]] == [1, 3, 8]


def test_the_work_list_is_scoped_masked_and_paginated(world: World) -> None:
    case = submit(world)
    data = login(world.clerk).get("/api/v1/cases", {"status": 1}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["number"] == case.number
    assert row["applicant"] == "张*三"
    assert row["identifier"].startswith("1101****")
    assert login(world.other_clerk).get("/api/v1/cases").json()["count"] == 0
    assert login(world.clerk).get("/api/v1/cases", {"page": 0}).status_code == 422
