"""Department systems' keys: shown once and stored hashed, scoped, revocable, rate limited, and
confined to their department's cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEntry
from cases.models import Case, CaseAccess, CaseStatus, StageStatus
from cases.services import case_accept
from cases.tests.conftest import ID_NUMBER, accept, submit
from sharing.apikeys import apikey_create, apikey_revoke
from sharing.models import ApiKey, ApiScope, CertificateUse
from sharing.tests.conftest import Registry

ALL = list(ApiScope.values)


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    cache.clear()


def client(secret: str) -> Client:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return api


def market_key(registry: Registry, scopes: list[str] | None = None) -> tuple[ApiKey, str]:
    return apikey_create(
        department=registry.licence.issuer,
        name="Market licensing system",
        scopes=ALL if scopes is None else scopes,
        actor=registry.head,
    )


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(registry: Registry) -> None:
    key, secret = market_key(registry)
    assert secret.startswith(f"ghk_{key.prefix}_")
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    assert secret.split("_", 2)[2] not in str(stored)
    assert len(key.secret_hash) == 64
    assert AuditEntry.objects.filter(action="apikey.created", target_id=key.label).exists()


def test_only_the_department_head_or_administrator_creates_keys(registry: Registry) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        apikey_create(
            department=registry.licence.issuer,
            name="x",
            scopes=ALL,
            actor=registry.other_head,
        )
    key, _secret = apikey_create(
        department=registry.licence.issuer, name="x", scopes=ALL, actor=registry.administrator
    )
    assert key.department == registry.licence.issuer


def test_the_work_list_holds_the_departments_cases_only(registry: Registry) -> None:
    case = accept(registry.world, submit(registry.world))
    _key, secret = market_key(registry)
    answer = client(secret).get("/api/v1/systems/cases")
    assert answer.status_code == 200, answer.content
    assert [row["number"] for row in answer.json()["results"]] == [case.number]
    assert "张小三" not in answer.content.decode()

    stages = client(secret).get("/api/v1/systems/stages").json()["results"]
    assert [stage["case"] for stage in stages] == [case.number]


def test_another_departments_case_is_404(registry: Registry) -> None:
    world = registry.world
    other = case_accept(case=submit(world, item=world.other_item, key="o"), staff=world.other_clerk)
    _key, secret = market_key(registry)
    answer = client(secret).get(f"/api/v1/systems/cases/{other.number}")
    assert answer.status_code == 404
    stage = other.stages.filter(status=StageStatus.ACTIVE).first()
    assert stage is not None
    pushed = client(secret).post(
        f"/api/v1/systems/cases/{other.number}/stages/{stage.pk}/complete",
        {"result": "Agreed."},
        content_type="application/json",
    )
    assert pushed.status_code == 404
    assert Case.objects.get(pk=other.pk).stages.filter(status=StageStatus.DONE).count() == 0


def test_reading_a_case_in_full_is_logged_under_the_key(registry: Registry) -> None:
    case = accept(registry.world, submit(registry.world))
    key, secret = market_key(registry)
    answer = client(secret).get(f"/api/v1/systems/cases/{case.number}")
    assert answer.status_code == 200
    assert answer.json()["id_number"] == ID_NUMBER
    assert CaseAccess.objects.filter(case=case, user=key.user).exists()


def test_stage_results_and_the_decision_are_pushed_and_audited_under_the_key(
    registry: Registry,
) -> None:
    case = accept(registry.world, submit(registry.world))
    key, secret = market_key(registry)
    api = client(secret)
    while (stage := case.stages.filter(status=StageStatus.ACTIVE).first()) is not None:
        answer = api.post(
            f"/api/v1/systems/cases/{case.number}/stages/{stage.pk}/complete",
            {"result": "Checked by the licensing system."},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    decided = api.post(
        f"/api/v1/systems/cases/{case.number}/decide",
        {"outcome": 11},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == CaseStatus.CONCLUDED_APPROVED
    entry = AuditEntry.objects.get(action="case.concluded_approved", target_id=case.number)
    assert entry.actor_label == key.label


def test_a_key_without_the_scope_is_refused_with_403(registry: Registry) -> None:
    case = accept(registry.world, submit(registry.world))
    _key, secret = market_key(registry, [ApiScope.READ_CASES])
    stage = case.stages.filter(status=StageStatus.ACTIVE).first()
    assert stage is not None
    answer = client(secret).post(
        f"/api/v1/systems/cases/{case.number}/stages/{stage.pk}/complete",
        {"result": "Agreed."},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert "Write stage results" in answer.json()["message"]
    assert client(secret).get("/api/v1/systems/cases").status_code == 200


def test_a_revoked_key_is_refused_with_401(registry: Registry) -> None:
    key, secret = market_key(registry)
    assert client(secret).get("/api/v1/systems/cases").status_code == 200
    apikey_revoke(key=key, actor=registry.head)
    assert client(secret).get("/api/v1/systems/cases").status_code == 401
    assert client("ghk_00000000_guess").get("/api/v1/systems/cases").status_code == 401
    assert Client().get("/api/v1/systems/cases").status_code == 401


def test_a_key_beyond_its_rate_gets_429(registry: Registry, settings: Any) -> None:
    settings.GOVHALL_API_KEY_REQUESTS_PER_MINUTE = 3
    _key, secret = market_key(registry)
    answers = [client(secret).get("/api/v1/systems/cases").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    _other, other_secret = market_key(registry)
    assert client(other_secret).get("/api/v1/systems/cases").status_code == 200


def test_a_certificate_is_pushed_and_signed(registry: Registry) -> None:
    from cases.tests.conftest import USCC

    _key, secret = market_key(registry, [ApiScope.ISSUE_CERTIFICATES])
    body = {
        "type": "BUSINESS_LICENCE",
        "number": "91510000MA0099",
        "holder_kind": "legal",
        "holder_identifier": USCC,
        "holder_name": "清河小馆餐饮有限公司",
        "issued_on": "2026-09-01",
        "data": {"shop": "清河小馆"},
    }
    answer = client(secret).post("/api/v1/systems/certificates", body, "application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "01"
    again = client(secret).post("/api/v1/systems/certificates", body, "application/json")
    assert again.status_code == 409


def test_a_certificate_query_states_its_purpose_and_case_and_is_logged(
    registry: Registry, conclude: Any
) -> None:
    concluded = conclude()
    case = accept(registry.world, submit(registry.world, key="k2"))
    key, secret = market_key(registry, [ApiScope.QUERY_CERTIFICATES])
    api = client(secret)
    url = "/api/v1/systems/certificates"
    missing = api.get(url, {"holder": ID_NUMBER, "case": case.number})
    assert missing.status_code == 422
    answer = api.get(url, {"holder": ID_NUMBER, "case": case.number, "purpose": "Licence check"})
    assert answer.status_code == 200, answer.content
    [found] = answer.json()["results"]
    assert found["valid_today"] is True
    use = CertificateUse.objects.get(kind=CertificateUse.Kind.QUERIED)
    assert (use.case, use.used_by, use.purpose) == (case, key.user, "Licence check")
    assert use.certificate.case_certificate is not None
    assert use.certificate.case_certificate.case == concluded
    someone_else = api.get(
        url, {"holder": "110101199003070011", "case": case.number, "purpose": "Curiosity"}
    )
    assert someone_else.status_code == 403


def test_the_command_creates_and_revokes_a_key(registry: Registry, capsys: Any) -> None:
    department = registry.licence.issuer
    call_command(
        "api_key",
        "create",
        "--department",
        str(department.pk),
        "--name",
        "Licensing",
        "--scope",
        "cases:read",
    )
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    key = ApiKey.objects.get(name="Licensing")
    assert secret.startswith(f"ghk_{key.prefix}_")
    assert client(secret).get("/api/v1/systems/cases").status_code == 200
    call_command("api_key", "revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client(secret).get("/api/v1/systems/cases").status_code == 401
