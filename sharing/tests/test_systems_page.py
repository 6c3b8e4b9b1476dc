"""The department head's page of department systems: keys shown once, revoked; webhooks and
their attempts; nobody else's."""

from __future__ import annotations

from cases.tests.conftest import login
from sharing.models import ApiKey, WebhookSubscription
from sharing.tests.conftest import Registry

URL = "/certificates/systems/"


def test_the_head_creates_a_key_sees_its_secret_once_and_revokes_it(registry: Registry) -> None:
    browser = login(registry.head)
    department = registry.licence.issuer
    created = browser.post(
        URL,
        {
            "action": "create_key",
            "department": department.pk,
            "name": "Licensing",
            "scopes": ["cases:read", "stages:write"],
        },
    )
    assert created.status_code == 200
    key = ApiKey.objects.get()
    secret = created.context["new_secret"]
    assert secret.startswith(f"ghk_{key.prefix}_")
    assert secret in created.content.decode()
    again = browser.get(URL)
    assert secret not in again.content.decode()
    assert "Licensing" in again.content.decode()

    outsider = login(registry.other_head)
    refused = outsider.post(URL, {"action": "revoke_key", "key": key.pk})
    assert refused.status_code == 404
    browser.post(URL, {"action": "revoke_key", "key": key.pk})
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_webhook_is_registered_and_a_bad_url_is_explained(registry: Registry) -> None:
    browser = login(registry.head)
    department = registry.licence.issuer
    bad = browser.post(
        URL,
        {"action": "create_webhook", "department": department.pk, "url": "nonsense"},
        follow=True,
    )
    assert "http(s)://host/path" in bad.content.decode()
    browser.post(
        URL,
        {
            "action": "create_webhook",
            "department": department.pk,
            "url": "https://licensing.example.gov.cn/hooks",
            "events": ["case.accepted", "case.concluded"],
        },
    )
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["case.accepted", "case.concluded"]
    assert subscription.secret in browser.get(URL).content.decode()
    assert subscription.secret not in login(registry.other_head).get(URL).content.decode()


def test_people_who_manage_no_department_are_refused(registry: Registry) -> None:
    assert login(registry.world.clerk).get(URL).status_code == 403
    assert login(registry.world.citizen).get(URL).status_code == 403
