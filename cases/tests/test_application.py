"""Online application: numbering, checked fields, drafts and one case per submission."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, CaseDraft, CaseStatus
from cases.services import Applicant, case_submit
from cases.tests.conftest import ID_NUMBER, PDF, World, login, submit


def test_a_submitted_application_gets_a_dated_number_and_an_acceptance_due_date(
    world: World,
) -> None:
    case = submit(world)
    assert re.fullmatch(r"GH20260928-\d{6}", case.number)
    assert case.status == CaseStatus.RECEIVED
    # Five working days after Monday 28 September, a make-up Saturday (调休).
    assert str(case.acceptance_due) == "2026-10-10"
    assert case.events.get().to_status == CaseStatus.RECEIVED


def test_numbers_of_one_day_follow_each_other(world: World) -> None:
    first, second = submit(world, key="a"), submit(world, key="b")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_the_same_idempotency_key_returns_the_same_case(world: World) -> None:
    assert submit(world, key="same") == submit(world, key="same")
    assert Case.objects.count() == 1


def test_fields_are_checked_against_the_items_schema(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        submit(world, shop="", kind="洗浴", opened="tomorrow", colour="red")
    messages = error.value.message_dict
    assert set(messages) == {"shop", "kind", "opened", "fields"}
    assert "Choose one of" in messages["kind"][0]


def test_a_wrong_id_number_is_refused_with_the_reason(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        case_submit(
            user=world.citizen,
            item=world.item,
            applicant=Applicant(kind="person", name="张三", id_number=ID_NUMBER[:-1] + "0"),
            form_data={"shop": "x", "kind": "餐饮"},
            idempotency_key="x",
        )
    assert "check digit" in error.value.message_dict["id_number"][0]


def test_a_double_click_on_submit_makes_one_case(world: World) -> None:
    client = login(world.citizen)
    url = f"/cases/apply/{world.item.implementation_code}/"
    fields = {
        "applicant_kind": "person",
        "applicant_name": "张小三",
        "id_number": ID_NUMBER,
        "field-shop": "小三面馆",
        "field-kind": "餐饮",
    }
    saved = client.post(url, {**fields, "action": "save"})
    assert saved.status_code == 302
    token = str(CaseDraft.objects.get().token)
    for _click in range(2):
        response = client.post(url, {**fields, "token": token, "action": "submit"})
        assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.number}/"


def test_the_apply_page_keeps_the_draft_and_shows_errors(world: World) -> None:
    client = login(world.citizen)
    url = f"/cases/apply/{world.item.implementation_code}/"
    response = client.post(
        url, {"applicant_kind": "person", "applicant_name": "张小三", "action": "submit"}
    )
    assert response.status_code == 422
    assert b"A resident ID number has 17 digits" in response.content
    assert CaseDraft.objects.get().data["applicant_name"] == "张小三"
    assert not Case.objects.exists()


def test_uploads_on_the_apply_page_are_kept_with_the_case(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.citizen)
    response = client.post(
        f"/cases/apply/{world.item.implementation_code}/",
        {
            "applicant_kind": "person",
            "applicant_name": "张小三",
            "id_number": ID_NUMBER,
            "field-shop": "面馆",
            "field-kind": "零售",
            "action": "submit",
            f"material-{world.licence.pk}": SimpleUploadedFile("licence.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().materials.get().spec == world.licence


def test_another_applicants_case_is_not_found(world: World) -> None:
    case = submit(world)
    client = login(world.neighbour)
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.number}").status_code == 404
    assert login(world.citizen).get(f"/cases/{case.number}/").status_code == 200


def test_my_cases_lists_only_mine(world: World) -> None:
    case = submit(world)
    assert case.number in login(world.citizen).get("/cases/mine/").content.decode()
    assert case.number not in login(world.neighbour).get("/cases/mine/").content.decode()
