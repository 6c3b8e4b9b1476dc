"""Webhooks of department systems: subscriptions, the sweep that turns what happened into
deliveries, and the signed, retried sending of each delivery with every attempt recorded.

Cases know nothing of webhooks. The sweep reads the case events table and the registry's
certificates after a cursor, and the running stages due today. A row inserted by a transaction
that commits after a later row was read would be skipped by a plain cursor; so the cursor only
moves past rows older than `LATE_COMMIT_WINDOW` and every sweep rereads the younger ones, while
the unique (subscription, event key) of deliveries keeps each event to one delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from cases.models import IN_PROCESS, CaseEvent, CaseStage, CaseStatus, StageStatus
from catalog.models import Department
from govhall.errors import ConflictError
from govhall.leases import backoff, lease_take
from sharing.apikeys import may_manage_keys
from sharing.models import (
    Certificate,
    DeliveryStatus,
    FeedCursor,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

LATE_COMMIT_WINDOW = dt.timedelta(minutes=10)
SWEEP_BATCH = 5000
SEND_BATCH = 200
SIGNATURE_HEADER = "X-Govhall-Signature"
EVENT_HEADER = "X-Govhall-Event"
TIMEOUT_SECONDS = (5, 10)

CASE_EVENTS: dict[int, WebhookEvent] = {
    CaseStatus.ACCEPTED: WebhookEvent.CASE_ACCEPTED,
    CaseStatus.NOT_ACCEPTED: WebhookEvent.CASE_NOT_ACCEPTED,
    CaseStatus.REFUSED: WebhookEvent.CASE_NOT_ACCEPTED,
    CaseStatus.CORRECTION_START: WebhookEvent.CASE_CORRECTION,
    CaseStatus.CORRECTION_END: WebhookEvent.CASE_CORRECTION,
    CaseStatus.SPECIAL_START: WebhookEvent.CASE_SUSPENDED,
    CaseStatus.SPECIAL_END: WebhookEvent.CASE_SUSPENDED,
    CaseStatus.CONCLUDED_APPROVED: WebhookEvent.CASE_CONCLUDED,
    CaseStatus.CONCLUDED_WITH_GAPS: WebhookEvent.CASE_CONCLUDED,
    CaseStatus.CONCLUDED_DENIED: WebhookEvent.CASE_CONCLUDED,
    CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE: WebhookEvent.CASE_WITHDRAWN,
    CaseStatus.WITHDRAWN: WebhookEvent.CASE_WITHDRAWN,
}


def max_attempts() -> int:
    value: int = getattr(settings, "GOVHALL_WEBHOOK_MAX_ATTEMPTS", 8)
    return value


def first_retry_seconds() -> int:
    value: int = getattr(settings, "GOVHALL_WEBHOOK_FIRST_RETRY_SECONDS", 60)
    return value


def claim_lease() -> dt.timedelta:
    """A worker that took a delivery and died leaves it to be taken again after this."""
    seconds: int = getattr(settings, "GOVHALL_WEBHOOK_CLAIM_LEASE_SECONDS", 300)
    return dt.timedelta(seconds=seconds)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`, hex: what the signature header carries."""
    return hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


# --- subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def webhook_subscription_create(
    *,
    department: Department,
    url: str,
    events: list[str],
    actor: User,
    now: dt.datetime | None = None,
) -> WebhookSubscription:
    now = now or timezone.now()
    if not may_manage_keys(actor, department):
        raise PermissionDenied(
            _("Only the department's head or the administrator manage its webhooks.")
        )
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": _("Give the address as http(s)://host/path.")}) from exc
    if len(url) > 500:
        raise ValidationError({"url": _("The address has at most 500 characters.")})
    chosen = [event for event in WebhookEvent.values if event in events]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError({"events": _("Choose one or more of the listed events.")})
    subscription = WebhookSubscription.objects.create(
        department=department,
        url=url,
        events=chosen,
        secret=secrets.token_hex(32),
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action="webhook.created",
        actor=actor,
        target_type="sharing.webhook",
        target_id=str(subscription.pk),
        center_id=department.center_id,
        data={"department": department.pk, "url": url, "events": chosen},
    )
    return subscription


@transaction.atomic
def webhook_subscription_deactivate(
    *, subscription: WebhookSubscription, actor: User
) -> WebhookSubscription:
    """Stop the webhook: no new deliveries, and the pending ones are given up."""
    if not may_manage_keys(actor, subscription.department):
        raise PermissionDenied(
            _("Only the department's head or the administrator manage its webhooks.")
        )
    if (
        WebhookSubscription.objects.filter(pk=subscription.pk, active=True).update(active=False)
        != 1
    ):
        raise ConflictError(_("This webhook is already stopped."))
    subscription.active = False
    subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )
    audit_record(
        action="webhook.stopped",
        actor=actor,
        target_type="sharing.webhook",
        target_id=str(subscription.pk),
        center_id=subscription.department.center_id,
        data={"url": subscription.url},
    )
    return subscription


# --- from what happened to deliveries -----------------------------------------------------------


def _case_payload(event: CaseEvent) -> dict[str, Any]:
    case = event.case
    return {
        "number": case.number,
        "item": case.item.implementation_code,
        "status": case.status,
        "event_status": event.to_status,
    }


def _cursor(name: str) -> FeedCursor:
    cursor, _created = FeedCursor.objects.get_or_create(name=name)
    return cursor


def _settled_floor(rows: Iterable[tuple[int, dt.datetime]], floor: int, cutoff: dt.datetime) -> int:
    """The highest id up to which every row read is older than `cutoff`: surely committed."""
    for pk, at in rows:
        if at >= cutoff:
            break
        floor = pk
    return floor


def _deliveries(
    subscriptions: list[WebhookSubscription],
    event: WebhookEvent,
    key: str,
    at: dt.datetime,
    departments: set[int],
    payload: dict[str, Any],
    now: dt.datetime,
) -> list[WebhookDelivery]:
    return [
        WebhookDelivery(
            subscription=subscription,
            event=event,
            event_key=key,
            payload={
                "id": key,
                "event": event.value,
                "occurred_at": at.isoformat(),
                "department": subscription.department.uscc,
                **payload,
            },
            next_attempt_at=now,
            created_at=now,
        )
        for subscription in subscriptions
        if subscription.department_id in departments
        and event in subscription.events
        and at >= subscription.created_at
    ]


def _case_events(
    subscriptions: list[WebhookSubscription], now: dt.datetime
) -> list[WebhookDelivery]:
    cursor = _cursor("webhook_case_events")
    events = list(
        CaseEvent.objects.filter(pk__gt=cursor.last_id)
        .select_related("case", "case__item")
        .order_by("pk")[:SWEEP_BATCH]
    )
    stage_departments: dict[int, set[int]] = defaultdict(set)
    for case_id, department_id in CaseStage.objects.filter(
        case_id__in={event.case_id for event in events}
    ).values_list("case_id", "department_id"):
        stage_departments[case_id].add(department_id)
    deliveries: list[WebhookDelivery] = []
    for event in events:
        kind = CASE_EVENTS.get(event.to_status)
        if kind is None or event.from_status == event.to_status:
            continue
        departments = {event.case.department_id, *stage_departments[event.case_id]}
        deliveries += _deliveries(
            subscriptions,
            kind,
            f"case_event:{event.pk}",
            event.at,
            departments,
            {"case": _case_payload(event)},
            now,
        )
    floor = _settled_floor(((e.pk, e.at) for e in events), cursor.last_id, now - LATE_COMMIT_WINDOW)
    FeedCursor.objects.filter(name=cursor.name, last_id__lt=floor).update(last_id=floor)
    return deliveries


def _certificates(
    subscriptions: list[WebhookSubscription], now: dt.datetime
) -> list[WebhookDelivery]:
    cursor = _cursor("webhook_certificates")
    certificates = list(
        Certificate.objects.filter(pk__gt=cursor.last_id)
        .select_related("type")
        .order_by("pk")[:SWEEP_BATCH]
    )
    deliveries: list[WebhookDelivery] = []
    for certificate in certificates:
        deliveries += _deliveries(
            subscriptions,
            WebhookEvent.CERTIFICATE_ISSUED,
            f"certificate:{certificate.pk}",
            certificate.created_at,
            {certificate.issuer_id},
            {
                "certificate": {
                    "identifier": certificate.identifier,
                    "type": certificate.type.code,
                    "number": certificate.number,
                    "status": certificate.status,
                }
            },
            now,
        )
    rows = ((c.pk, c.created_at) for c in certificates)
    floor = _settled_floor(rows, cursor.last_id, now - LATE_COMMIT_WINDOW)
    FeedCursor.objects.filter(name=cursor.name, last_id__lt=floor).update(last_id=floor)
    return deliveries


def _stages_due(
    subscriptions: list[WebhookSubscription], now: dt.datetime
) -> list[WebhookDelivery]:
    wanted = {s.department_id for s in subscriptions if WebhookEvent.STAGE_DUE in s.events}
    if not wanted:
        return []
    today = timezone.localdate(now)
    stages = CaseStage.objects.filter(
        department_id__in=wanted,
        status=StageStatus.ACTIVE,
        due=today,
        case__status__in=IN_PROCESS,
    ).select_related("case", "case__item")
    deliveries: list[WebhookDelivery] = []
    for stage in stages:
        deliveries += _deliveries(
            subscriptions,
            WebhookEvent.STAGE_DUE,
            f"stage_due:{stage.pk}:{today.isoformat()}",
            now,
            {stage.department_id},
            {
                "case": {
                    "number": stage.case.number,
                    "item": stage.case.item.implementation_code,
                    "status": stage.case.status,
                },
                "stage": {"id": stage.pk, "name": stage.name, "due": today.isoformat()},
            },
            now,
        )
    return deliveries


@transaction.atomic
def webhook_events_collect(*, now: dt.datetime | None = None) -> int:
    """Turn the case events, new certificates and stages due today into deliveries for the
    subscriptions that want them; the number of deliveries made."""
    now = now or timezone.now()
    subscriptions = list(
        WebhookSubscription.objects.filter(active=True).select_related("department")
    )
    deliveries = _case_events(subscriptions, now)
    deliveries += _certificates(subscriptions, now)
    deliveries += _stages_due(subscriptions, now)
    if not deliveries:
        return 0
    before = WebhookDelivery.objects.count()
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return WebhookDelivery.objects.count() - before


# --- sending ------------------------------------------------------------------------------------


def _address_refused(url: str) -> str:
    """Why the URL's host may not be called (private addresses), or ""."""
    if getattr(settings, "GOVHALL_WEBHOOK_ALLOW_PRIVATE", False):
        return ""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return _("The host %(host)s is unknown.") % {"host": host}
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return _("The host %(host)s is a private address.") % {"host": host}
    return ""


def webhook_delivery_attempt(*, delivery: WebhookDelivery, now: dt.datetime) -> WebhookAttempt:
    """Send the delivery once, signed; record the attempt and when to try again."""
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(now.timestamp())
    code: int | None = None
    error = _address_refused(subscription.url)
    if not error:
        try:
            response = requests.post(
                subscription.url,
                data=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    SIGNATURE_HEADER: signature_header(subscription.secret, timestamp, body),
                    EVENT_HEADER: delivery.event,
                    "User-Agent": "govhall-webhooks/1",
                },
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            code = response.status_code
            if not 200 <= code < 300:
                error = _("The receiver answered %(code)s.") % {"code": code}
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
    number = delivery.attempts + 1
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=now,
            response_code=code,
            error=error[:300],
            succeeded=not error,
        )
        if not error:
            status, next_at = DeliveryStatus.DELIVERED, None
        elif number >= max_attempts():
            status, next_at = DeliveryStatus.FAILED, None
        else:
            # Exponential backoff: the first retry after a minute, then 2, 4, 8... minutes.
            first = dt.timedelta(seconds=first_retry_seconds())
            status, next_at = DeliveryStatus.PENDING, now + backoff(first, number)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=number, status=status, next_attempt_at=next_at
        )
    delivery.attempts, delivery.status, delivery.next_attempt_at = number, status, next_at
    return attempt


def webhook_deliveries_send(*, now: dt.datetime | None = None) -> int:
    """Send every pending delivery whose time has come; the number of attempts made."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .select_related("subscription")
        .order_by("next_attempt_at", "pk")[:SEND_BATCH]
    )
    sent = 0
    for delivery in due:
        # A claim's lease runs from when it is taken: a long batch must not hand out leases that
        # have already lapsed, which another worker's sweep would take again at once.
        if lease_take(
            WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING),
            pk=delivery.pk,
            seen_due_at=delivery.next_attempt_at,
            until=max(now, timezone.now()) + claim_lease(),
        ):
            webhook_delivery_attempt(delivery=delivery, now=now)
            sent += 1
    return sent


def deliveries_of(departments: Iterable[Department]) -> QuerySet[WebhookDelivery]:
    """The recent deliveries of the departments' webhooks, with their attempts."""
    return (
        WebhookDelivery.objects.filter(Q(subscription__department__in=list(departments)))
        .select_related("subscription")
        .prefetch_related("tries")
        .order_by("-created_at", "-pk")
    )
