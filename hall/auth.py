"""Who may call the hall's API: staff in a browser session, or a device with its token.

Devices (kiosks, hall displays, counter terminals) are created by the administrator; the token is
shown once and only its SHA-256 is stored. A request sends it as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from catalog.models import Center, Counter
from hall.models import Device


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_create(*, center: Center, kind: str, name: str, counter: Counter | None = None) -> str:
    """Register a device and return its token, which is not kept and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    Device.objects.create(
        center=center,
        kind=kind,
        name=name,
        counter=counter,
        token_hash=token_digest(token),
        token_prefix=token[:8],
    )
    return token


DEVICE_CACHE_SECONDS = 30


def _device_key(digest: str) -> str:
    return f"hall:device:{digest}"


def device_for_token(token: str) -> Device | None:
    """The live device holding this token, or None.

    Terminals send their token with every request, so the device is kept in the cache for
    `DEVICE_CACHE_SECONDS`. `devices_revoke` drops it from the cache at once; with a cache per
    process (the embedded default) other processes notice a revocation within that time.
    """
    digest = token_digest(token)
    key = _device_key(digest)
    device: Device | None = cache.get(key)
    if device is None:
        device = (
            Device.objects.select_related("center", "counter")
            .filter(token_hash=digest, revoked_at__isnull=True)
            .first()
        )
        if device is None:
            return None
        cache.set(key, device, DEVICE_CACHE_SECONDS)
    now = timezone.now()
    # A coarse last-seen time is enough and keeps polling displays from writing every second.
    if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
        cache.set(key, device, DEVICE_CACHE_SECONDS)
    return device


def devices_revoke(*, devices: QuerySet[Device]) -> int:
    """Revoke the devices' tokens: refused at once here, within the cache time elsewhere."""
    live = devices.filter(revoked_at__isnull=True)
    digests = list(live.values_list("token_hash", flat=True))
    revoked = live.update(revoked_at=timezone.now())
    cache.delete_many([_device_key(digest) for digest in digests])
    return revoked


class DeviceAuth(HttpBearer):
    """A device token, optionally limited to some kinds of device."""

    def __init__(self, *kinds: str) -> None:
        super().__init__()
        self.kinds = set(kinds)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        device = device_for_token(token)
        if device is None or (self.kinds and device.kind not in self.kinds):
            return None
        request.device = device  # type: ignore[attr-defined]
        return device


class StaffSessionAuth(SessionAuth):
    """A logged-in member of staff of some center (citizens' sessions are refused)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and hasattr(user, "staff_profile"):
            return user
        return None


def request_center(request: HttpRequest) -> Center | None:
    """The center the caller acts for: the device's, or the staff member's."""
    device = getattr(request, "device", None)
    if device is not None:
        return device.center  # type: ignore[no-any-return]
    profile = getattr(request.user, "staff_profile", None)
    return profile.center if profile is not None else None


# A visitor's phone, for the per-phone limit of remote tickets: a random id in a signed cookie,
# since the hall's Wi-Fi or a mobile carrier's NAT gives hundreds of phones one address. It names
# nobody, is kept nowhere but in the hour's counter, and lasts a day: the limit is per hour.
PHONE_COOKIE = "govhall_phone"
PHONE_COOKIE_SALT = "hall.phone"
PHONE_COOKIE_AGE = 24 * 3600


def phone_id(request: HttpRequest) -> tuple[str, bool]:
    """The phone's id from its cookie, or a new one, and whether it is new (to be set)."""
    known = request.get_signed_cookie(PHONE_COOKIE, default=None, salt=PHONE_COOKIE_SALT)
    if known:
        return known, False
    return secrets.token_urlsafe(16), True


def phone_cookie_set(request: HttpRequest, response: HttpResponse, phone: str) -> None:
    response.set_signed_cookie(
        PHONE_COOKIE,
        phone,
        salt=PHONE_COOKIE_SALT,
        max_age=PHONE_COOKIE_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
