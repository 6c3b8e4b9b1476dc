"""The signed SMS rating link: texted once per concluded case, works once, expires."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from cases.models import Case
from cases.tests.conftest import World, submit
from feedback.models import Rating, RatingChannel
from feedback.services import rating_links_send_due
from hall.models import OutboxMessage


def visitor() -> Client:
    """Someone holding the texted link, not logged in, reading English pages."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# The case's other texts (received, concluded) are queued too: the rating link is the one here.
LINK = "/feedback/r/"


def texted_path(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        assert rating_links_send_due() == 1
    text = OutboxMessage.objects.get(text__contains=LINK).text
    return text[text.index(LINK) :]


def test_a_newly_concluded_case_gets_one_text_with_a_link(
    world: World,
    concluded: Case,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    submit(world, key="still-running")
    path = texted_path(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(text__contains=LINK)
    assert message.mobile == "13800000001"
    assert concluded.number in message.text
    assert path.startswith(LINK)
    assert rating_links_send_due() == 0
    assert OutboxMessage.objects.filter(text__contains=LINK).count() == 1


def test_the_link_rates_without_logging_in_and_only_once(
    world: World,
    concluded: Case,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    path = texted_path(django_capture_on_commit_callbacks)
    anonymous = visitor()
    assert "Send the rating" in anonymous.get(path).content.decode()
    answer = anonymous.post(path, {"level": 5})
    assert answer.status_code == 200
    assert "Thank you for your rating" in answer.content.decode()
    rating = Rating.objects.get(case=concluded)
    assert (rating.channel, rating.rater) == (RatingChannel.SMS, None)
    reused = anonymous.post(path, {"level": 1})
    assert reused.status_code == 409
    assert "already been used" in reused.content.decode()
    assert Rating.objects.count() == 1


def test_an_expired_link_is_refused(
    world: World,
    concluded: Case,
    frozen: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    path = texted_path(django_capture_on_commit_callbacks)
    frozen.shift(dt.timedelta(days=7, seconds=1))
    answer = visitor().post(path, {"level": 1})
    assert answer.status_code == 409
    assert "expired" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_tampered_link_is_refused(
    world: World,
    concluded: Case,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    path = texted_path(django_capture_on_commit_callbacks)
    token = path.split("/")[3]
    forged = str(int(token.split(":")[0]) + 1) + token[token.index(":") :]
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        assert Client().post(f"/feedback/r/{bad}/", {"level": 1}).status_code == 404
    assert not Rating.objects.exists()
