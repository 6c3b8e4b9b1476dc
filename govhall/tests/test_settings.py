import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from govhall.env import env_bool, env_int, env_str
from govhall.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]


def _govhall(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    dropped = ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {key: value for key, value in os.environ.items() if key not in dropped}
    clean.update({"GOVHALL_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "govhall.cli", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_passes_in_production_settings(tmp_path: Path) -> None:
    production = {
        "SECRET_KEY": "k" * 20 + "production-secret-key-of-enough-length-and-variety-1234567890",
        "HTTPS": "1",
        "ALLOWED_HOSTS": "hall.example.gov.cn",
    }
    result = _govhall(["check", "--deploy", "--fail-level", "WARNING"], production, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unsupported_database_is_refused_at_start(tmp_path: Path) -> None:
    result = _govhall(["check"], {"DATABASE_URL": "mysql://root@127.0.0.1/test"}, tmp_path)
    assert result.returncode != 0
    assert "unsupported database" in result.stderr


def test_secret_key_is_read_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "from-a-file"


def test_a_bad_boolean_or_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")
    monkeypatch.setenv("HUEY_WORKERS", "two")
    with pytest.raises(ImproperlyConfigured, match="HUEY_WORKERS"):
        env_int("HUEY_WORKERS", 2)


def test_the_embedded_database_runs_in_wal_mode(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no journal mode")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_the_write_floor_is_off_unless_the_bench_turns_it_on(
    client: Client, settings: Any, db: None
) -> None:
    assert client.post("/healthz/write").status_code == 404
    settings.GOVHALL_BENCH_ENDPOINTS = True
    assert client.post("/healthz/write").status_code == 201
    assert Heartbeat.objects.count() == 1


def test_a_nul_character_is_refused_with_a_message(client: Client, db: None) -> None:
    for response in (
        client.get("/api/v1/departments", {"center": "de\x00mo"}),
        client.get("/c/demo/items/", {"q": "营业\x00执照"}),
        client.post("/api/v1/tickets", '{"category": "A\\u0000"}', content_type="application/json"),
    ):
        assert response.status_code == 422
        assert response.json()["message"]
