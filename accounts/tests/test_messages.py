"""The site message box: sending, reading, the page, the header count and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from accounts.models import Message, User
from accounts.selectors import messages_for, unread_count
from accounts.services import message_mark_read, message_send, messages_mark_all_read
from portal.context_processors import ELDER_COOKIE

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner() -> User:
    return User.objects.create_user(username="owner", password="password")


@pytest.fixture
def outsider() -> User:
    return User.objects.create_user(username="outsider", password="password")


def login(user: User, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def send(user: User, subject: str = "Case GH1: accepted.", link: str = "/cases/GH1/") -> Message:
    return message_send(user=user, subject=subject, link=link, kind="case.status")


# --- services and selectors ------------------------------------------------------------------


def test_a_sent_message_is_unread_and_listed_newest_first(
    owner: User, frozen: time_machine.Traveller
) -> None:
    first = send(owner, "first")
    frozen.shift(60)
    second = send(owner, "second")
    assert list(messages_for(owner)) == [second, first]
    assert unread_count(owner) == 2
    assert first.created_at == NOON
    assert first.read_at is None


def test_a_long_subject_is_shortened_and_kept_whole_in_the_body(owner: User) -> None:
    text = "办件状态变更。" * 60
    message = message_send(user=owner, subject=text)
    assert len(message.subject) == 200
    assert message.subject.endswith("…")
    assert message.body == text


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "cases/GH1/"])
def test_a_link_off_the_site_is_refused(owner: User, link: str) -> None:
    with pytest.raises(ValidationError):
        send(owner, link=link)
    assert not Message.objects.exists()


def test_reading_twice_keeps_the_first_reading_time(
    owner: User, frozen: time_machine.Traveller
) -> None:
    message = send(owner)
    assert message_mark_read(user=owner, message_id=message.pk).read_at == NOON
    frozen.shift(3600)
    assert message_mark_read(user=owner, message_id=message.pk).read_at == NOON
    assert unread_count(owner) == 0


@pytest.mark.parametrize("message_id", [0, 10**30])
def test_a_message_number_that_cannot_exist_is_not_found(owner: User, message_id: int) -> None:
    with pytest.raises(Http404):
        message_mark_read(user=owner, message_id=message_id)


def test_an_outsider_cannot_mark_another_users_message_read(owner: User, outsider: User) -> None:
    message = send(owner)
    with pytest.raises(Http404):
        message_mark_read(user=outsider, message_id=message.pk)
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read_touches_only_the_users_own_messages(owner: User, outsider: User) -> None:
    send(owner)
    send(owner)
    send(outsider)
    assert messages_mark_all_read(user=owner) == 2
    assert unread_count(owner) == 0
    assert unread_count(outsider) == 1


# --- pages -----------------------------------------------------------------------------------


def test_the_message_box_needs_a_log_in(client: Client) -> None:
    response = client.get("/accounts/messages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_message_box_shows_the_users_messages_and_no_one_elses(
    owner: User, outsider: User
) -> None:
    send(owner, "Your licence is ready.")
    send(outsider, "Outsider's refund is ready.")
    page = login(owner).get("/accounts/messages/").content.decode()
    assert "Your licence is ready." in page
    assert "Outsider" not in page
    assert "1 unread message" in page
    assert "Messages (1)" in page


def test_the_header_count_falls_as_messages_are_opened(owner: User) -> None:
    message = send(owner)
    send(owner, link="")
    client = login(owner)
    assert "Messages (2)" in client.get("/accounts/messages/").content.decode()
    client.post(f"/accounts/messages/{message.pk}/open/")
    assert "Messages (1)" in client.get("/accounts/messages/").content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link(owner: User) -> None:
    message = send(owner, link="/cases/GH1/")
    response = login(owner).post(f"/accounts/messages/{message.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/GH1/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_a_message_without_link_is_marked_read_in_the_box(owner: User) -> None:
    message = send(owner, link="")
    client = login(owner)
    assert "Mark as read" in client.get("/accounts/messages/").content.decode()
    response = client.post(f"/accounts/messages/{message.pk}/open/")
    assert response["Location"] == "/accounts/messages/"
    assert unread_count(owner) == 0


def test_opening_takes_a_post_with_its_csrf_token(owner: User) -> None:
    message = send(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(f"/accounts/messages/{message.pk}/open/").status_code == 405
    assert client.post(f"/accounts/messages/{message.pk}/open/").status_code == 403
    assert unread_count(owner) == 1


def test_an_outsider_opening_a_message_gets_not_found(owner: User, outsider: User) -> None:
    message = send(owner)
    assert login(outsider).post(f"/accounts/messages/{message.pk}/open/").status_code == 404
    assert login(outsider).post("/accounts/messages/99999999999999999999/open/").status_code == 404
    assert unread_count(owner) == 1


def test_mark_all_read_on_the_page(owner: User, outsider: User) -> None:
    send(owner)
    send(outsider)
    client = login(owner)
    assert "Mark all read" in client.get("/accounts/messages/").content.decode()
    response = client.post("/accounts/messages/read-all/")
    assert response["Location"] == "/accounts/messages/"
    page = client.get("/accounts/messages/").content.decode()
    assert "Mark all read" not in page
    assert "Messages (0)" in page
    assert unread_count(outsider) == 1


def test_the_message_box_is_paginated(owner: User) -> None:
    for number in range(settings.GOVHALL_ITEMS_PER_PAGE + 5):
        send(owner, f"message {number:02d}")
    client = login(owner)
    first = client.get("/accounts/messages/").content.decode()
    second = client.get("/accounts/messages/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert "message 00" not in first
    assert "message 00" in second
    assert client.get("/accounts/messages/", {"page": "x"}).status_code == 200


def test_the_message_box_renders_in_elder_mode_and_chinese(owner: User) -> None:
    send(owner, "您的执照已可领取。")
    client = login(owner, language="zh-hans")
    client.cookies[ELDER_COOKIE] = "1"
    page = client.get("/accounts/messages/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'class="elder' in page
    assert "您的执照已可领取。" in page
    assert "accounts/messages.css" in page


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_the_users_messages_with_the_unread_count(
    owner: User, outsider: User
) -> None:
    read = send(owner, "read one")
    message_mark_read(user=owner, message_id=read.pk)
    send(owner, "unread one")
    send(outsider, "not yours")
    body = login(owner).get("/api/v1/messages").json()
    assert (body["count"], body["unread"], body["page"], body["pages"]) == (2, 1, 1, 1)
    assert [row["subject"] for row in body["results"]] == ["unread one", "read one"]
    assert body["results"][0]["link"] == "/cases/GH1/"
    assert body["results"][0]["kind"] == "case.status"


def test_the_api_pages_the_list(owner: User) -> None:
    for number in range(settings.GOVHALL_ITEMS_PER_PAGE + 1):
        send(owner, f"message {number}")
    body = login(owner).get("/api/v1/messages", {"page": 2}).json()
    assert (body["count"], body["pages"], len(body["results"])) == (21, 2, 1)
    assert body["results"][0]["subject"] == "message 0"


def test_the_api_marks_a_message_read(owner: User) -> None:
    message = send(owner)
    response = login(owner).post(f"/api/v1/messages/{message.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert unread_count(owner) == 0


def test_the_api_refuses_outsiders_and_strangers(
    client: Client, owner: User, outsider: User
) -> None:
    message = send(owner)
    assert client.get("/api/v1/messages").status_code == 401
    assert client.post(f"/api/v1/messages/{message.pk}/read").status_code == 401
    response = login(outsider).post(f"/api/v1/messages/{message.pk}/read")
    assert response.status_code == 404
    assert response.json()["message"]
    assert login(outsider).get("/api/v1/messages").json()["count"] == 0
    assert unread_count(owner) == 1


def test_the_api_marks_read_only_with_the_csrf_token(owner: User) -> None:
    message = send(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(f"/api/v1/messages/{message.pk}/read").status_code == 403
    assert unread_count(owner) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/messages?page=0"),
        ("get", "/api/v1/messages?page=x"),
        ("post", "/api/v1/messages/0/read"),
        ("post", f"/api/v1/messages/{2**70}/read"),
    ],
)
def test_the_api_answers_bad_input_with_422(owner: User, method: str, path: str) -> None:
    response = getattr(login(owner), method)(path)
    assert response.status_code == 422
    assert response.json()["message"]
