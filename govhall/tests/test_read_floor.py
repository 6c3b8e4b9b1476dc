"""The read floor of `make bench`: one heartbeat read by primary key, off unless turned on."""

from typing import Any

from django.test import Client

from govhall.models import Heartbeat


def test_the_read_floor_is_off_unless_the_bench_turns_it_on(client: Client, db: None) -> None:
    beat = Heartbeat.objects.create()
    assert client.get("/healthz/read", {"id": beat.pk}).status_code == 404


def test_the_read_floor_answers_the_heartbeat_it_is_asked_for(
    client: Client, settings: Any, db: None
) -> None:
    settings.GOVHALL_BENCH_ENDPOINTS = True
    beat = Heartbeat.objects.create()
    response = client.get("/healthz/read", {"id": beat.pk})
    assert response.status_code == 200
    assert response.json() == {"id": beat.pk, "at": beat.at.isoformat()}


def test_the_read_floor_refuses_a_bad_or_unknown_id_with_a_message(
    client: Client, settings: Any, db: None
) -> None:
    settings.GOVHALL_BENCH_ENDPOINTS = True
    for bad in ("", "x", "-1", "0", "²", str(2**63)):
        response = client.get("/healthz/read", {"id": bad})
        assert response.status_code == 422
        assert response.json()["message"]
    assert client.get("/healthz/read", {"id": 12345}).status_code == 404
    assert client.post("/healthz/read", {"id": 1}).status_code == 405
