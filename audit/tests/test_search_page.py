"""The supervisors' search page: their center's entries, filtered, paginated, newest first."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEntry
from audit.selectors import READER_ROLES
from audit.services import audit_record
from audit.tests.conftest import People

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2030, 3, 4, 2, 0, tzinfo=dt.UTC)


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def log(people: People) -> None:
    """Three days of the center's log, and one entry of the other center."""
    for day in range(3):
        with time_machine.travel(MONDAY + dt.timedelta(days=day), tick=False):
            audit_record(
                action="case.accepted",
                actor=people.clerk,
                target_type="case",
                target_id=f"GH2030030{4 + day}-000001",
                center_id=people.center.pk,
            )
            audit_record(
                action="personal_data.read",
                actor=people.supervisor,
                target_type="case",
                target_id=f"GH2030030{4 + day}-000001",
                center_id=people.center.pk,
            )
    with time_machine.travel(MONDAY, tick=False):
        audit_record(
            action="case.accepted",
            actor=people.other_supervisor,
            target_type="case",
            target_id="GH20300304-000777",
            center_id=people.other_center.pk,
        )


def rows(response: Any) -> list[AuditEntry]:
    return list(response.context["page"].object_list)


def test_the_readers_are_the_supervisor_and_administrator_roles() -> None:
    assert set(READER_ROLES) == {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


def test_a_supervisor_sees_their_centers_entries_newest_first(people: People, log: None) -> None:
    response = client_for(people.supervisor).get("/audit/")
    assert response.status_code == 200
    shown = rows(response)
    assert {entry.center_id for entry in shown} == {people.center.pk}
    assert [entry.at for entry in shown] == sorted((entry.at for entry in shown), reverse=True)
    assert "GH20300306-000001" in response.content.decode()
    assert "GH20300304-000777" not in response.content.decode()


def test_an_administrator_reads_the_log_too(people: People, log: None) -> None:
    assert client_for(people.administrator).get("/audit/").status_code == 200


def test_a_clerk_is_refused_and_a_visitor_is_sent_to_sign_in(people: People, log: None) -> None:
    assert client_for(people.clerk).get("/audit/").status_code == 403
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_other_centers_supervisor_sees_only_their_own(people: People, log: None) -> None:
    shown = rows(client_for(people.other_supervisor).get("/audit/", {"action": "case."}))
    assert [entry.target_id for entry in shown] == ["GH20300304-000777"]
    search = client_for(people.other_supervisor).get("/audit/", {"target": "GH20300305-000001"})
    assert rows(search) == []


def test_search_by_person_case_action_and_days(people: People, log: None) -> None:
    client = client_for(people.supervisor)
    by_person = rows(client.get("/audit/", {"person": "clerk"}))
    assert {entry.actor_label for entry in by_person} == {"clerk"}
    assert len(by_person) == 3
    by_case = rows(client.get("/audit/", {"target": "GH20300305-000001"}))
    assert [entry.action for entry in by_case] == ["personal_data.read", "case.accepted"]
    by_action = rows(client.get("/audit/", {"action": "personal_data."}))
    assert {entry.action for entry in by_action} == {"personal_data.read"}
    by_days = rows(client.get("/audit/", {"since": "2030-03-05", "until": "2030-03-05"}))
    assert {entry.target_id for entry in by_days} == {"GH20300305-000001"}
    assert len(by_days) == 2


def test_a_first_day_after_the_last_gets_a_clear_message(people: People, log: None) -> None:
    response = client_for(people.supervisor).get(
        "/audit/", {"since": "2030-03-06", "until": "2030-03-04"}
    )
    assert response.status_code == 200
    assert "The first day comes after the last day" in response.content.decode()
    assert rows(response) == []


def test_a_day_that_is_not_a_date_gets_a_clear_message(people: People) -> None:
    response = client_for(people.supervisor).get("/audit/", {"since": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_the_log_is_paginated_and_the_pages_keep_the_filters(people: People) -> None:
    for index in range(60):
        audit_record(
            action="case.accepted",
            actor=people.clerk,
            target_id=f"GH20300304-{index:06d}",
            center_id=people.center.pk,
        )
    client = client_for(people.supervisor)
    first = client.get("/audit/", {"person": "clerk"})
    assert len(rows(first)) == 50
    assert "person=clerk&amp;page=2" in first.content.decode()
    second = client.get("/audit/", {"person": "clerk", "page": "2"})
    assert len(rows(second)) == 10
    assert client.get("/audit/", {"page": "many"}).status_code == 200


def test_reading_the_log_is_not_recorded_but_exporting_it_is(people: People, log: None) -> None:
    client = client_for(people.supervisor)
    before = AuditEntry.objects.count()
    client.get("/audit/", {"person": "clerk"})
    assert AuditEntry.objects.count() == before
    response = client.get("/audit/", {"person": "clerk", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.max_row == 4
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_label, export.target_type, export.center_id) == (
        "supervisor",
        "audit",
        people.center.pk,
    )
    assert export.data == {"rows": 3, "filters": {"person": "clerk"}}


def test_a_name_that_looks_like_a_formula_is_exported_as_text(people: People) -> None:
    audit_record(
        action="auth.login_failed",
        target_type="user",
        target_id='=HYPERLINK("http://x")',
        center_id=people.center.pk,
    )
    response = client_for(people.supervisor).get("/audit/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["E2"].data_type == "s"
