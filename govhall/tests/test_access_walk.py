"""The access walk: every URL pattern and API operation, with every role, against the table.

The table (access_table.py) declares who may do what; this test finds every pattern and operation
the code has, fails on one the table does not list (or one it lists that is gone), requests each
with each role, and fails on every answer that differs from the table or lacks the security
headers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.http import urlencode

from accounts.roles import Role
from catalog.tests.factories import make_center, make_staff, make_user
from govhall.api import api
from govhall.tests.access_table import (
    ADMIN_MODELS,
    ADMIN_SITE_VIEWS,
    API,
    PAGES,
    Access,
)
from govhall.tests.access_world import ROLES, AccessWorld, access_world_build

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

# A Tuesday morning in Beijing: the hall is open, the case clock runs.
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ADMIN_MODEL_VIEW = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>[a-z_]+)$")
# Answers that say the request passed the access checks: a page, a redirect elsewhere than the
# log-in, or a refusal of the (empty) input or of the object's state.
ALLOWED = {200, 201, 204, 302, 400, 409, 422, 429}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _patterns() -> dict[str, str]:
    """Every named URL pattern outside the admin and the API, by name, with its route."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(("admin/", "api/")):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def _admin_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name:
                names.add(f"admin:{pattern.name}")

    walk(admin.site.urls[0])
    return names


def _operations() -> dict[str, tuple[str, str]]:
    """Every API operation by its id: (method, path with {parameters})."""
    schema = api.get_openapi_schema()
    return {
        operation["operationId"]: (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def test_the_table_lists_every_page_and_operation_and_nothing_else() -> None:
    pages, operations = _patterns(), _operations()
    assert sorted(set(pages) - set(PAGES)) == [], "pages the table does not list"
    assert sorted(set(PAGES) - set(pages)) == [], "pages the table lists that are gone"
    assert sorted(set(operations) - set(API)) == [], "API operations the table does not list"
    assert sorted(set(API) - set(operations)) == [], "API operations the table lists that are gone"
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert sorted(registered ^ set(ADMIN_MODELS)) == [], "admin models unlike the table's"
    unknown = []
    for name in _admin_names():
        match = ADMIN_MODEL_VIEW.match(name)
        if match and f"{match['app']}.{match['model']}" in ADMIN_MODELS:
            continue
        if name not in ADMIN_SITE_VIEWS:
            unknown.append(name)
    assert sorted(unknown) == [], "admin pages that belong to no model the table lists"


def _expectation(role: str, allowed: frozenset[str], access: Access, *, api_call: bool) -> str:
    if role in allowed:
        return "allowed"
    if access.to_login:
        return "login"
    if role == "anonymous":
        if api_call:
            return "401"
        return "login" if access.login else "refused"
    if access.owned and role in access.outsiders:
        return "404"
    # The API answers a session its authentication does not accept (a citizen's, where staff
    # is needed) 401, like an anonymous caller.
    return "refused by the API" if api_call else "refused"


# Headers every answer carries, whoever asks and whatever the answer.
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


def _verdict(response: TestResponse, *, login_url: str) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status} (a server error)"
    missing = [header for header in SECURITY_HEADERS if header not in response.headers]
    if missing:
        return f"{status} without {', '.join(missing)}"
    if status in (301, 302) and response["Location"].startswith(login_url):
        return "login"
    if status in ALLOWED:
        return "allowed"
    return str(status)


def _agrees(expected: str, verdict: str) -> bool:
    if expected == "refused":
        return verdict in ("403", "404")
    if expected == "refused by the API":
        return verdict in ("401", "403", "404")
    return expected == verdict


def _clients(world: AccessWorld) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    for client in clients.values():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return clients


def _walk(
    world: AccessWorld, clients: dict[str, Client], method: str
) -> Iterator[tuple[str, str, str, str]]:
    """(what, role, expected, verdict) of every request of `method` the tables declare."""
    for name, access in sorted(PAGES.items()):
        allowed = access.get if method == "GET" else access.post
        if allowed is None:
            continue
        url = reverse(name, kwargs=world.kwargs.get(name))
        for role in ROLES:
            client = clients[role]
            if method == "GET":
                response = client.get(url, world.query.get(name, {}))
            else:
                query_string = urlencode(world.query.get(name, {}))
                response = client.post(f"{url}?{query_string}", world.bodies.get(name, {}))
                if role != "anonymous" and "_auth_user_id" not in client.session:
                    # The log-out (or a refused second factor) ended the session: a new one.
                    client.force_login(world.users[role])
            expected = _expectation(role, allowed, access, api_call=False)
            yield (
                f"{method} {url} ({name})",
                role,
                expected,
                _verdict(response, login_url=resolve_url(settings.LOGIN_URL)),
            )
    operations = _operations()
    for operation_id, access in sorted(API.items()):
        allowed = access.get if method == "GET" else access.post
        if allowed is None or operations[operation_id][0] != method:
            continue
        path = operations[operation_id][1].format(**world.kwargs.get(operation_id, {}))
        query = world.query.get(operation_id, {})
        for role in ROLES:
            client = clients[role]
            if method == "GET":
                response = client.get(path, query)
            elif operation_id in world.uploads:
                field, filename, content, content_type = world.uploads[operation_id]
                upload = SimpleUploadedFile(filename, content, content_type)
                response = client.post(path, {field: upload})
            else:
                response = client.post(
                    path, world.bodies.get(operation_id, {}), content_type="application/json"
                )
            expected = _expectation(role, allowed, access, api_call=True)
            yield (
                f"{method} {path} ({operation_id})",
                role,
                expected,
                _verdict(response, login_url=resolve_url(settings.LOGIN_URL)),
            )


def test_every_role_gets_what_the_table_declares() -> None:
    with time_machine.travel(NOW, tick=False):
        world = access_world_build(NOW)
        clients = _clients(world)
        differences = []
        requests = 0
        # Reads first: the writes' empty bodies may still change an object's state.
        for method in ("GET", "POST"):
            for what, role, expected, verdict in _walk(world, clients, method):
                requests += 1
                if not _agrees(expected, verdict):
                    differences.append(f"{what} as {role}: expected {expected}, got {verdict}")
        for what, role, difference in _admin_walk(world, clients):
            requests += 1
            if difference:
                differences.append(f"{what} as {role}: got {difference}")
    assert requests > 1000
    assert not differences, "\n".join(differences)


def _first_center_row(world: AccessWorld, model: type[Model]) -> Model | None:
    """A row of the first center's, through the admin's own path to a center where it has one;
    else the newest row, which the first center's data made (the other center's come first)."""
    model_admin = admin.site._registry[model]
    rows = model._default_manager.all()
    path = getattr(model_admin, "center_path", None)
    if path is not None:
        rows = rows.filter(**{path: world.center.pk})
    return rows.order_by("-pk").first()


def _admin_walk(world: AccessWorld, clients: dict[str, Client]) -> Iterator[tuple[str, str, str]]:
    """(what, role, difference or "") of the admin's pages of every model the table lists.

    Only the other center's administrator is staff of the admin among the walk's roles: the
    others are sent to the admin's log-in. He may open his own center's lists (or be refused),
    never a row of the first center's that the table keeps from him.
    """
    admin_login = reverse("admin:login")
    registered = {model._meta.label_lower: model for model in admin.site._registry}
    for label, shared in sorted(ADMIN_MODELS.items()):
        model = registered[label]
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        row = _first_center_row(world, model)
        if row is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[row.pk]))
        for url in urls:
            for role in ROLES:
                response = clients[role].get(url)
                verdict = _verdict(response, login_url=admin_login)
                if role != "other_admin":
                    expected_ok = verdict == "login"
                elif url == urls[0] or shared:
                    expected_ok = not verdict.endswith("(a server error)")
                else:
                    # Django's admin sends a missing row back to the index with a message.
                    expected_ok = response.status_code in (302, 403, 404)
                yield f"GET {url}", role, "" if expected_ok else verdict


def test_the_outbox_page_is_gone_when_a_gateway_sends_the_texts(settings: Any) -> None:
    settings.GOVHALL_SMS_BACKEND = "tests.crash.gateway.HttpGateway"
    staff = make_user("supervisor")
    make_staff(staff, make_center(), Role.SUPERVISOR)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("hall:sms_outbox")).status_code == 404
    settings.GOVHALL_SMS_BACKEND = "hall.sms.LocalBackend"
    assert client.get(reverse("hall:sms_outbox")).status_code == 200
