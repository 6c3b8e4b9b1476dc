"""A bad rating on the counter pad opens a rectification like an online one; its rater, known by
the ticket's mobile or not at all, is called back (or recorded as no contact) and judges the fix
through a texted link that works once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import World, login
from feedback.models import (
    CallBackOutcome,
    Rectification,
    RectificationState,
    ViewSource,
)
from feedback.rules import rectifications_late
from feedback.tests.conftest import Hall, pad_post, serve
from hall.models import OutboxMessage, PadRating
from supervision.models import Rule, Violation
from supervision.services import violations_detect
from workdays.selectors import calendar_current

MOBILE = "13900000002"


def visitor() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_bad_pad_rating_opens_exactly_one_rectification(world: World, hall: Hall) -> None:
    ticket = serve(hall, mobile=MOBILE)
    assert pad_post(hall, ticket, 2) == 201
    assert pad_post(hall, ticket, 1) == 409
    rectification = Rectification.objects.get()
    assert rectification.pad_rating == PadRating.objects.get(ticket=ticket)
    assert rectification.rating is None
    assert rectification.real_name
    assert rectification.department_id == hall.floor.business.department_id
    assert rectification.call_back_due == dt.date(2026, 9, 29)
    assert AuditEntry.objects.filter(action="rectification.open").count() == 1


def test_a_good_pad_rating_opens_no_rectification(world: World, hall: Hall) -> None:
    assert pad_post(hall, serve(hall), 3) == 201
    assert PadRating.objects.count() == 1
    assert not Rectification.objects.exists()


def test_the_pad_takes_the_optional_indicators_once(world: World, hall: Hall) -> None:
    ticket = serve(hall)
    pad_post(hall, ticket, 4)
    client = login(hall.floor.clerks[0])
    url = f"/hall/pad/{hall.floor.counters[0].pk}/indicators/"
    answer = client.post(url, {"ticket": ticket.pk, "efficiency": 5, "attitude": 3})
    assert answer.status_code == 200
    rating = PadRating.objects.get()
    assert (rating.efficiency, rating.service_level, rating.attitude) == (5, None, 3)
    assert client.post(url, {"ticket": ticket.pk, "efficiency": 1}).status_code == 409
    assert client.post(url, {"ticket": ticket.pk, "attitude": 9}).status_code == 409
    rating.refresh_from_db()
    assert rating.efficiency == 5


def test_indicators_for_a_service_not_rated_here_are_refused(world: World, hall: Hall) -> None:
    ticket = serve(hall)
    client = login(hall.floor.clerks[0])
    url = f"/hall/pad/{hall.floor.counters[0].pk}/indicators/"
    assert client.post(url, {"ticket": ticket.pk, "efficiency": 5}).status_code == 404
    assert client.post(url, {"ticket": "x"}).status_code == 404


def test_a_real_name_pad_rating_is_called_back_and_judged_through_the_texted_link(
    world: World, hall: Hall, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    ticket = serve(hall, mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        pad_post(hall, ticket, 1)
    assert "call you back" in OutboxMessage.objects.get(mobile=MOBILE).text
    rectification = Rectification.objects.get()
    page = f"/feedback/rectifications/{rectification.pk}/"
    head = login(hall.head)
    shown = head.get(page).content.decode()
    assert "139****0002" in shown and MOBILE not in shown
    assert "A real-name rating must be called back" in shown
    # "No contact" is not an answer for a rater who left a number.
    assert head.post(page, {"action": "no_contact"}).status_code == 409
    assert head.post(page, {"action": "call_back", "note": ""}).status_code == 422
    assert head.post(page, {"action": "call_back", "note": "已致电, 等候太久"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert head.post(page, {"action": "rectify", "fix": "高峰期增开窗口"}).status_code == 302
    text = OutboxMessage.objects.filter(mobile=MOBILE).latest("pk").text
    link = text[text.index("/feedback/v/") :]
    form = visitor().get(link)
    assert form.status_code == 200 and "高峰期增开窗口" in form.content.decode()
    assert visitor().post(link, {"view": 9}).status_code == 422
    assert visitor().post(link, {"view": 4}).status_code == 200
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    assert (rectification.view, rectification.view_source) == (4, ViewSource.LINK)
    assert rectification.call_back_outcome == CallBackOutcome.REACHED
    again = visitor().post(link, {"view": 2})
    assert again.status_code == 409
    assert "already been used" in again.content.decode()
    rectification.refresh_from_db()
    assert rectification.view == 4


def test_a_tampered_or_expired_view_link_is_refused(
    world: World,
    hall: Hall,
    frozen: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    ticket = serve(hall, mobile=MOBILE)
    pad_post(hall, ticket, 2)
    rectification = Rectification.objects.get()
    head = login(hall.head)
    page = f"/feedback/rectifications/{rectification.pk}/"
    head.post(page, {"action": "call_back", "note": "已回访"})
    with django_capture_on_commit_callbacks(execute=True):
        head.post(page, {"action": "rectify", "fix": "已整改"})
    text = OutboxMessage.objects.filter(mobile=MOBILE).latest("pk").text
    link = text[text.index("/feedback/v/") :]
    assert visitor().get(link[:-3] + "abc/").status_code == 404
    frozen.shift(dt.timedelta(days=8))
    expired = visitor().post(link, {"view": 4})
    assert expired.status_code == 409
    assert "expired" in expired.content.decode()
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.RECTIFIED


def test_an_anonymous_pad_rating_records_no_contact_and_closes_without_a_view(
    world: World, hall: Hall
) -> None:
    pad_post(hall, serve(hall), 1)
    rectification = Rectification.objects.get()
    assert not rectification.real_name
    page = f"/feedback/rectifications/{rectification.pk}/"
    head = login(hall.head)
    assert "The rating is anonymous" in head.get(page).content.decode()
    assert head.post(page, {"action": "call_back", "note": "?"}).status_code == 409
    assert head.post(page, {"action": "no_contact"}).status_code == 302
    assert head.post(page, {"action": "view", "view": 4}).status_code == 409
    assert head.post(page, {"action": "rectify", "fix": "加强培训"}).status_code == 302
    assert head.post(page, {"action": "view", "view": 4}).status_code == 409
    assert head.post(page, {"action": "close"}).status_code == 302
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    assert rectification.call_back_outcome == CallBackOutcome.NO_CONTACT
    assert rectification.view is None
    assert not OutboxMessage.objects.exists()


def test_a_real_name_rectification_closes_only_with_the_raters_view(
    world: World, hall: Hall
) -> None:
    pad_post(hall, serve(hall, mobile=MOBILE), 2)
    rectification = Rectification.objects.get()
    page = f"/feedback/rectifications/{rectification.pk}/"
    head = login(hall.head)
    assert head.post(page, {"action": "close"}).status_code == 409
    head.post(page, {"action": "call_back", "note": "已回访"})
    head.post(page, {"action": "rectify", "fix": "已整改"})
    assert head.post(page, {"action": "close"}).status_code == 409
    # The rater gave the view on the phone.
    assert head.post(page, {"action": "view", "view": 3}).status_code == 302
    rectification.refresh_from_db()
    assert (rectification.state, rectification.view_source) == (
        RectificationState.CLOSED,
        ViewSource.PHONE,
    )


def test_another_departments_head_and_a_clerk_cannot_work_the_rectification(
    world: World, hall: Hall
) -> None:
    pad_post(hall, serve(hall), 1)
    rectification = Rectification.objects.get()
    page = f"/feedback/rectifications/{rectification.pk}/"
    assert login(hall.outsider_head).get(page).status_code == 404
    assert login(hall.floor.clerks[0]).get(page).status_code == 403
    assert login(world.citizen).post(page, {"action": "no_contact"}).status_code == 403
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN


def test_a_late_pad_rectification_is_a_violation_about_its_ticket(
    world: World, hall: Hall, frozen: time_machine.Traveller
) -> None:
    ticket = serve(hall)
    pad_post(hall, ticket, 1)
    rectification = Rectification.objects.get()
    center = hall.floor.center
    assert rectifications_late(center, dt.date(2026, 9, 29), calendar_current()) == []
    findings = rectifications_late(center, dt.date(2026, 9, 30), calendar_current())
    assert len(findings) == 1
    finding = findings[0]
    assert finding.rule == Rule.RECTIFICATION_LATE
    assert finding.case_id is None
    assert finding.subject == f"R{rectification.pk} B001 2026-09-28"
    assert finding.person_id == hall.floor.clerks[0].pk
    assert "Call back was due 2026-09-29" in finding.detail
    late = rectifications_late(
        center, rectification.rectify_due + dt.timedelta(days=1), calendar_current()
    )
    assert "Rectification was due" in late[0].detail


def test_the_supervision_sweep_records_late_rectifications_once(
    world: World, hall: Hall, concluded: Case, frozen: time_machine.Traveller
) -> None:
    pad_post(hall, serve(hall), 1)
    login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 2}
    )
    frozen.shift(dt.timedelta(days=2))
    found = violations_detect()
    late = [v for v in found if v.rule == Rule.RECTIFICATION_LATE]
    assert len(late) == 2
    assert {v.case_id for v in late} == {None, concluded.pk}
    assert not [v for v in violations_detect() if v.rule == Rule.RECTIFICATION_LATE]
    assert Violation.objects.filter(rule=Rule.RECTIFICATION_LATE).count() == 2
