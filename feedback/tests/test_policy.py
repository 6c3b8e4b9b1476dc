"""A center's feedback policy sets its call-back and rectification days and its rating window;
a center without one has the defaults."""

from __future__ import annotations

import datetime as dt

import time_machine

from cases.models import Case
from cases.tests.conftest import World, login
from feedback.models import FeedbackPolicy, Rectification
from feedback.selectors import feedback_policy_for


def test_a_center_without_a_policy_has_the_defaults(world: World) -> None:
    policy = feedback_policy_for(world.center.pk)
    assert (policy.call_back_days, policy.rectification_days, policy.rating_window_days) == (
        1,
        5,
        30,
    )


def test_the_centers_policy_sets_the_deadlines(world: World, concluded: Case) -> None:
    FeedbackPolicy.objects.create(center=world.center, call_back_days=2, rectification_days=15)
    login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 1}
    )
    rectification = Rectification.objects.get()
    # Monday 28 September 2026: two working days is the 30th; fifteen run past National Day
    # (1-7 October off) and count the make-up Saturday of 10 October.
    assert rectification.call_back_due == dt.date(2026, 9, 30)
    assert rectification.rectify_due == dt.date(2026, 10, 23)


def test_the_centers_rating_window_holds(
    world: World, concluded: Case, frozen: time_machine.Traveller
) -> None:
    FeedbackPolicy.objects.create(center=world.center, rating_window_days=10)
    frozen.shift(dt.timedelta(days=11))
    answer = login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 4}
    )
    assert answer.status_code == 409
    assert "open for 10 days" in answer.content.decode()
