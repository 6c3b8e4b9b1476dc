"""差评整改: a bad rating opens a rectification the department head works and the rater judges."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Message, User
from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import World, login
from feedback.models import Rectification, RectificationState


def rate_badly(world: World, case: Case) -> Rectification:
    answer = login(world.citizen).post(
        f"/feedback/cases/{case.number}/", {"action": "rate", "level": 2, "comment": "排队太久"}
    )
    assert answer.status_code == 302
    return Rectification.objects.get(rating__case=case)


def test_a_good_rating_opens_no_rectification(world: World, concluded: Case) -> None:
    login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 3}
    )
    assert not Rectification.objects.exists()


def test_a_bad_rating_opens_a_rectification_with_working_day_deadlines(
    world: World, concluded: Case
) -> None:
    rectification = rate_badly(world, concluded)
    assert rectification.state == RectificationState.OPEN
    assert rectification.department_id == world.instant.department_id
    # Rated on Monday 28 September 2026: one working day to call back; five to rectify, which
    # run past the National Day holidays.
    assert rectification.call_back_due == dt.date(2026, 9, 29)
    assert rectification.rectify_due > dt.date(2026, 10, 8)
    assert AuditEntry.objects.filter(action="rectification.open").count() == 1
    told = Message.objects.get(user=world.citizen, kind="rectification")
    assert "call you back by 2026-09-29" in told.subject


def test_the_head_calls_back_and_records_the_fix_and_the_rater_judges_it(
    world: World, concluded: Case, head: User
) -> None:
    rectification = rate_badly(world, concluded)
    page = f"/feedback/rectifications/{rectification.pk}/"
    staff = login(head)
    listing = staff.get("/feedback/rectifications/").content.decode()
    assert concluded.number in listing
    detail = staff.get(page).content.decode()
    assert "张*三" in detail and "张小三" not in detail
    assert staff.post(page, {"action": "call_back", "note": "已致电核实"}).status_code == 302
    assert staff.post(page, {"action": "rectify", "fix": "增开窗口"}).status_code == 302
    citizen = login(world.citizen)
    shown = citizen.get(f"/feedback/cases/{concluded.number}/").content.decode()
    assert "增开窗口" in shown
    answer = citizen.post(f"/feedback/cases/{concluded.number}/", {"action": "view", "view": 3})
    assert answer.status_code == 302
    rectification.refresh_from_db()
    assert (rectification.state, rectification.view) == (RectificationState.CLOSED, 3)
    assert rectification.handled_by == head
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rectification.call_back", "rectification.rectify", "rectification.view"} <= actions
    assert Message.objects.filter(user=world.citizen, kind="rectification").count() == 3


def test_a_step_out_of_order_is_refused(world: World, concluded: Case, head: User) -> None:
    rectification = rate_badly(world, concluded)
    page = f"/feedback/rectifications/{rectification.pk}/"
    answer = login(head).post(page, {"action": "rectify", "fix": "增开窗口"})
    assert answer.status_code == 409
    citizen_view = login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "view", "view": 4}
    )
    assert citizen_view.status_code == 409
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN


def test_an_empty_call_back_note_is_refused_with_a_message(
    world: World, concluded: Case, head: User
) -> None:
    rectification = rate_badly(world, concluded)
    answer = login(head).post(
        f"/feedback/rectifications/{rectification.pk}/", {"action": "call_back", "note": " "}
    )
    assert answer.status_code == 422
    assert "what the rater said" in answer.content.decode()


@pytest.mark.parametrize("who", ["other_head", "chief", "citizen"])
def test_outsiders_cannot_work_the_rectification(
    world: World, concluded: Case, other_head: User, who: str
) -> None:
    rectification = rate_badly(world, concluded)
    user = other_head if who == "other_head" else getattr(world, who)
    client = login(user)
    page = f"/feedback/rectifications/{rectification.pk}/"
    expected = 404 if who == "other_head" else 403
    assert client.get(page).status_code == expected
    assert client.post(page, {"action": "call_back", "note": "x"}).status_code == expected
    listing = client.get("/feedback/rectifications/")
    assert listing.status_code == (200 if who == "other_head" else 403)
    assert concluded.number not in listing.content.decode()
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN
