"""Online ratings of concluded cases (一事一评)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Case
from cases.tests.conftest import World, login, submit
from feedback.models import Level, Rating, RatingChannel


def rate(world: World, case: Case, **data: object) -> int:
    answer = login(world.citizen).post(
        f"/feedback/cases/{case.number}/", {"action": "rate", "level": 4, **data}
    )
    return answer.status_code


def test_the_applicant_rates_a_concluded_case_and_the_rating_keeps_who_served(
    world: World, concluded: Case
) -> None:
    assert rate(world, concluded, efficiency=5, convenience="", comment=" 很快 ") == 302
    rating = Rating.objects.get(case=concluded)
    assert (rating.channel, rating.level, rating.comment) == ("online", 4, "很快")
    assert (rating.efficiency, rating.convenience) == (5, None)
    assert rating.item_id == world.instant.pk
    assert rating.department_id == world.instant.department_id
    assert rating.staff_id == world.chief.pk
    assert not hasattr(rating, "rectification")


def test_the_case_page_links_the_applicant_to_the_rating(world: World, concluded: Case) -> None:
    page = login(world.citizen).get(f"/cases/{concluded.number}/")
    assert "Rate this service" in page.content.decode()


def test_a_second_rating_of_the_same_case_is_refused(world: World, concluded: Case) -> None:
    assert rate(world, concluded) == 302
    assert rate(world, concluded, level=1) == 409
    assert Rating.objects.get(case=concluded).level == Level.SATISFIED


def test_a_case_that_has_not_concluded_cannot_be_rated(world: World) -> None:
    case = submit(world)
    assert rate(world, case) == 409
    assert not Rating.objects.exists()


def test_someone_else_cannot_rate_or_see_the_case(world: World, concluded: Case) -> None:
    for user in (world.neighbour, world.chief):
        client = login(user)
        assert client.get(f"/feedback/cases/{concluded.number}/").status_code == 404
        answer = client.post(f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 1})
        assert answer.status_code == 404
    assert not Rating.objects.exists()


def test_a_rating_after_the_window_is_refused(
    world: World, concluded: Case, frozen: time_machine.Traveller, settings: object
) -> None:
    frozen.shift(dt.timedelta(days=31))
    assert rate(world, concluded) == 409
    setattr(settings, "GOVHALL_RATING_WINDOW_DAYS", 60)  # noqa: B010 -- pytest-django's object
    assert rate(world, concluded) == 302


@pytest.mark.parametrize("data", [{"level": 9}, {"level": "x"}, {"efficiency": 0}])
def test_a_rating_with_a_bad_level_is_refused_with_a_message(
    world: World, concluded: Case, data: dict[str, object]
) -> None:
    answer = login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 4, **data}
    )
    assert answer.status_code == 422
    assert "Choose one of the five levels" in answer.content.decode()
    assert not Rating.objects.filter(channel=RatingChannel.ONLINE).exists()
