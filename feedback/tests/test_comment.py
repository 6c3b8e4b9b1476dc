"""The public comment form (channel "comment"): anyone rates an item and its department, or a
case by its number and the applicant's ID's last four characters, once; throttled."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from cases.models import Case
from cases.tests.conftest import ID_NUMBER, World
from feedback.models import Rating, RatingChannel, Rectification


def visitor() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post(
    world: World,
    data: dict[str, object] | None = None,
    *,
    client: Client | None = None,
    **more: object,
) -> tuple[int, str]:
    fields: dict[str, object] = {
        "item": world.instant.implementation_code,
        "level": 4,
        **(data or {}),
        **more,
    }
    answer = (client or visitor()).post(f"/feedback/c/{world.center.slug}/comment/", fields)
    return answer.status_code, answer.content.decode()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def test_anyone_rates_an_item_and_its_department(world: World) -> None:
    page = visitor().get(
        f"/feedback/c/{world.center.slug}/comment/", {"item": world.instant.implementation_code}
    )
    assert page.status_code == 200
    assert world.instant.name in page.content.decode()
    status, body = post(world, comment="指南清楚", efficiency=5)
    assert status == 200 and "Thank you for your rating." in body
    rating = Rating.objects.get()
    assert (rating.channel, rating.case, rating.item_id) == (
        RatingChannel.COMMENT,
        None,
        world.instant.pk,
    )
    assert rating.department_id == world.instant.department_id
    assert rating.efficiency == 5


def test_the_item_page_and_the_footer_link_to_the_form(world: World) -> None:
    page = visitor().get(f"/c/{world.center.slug}/items/{world.instant.implementation_code}/")
    assert f"/feedback/c/{world.center.slug}/comment/?item=" in page.content.decode()


def test_a_case_is_rated_once_through_the_comment_channel(world: World, concluded: Case) -> None:
    tail = ID_NUMBER[-4:]
    assert post(world, case_number=concluded.number, id_tail=tail, level=2)[0] == 200
    rating = Rating.objects.get()
    assert (rating.case, rating.channel) == (concluded, RatingChannel.COMMENT)
    rectification = Rectification.objects.get()
    assert rectification.real_name  # the case's applicant is known
    status, body = post(world, case_number=concluded.number, id_tail=tail, level=5)
    assert status == 409
    assert "already been rated through this channel" in body
    assert Rating.objects.count() == 1


def test_a_wrong_tail_or_item_is_refused_with_a_message(world: World, concluded: Case) -> None:
    status, body = post(world, case_number=concluded.number, id_tail="0000")
    assert status == 422 and "No case has this number" in body
    status, body = post(world, case_number=concluded.number, id_tail="12")
    assert status == 422 and "last four characters" in body
    status, body = post(
        world,
        item=world.other_item.implementation_code,
        case_number=concluded.number,
        id_tail=ID_NUMBER[-4:],
    )
    assert status == 422 and "not of the item you chose" in body
    status, body = post(world, item="nothing")
    assert status == 422 and "Choose the service item" in body
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "李四"}, "Give a mobile number with your name"),
        ({"name": "李四", "mobile": "12345"}, "A mobile number has 11 digits"),
        ({"level": 0}, "Choose one of the five levels"),
        ({"convenience": 7}, "Choose one of the five levels, or leave it blank"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    world: World, data: dict[str, object], message: str
) -> None:
    status, body = post(world, data)
    assert status == 422
    assert message in body
    assert not Rating.objects.exists()


def test_a_real_name_bad_comment_opens_a_rectification_to_call_back(world: World) -> None:
    assert post(world, level=1, name="李四", mobile="13700000003")[0] == 200
    rectification = Rectification.objects.get()
    assert rectification.real_name
    assert rectification.department_id == world.instant.department_id
    assert post(world, level=1)[0] == 200
    assert Rectification.objects.filter(real_name=False).count() == 1


def test_the_form_is_throttled_per_address(world: World) -> None:
    client = visitor()
    for _ in range(10):
        assert post(world, client=client)[0] == 200
    status, body = post(world, client=client)
    assert status == 429 and "Too many ratings" in body
    assert Rating.objects.count() == 10


def test_an_unknown_center_is_404(world: World) -> None:
    assert visitor().get("/feedback/c/nowhere/comment/").status_code == 404
