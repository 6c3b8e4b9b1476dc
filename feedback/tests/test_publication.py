"""The center's public figures (好差评公示): ratings, satisfaction, rectification, complaints."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from cases.tests.conftest import World, person
from feedback.stats import period_parse, public_figures
from feedback.tests.test_stats import Rated, rated
from workorders.models import Channel, Kind, WorkOrder
from workorders.services import (
    WorkOrderInput,
    work_order_conclude,
    work_order_dispatch,
    work_order_handle,
    work_order_receive,
    work_order_reply,
    work_order_sign,
)

__all__ = ["rated"]


def visitor() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def complain(world: World, kind: str = Kind.COMPLAINT) -> WorkOrder:
    received = work_order_receive(
        center=world.center,
        given=WorkOrderInput(
            kind=kind, channel=Channel.ONLINE, content="窗口排队太久", anonymous=True
        ),
        actor=None,
    )
    return received.work_order


def conclude(world: World, order: WorkOrder, manager: User, head: User) -> None:
    department = world.instant.department
    order = work_order_dispatch(work_order=order, actor=manager, department=department)
    order = work_order_sign(work_order=order, actor=head)
    order = work_order_handle(work_order=order, actor=head)
    order = work_order_reply(work_order=order, actor=head, reply="已增开窗口")
    work_order_conclude(work_order=order, actor=manager)


def test_the_figures_of_a_period_count_ratings_rectifications_and_complaints(
    rated: Rated,
) -> None:
    world = rated.world
    manager = person(world, "manager", Role.HALL_MANAGER)
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    conclude(world, complain(world), manager, head)
    complain(world)
    complain(world, Kind.SUGGESTION)
    figures = public_figures(
        center=world.center, period=period_parse("2026-09"), today=dt.date(2026, 10, 30)
    )
    assert (figures.ratings, figures.bad) == (6, 2)
    assert round(figures.satisfaction_rate or 0, 1) == 66.7
    # Two bad ratings, neither put right by the end of October.
    assert figures.rectification_rate == 0.0
    assert (figures.complaints, figures.complaints_concluded) == (2, 1)
    assert figures.complaints_on_time_rate == 100.0
    assert figures.until == dt.date(2026, 9, 30)


def test_the_public_page_shows_this_month_quarter_and_year_to_anyone(
    rated: Rated, frozen: time_machine.Traveller
) -> None:
    frozen.move_to("2026-10-20T02:00:00Z")
    page = visitor().get(f"/feedback/figures/{rated.world.center.slug}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Service ratings and complaints" in text
    # This month and quarter: the one rating of 1 October; this year: all seven.
    assert "2026-10-01 – 2026-10-20" in text
    assert "2026-01-01 – 2026-10-20" in text
    assert "<strong>7</strong>" in text
    assert "<strong>1</strong>" in text
    assert "71.4%" in text  # five of seven satisfied this year


def test_the_public_page_is_cached_like_the_public_site(world: World) -> None:
    path = f"/feedback/figures/{world.center.slug}/"
    client = visitor()
    assert client.get(path)["X-Cache"] == "miss"
    assert client.get(path)["X-Cache"] == "hit"


def test_an_unknown_center_is_not_found(world: World) -> None:
    assert visitor().get("/feedback/figures/nowhere/").status_code == 404
    assert visitor().get("/api/v1/feedback/figures", {"center": "nowhere"}).status_code == 404


def test_the_public_api_gives_the_same_figures(rated: Rated) -> None:
    world = rated.world
    answer = visitor().get("/api/v1/feedback/figures", {"center": world.center.slug})
    assert answer.status_code == 200
    periods = answer.json()
    assert [each["period"] for each in periods] == ["2026-09", "2026-Q3", "2026"]
    assert periods[0]["ratings"] == 6
    assert periods[0]["until"] == "2026-09-28"
    one = visitor().get(
        "/api/v1/feedback/figures", {"center": world.center.slug, "period": "2026-10"}
    )
    assert [(each["period"], each["ratings"]) for each in one.json()] == [("2026-10", 1)]
    refused = visitor().get("/api/v1/feedback/figures", {"period": "2026-Q9"})
    assert refused.status_code == 422
    assert "2026-Q4" in refused.json()["message"]


def test_the_public_home_links_to_the_figures(world: World) -> None:
    home = visitor().get(f"/c/{world.center.slug}/").content.decode()
    assert f'href="/feedback/figures/{world.center.slug}/"' in home
