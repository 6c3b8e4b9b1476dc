"""Behind nginx or a load balancer, govhall sees the client's address, and only a trusted proxy
can tell it."""

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from govhall.proxy import ForwardedClientMiddleware


def _client_address(peer: str, forwarded: str | None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    ForwardedClientMiddleware(view)(request)
    return seen[0]


@pytest.fixture(autouse=True)
def _proxies(settings: Any) -> None:
    settings.GOVHALL_TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.1.0.0/24"]


def test_nginx_on_this_machine_names_the_client() -> None:
    assert _client_address("127.0.0.1", "203.0.113.7") == "203.0.113.7"


def test_a_load_balancer_and_nginx_are_both_passed_over() -> None:
    assert _client_address("127.0.0.1", "198.51.100.4, 10.1.0.9") == "198.51.100.4"


def test_what_the_client_wrote_itself_is_not_believed() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it came from.
    assert _client_address("127.0.0.1", "1.2.3.4, 198.51.100.4") == "198.51.100.4"


def test_a_client_talking_to_gunicorn_directly_cannot_choose_its_address() -> None:
    assert _client_address("198.51.100.4", "127.0.0.1") == "198.51.100.4"


def test_a_unix_socket_counts_as_this_machine() -> None:
    assert _client_address("", "203.0.113.7") == "203.0.113.7"


def test_a_garbled_header_leaves_the_last_address_that_made_sense() -> None:
    assert _client_address("127.0.0.1", "not-an-address") == "127.0.0.1"
    assert _client_address("127.0.0.1", "<script>, 10.1.0.9") == "10.1.0.9"


def test_without_the_header_nothing_changes() -> None:
    assert _client_address("127.0.0.1", None) == "127.0.0.1"


def test_a_star_trusts_every_sender(settings: Any) -> None:
    settings.GOVHALL_TRUSTED_PROXIES = ["*"]
    assert _client_address("198.51.100.4", "203.0.113.7, 10.9.9.9") == "203.0.113.7"
