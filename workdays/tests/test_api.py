from typing import Any

import pytest
from django.test import Client

from workdays.calendar import Calendar


def test_add_answers_with_its_reasons(client: Client, calendar: Calendar) -> None:
    response = client.get("/api/v1/workdays/add", {"start": "2026-09-28", "days": "5"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["result"] == "2026-10-10"
    assert body["provisional"] is False
    assert body["makeup_days"] == [{"date": "2026-10-10", "name": "国庆节调休上班"}]
    assert {"date": "2026-10-01", "name": "国庆节"} in body["holidays_skipped"]


def test_count_flags_a_provisional_year(client: Client, calendar: Calendar) -> None:
    response = client.get("/api/v1/workdays/count", {"start": "2026-12-25", "end": "2027-01-15"})
    assert response.status_code == 200
    body = response.json()
    assert body["provisional"] is True
    assert body["provisional_years"] == [2027]
    assert body["working_days"] > 0


def test_a_malformed_date_is_a_422_with_a_message(client: Client, calendar: Calendar) -> None:
    response = client.get("/api/v1/workdays/add", {"start": "2026-02-30", "days": "1"})
    assert response.status_code == 422
    assert response.json()["message"]


def test_a_date_outside_the_calendar_is_a_422_naming_it(client: Client, calendar: Calendar) -> None:
    response = client.get("/api/v1/workdays/count", {"start": "2026-01-01", "end": "2031-01-05"})
    assert response.status_code == 422
    assert "2029-01-01" in response.json()["message"]


@pytest.mark.parametrize("days", ["-1", "3651", "many"])
def test_days_out_of_bounds_are_a_422(client: Client, calendar: Calendar, days: str) -> None:
    response = client.get("/api/v1/workdays/add", {"start": "2026-01-01", "days": days})
    assert response.status_code == 422


def test_an_end_before_the_start_is_a_422(client: Client, calendar: Calendar) -> None:
    response = client.get("/api/v1/workdays/count", {"start": "2026-10-10", "end": "2026-10-01"})
    assert response.status_code == 422
    assert "before the start" in response.json()["message"]


def test_the_openapi_schema_declares_the_422_answers(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "422" in paths["/api/v1/workdays/add"]["get"]["responses"]
    assert "422" in paths["/api/v1/workdays/count"]["get"]["responses"]
