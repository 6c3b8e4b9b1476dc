"""Who sees which case: applicants their own, staff their center or department, masked lists."""

from __future__ import annotations

from cases.models import CaseAccess
from cases.selectors import cases_visible_to
from cases.tests.conftest import ID_NUMBER, World, login, submit


def test_department_clerks_see_only_their_departments_cases(world: World) -> None:
    case = submit(world)
    assert list(cases_visible_to(world.clerk)) == [case]
    assert list(cases_visible_to(world.other_clerk)) == []
    assert list(cases_visible_to(world.outsider_staff)) == []


def test_a_general_counter_clerk_and_the_supervisor_see_the_whole_center(world: World) -> None:
    case = submit(world)
    assert list(cases_visible_to(world.general_clerk)) == [case]
    assert list(cases_visible_to(world.supervisor)) == [case]


def test_the_intake_list_masks_personal_data(world: World) -> None:
    case = submit(world)
    page = login(world.clerk).get("/cases/intake/").content.decode()
    assert case.number in page
    assert "张*三" in page and "1101**********" in page
    assert "张小三" not in page and ID_NUMBER not in page
    assert not CaseAccess.objects.exists()


def test_the_intake_list_is_for_staff_only(world: World) -> None:
    submit(world)
    assert login(world.citizen).get("/cases/intake/").status_code == 403
    assert (
        submit(world).number not in login(world.other_clerk).get("/cases/intake/").content.decode()
    )


def test_every_staff_read_of_a_case_is_logged_and_the_applicants_own_reads_are_not(
    world: World,
) -> None:
    case = submit(world)
    assert login(world.citizen).get(f"/cases/{case.number}/").status_code == 200
    assert not CaseAccess.objects.exists()
    page = login(world.clerk).get(f"/cases/{case.number}/").content.decode()
    assert ID_NUMBER in page
    login(world.clerk).get(f"/api/v1/cases/{case.number}")
    reads = list(CaseAccess.objects.values_list("user__username", "what"))
    assert sorted(reads) == [("clerk", "api"), ("clerk", "page")]
    assert login(world.other_clerk).get(f"/cases/{case.number}/").status_code == 404
    assert CaseAccess.objects.count() == 2


def test_the_public_query_shows_the_status_without_personal_data(world: World) -> None:
    case = submit(world)
    client = login(world.neighbour)
    page = client.get("/cases/query/", {"number": case.number, "id_tail": ID_NUMBER[-4:]})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Received" in text and "张" not in text.split("<main", 1)[1].split("</main>")[0].replace(
        world.item.name, ""
    )
    assert (
        client.get("/cases/query/", {"number": case.number, "id_tail": "0000"}).status_code == 404
    )


def test_the_public_query_is_throttled_after_failures(world: World) -> None:
    case = submit(world)
    client = login(world.neighbour)
    for _attempt in range(10):
        assert (
            client.get("/api/v1/cases/query", {"number": "GH1", "id_tail": "1234"}).status_code
            == 404
        )
    right = client.get("/api/v1/cases/query", {"number": case.number, "id_tail": ID_NUMBER[-4:]})
    assert right.status_code == 429
