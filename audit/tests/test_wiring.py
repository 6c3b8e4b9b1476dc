"""What other apps and Django report lands in the log: sign-ins, permissions, catalog, cases."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from audit.selectors import chain_verify
from audit.tests.conftest import People
from cases.tests.conftest import ID_NUMBER, World, accept, login, submit
from catalog.tests.factories import make_department

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("day", "seq"))


def test_a_sign_in_and_a_sign_out_are_recorded_with_the_address(people: People) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post("/accounts/login/", {"username": "clerk", "password": "password"})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    [login_entry] = entries("auth.login")
    [logout_entry] = entries("auth.logout")
    for entry in (login_entry, logout_entry):
        assert (entry.actor_id, entry.actor_label, entry.ip) == (
            people.clerk.pk,
            "clerk",
            "10.1.2.3",
        )
        assert entry.center_id == people.center.pk


def test_a_failed_sign_in_records_the_name_tried_and_never_the_password(people: People) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    client.post("/accounts/login/", {"username": "clerk", "password": "guess-Secret-1"})
    client.post("/accounts/login/", {"username": "nobody", "password": "guess-Secret-2"})
    known, unknown = entries("auth.login_failed")
    assert (known.target_type, known.target_id, known.actor_id) == ("user", "clerk", None)
    assert known.center_id == people.center.pk
    assert (unknown.target_id, unknown.center_id, unknown.ip) == ("nobody", None, "10.9.9.9")
    stored = json.dumps([known.data, unknown.data]) + known.canonical().decode()
    assert "guess-Secret" not in stored


def test_group_and_permission_changes_are_recorded_with_who_made_them(people: People) -> None:
    root = User.objects.create_superuser(username="root", password="x")
    client = Client(REMOTE_ADDR="10.0.0.1")
    client.force_login(root)
    user = people.clerk
    supervisors = Group.objects.get(name="supervisor")
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "password": user.password,
            "is_active": "on",
            "groups": [str(supervisors.pk)],
            "date_joined_0": "2026-11-26",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changes = [entry for entry in entries("auth.permissions") if entry.target_id == "clerk"]
    assert [entry.data for entry in changes[-2:]] == [
        {"change": "remove", "groups": ["clerk"]},
        {"change": "add", "groups": ["supervisor"]},
    ]
    assert {(entry.actor_label, entry.ip, entry.center_id) for entry in changes[-2:]} == {
        ("root", "10.0.0.1", people.center.pk)
    }


def test_direct_permissions_and_a_groups_permissions_are_recorded(people: People) -> None:
    permission = Permission.objects.get(codename="view_auditentry")
    people.clerk.user_permissions.add(permission)
    group = Group.objects.create(name="auditors")
    group.permissions.add(permission)
    group.permissions.clear()
    user_change, group_add, group_clear = entries("auth.permissions")[-3:]
    assert (user_change.target_type, user_change.target_id) == ("user", "clerk")
    assert user_change.data == {"change": "add", "permissions": ["audit.view_auditentry"]}
    assert (group_add.target_type, group_add.target_id) == ("group", "auditors")
    assert group_clear.data == {"change": "clear", "permissions": ["audit.view_auditentry"]}


def test_a_catalog_change_is_recorded_with_its_center(people: People) -> None:
    department = make_department(people.center)
    department.name = "市场监督管理局"
    department._history_user = people.administrator  # type: ignore[attr-defined]
    department.save()
    last = entries("catalog.change")[-1]
    assert (last.target_type, last.target_id, last.center_id) == (
        "department",
        str(department.pk),
        people.center.pk,
    )
    assert last.data["change"] == "change"
    assert last.data["model"] == "catalog.Department"
    assert last.actor_label == "administrator"


def test_the_catalog_excel_export_is_recorded(people: People) -> None:
    root = User.objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(root)
    response = client.get("/admin/catalog/serviceitem/export/", {"center": people.center.pk})
    assert response.status_code == 200
    [export] = entries("export")
    assert (export.actor_label, export.target_type, export.center_id) == (
        "root",
        "catalog.items",
        people.center.pk,
    )


def test_case_transitions_and_reads_of_personal_data_are_recorded(world: World) -> None:
    case = submit(world)
    accept(world, case)
    login(world.clerk).get(f"/cases/{case.number}/")
    received, accepted = AuditEntry.objects.filter(target_id=case.number).order_by("seq")[:2]
    assert (received.action, received.data) == ("case.received", {"to": 1})
    assert (accepted.action, accepted.actor_label, accepted.data) == (
        "case.accepted",
        "clerk",
        {"from": 1, "to": 3},
    )
    assert accepted.center_id == world.center.pk
    [read] = entries("personal_data.read")
    assert (read.actor_label, read.target_type, read.target_id) == ("clerk", "case", case.number)
    assert ID_NUMBER not in json.dumps(read.data) and ID_NUMBER not in read.canonical().decode()
    assert chain_verify().broken is None
