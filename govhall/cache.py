"""The cache of public answers: pages of the public site and catalog reads of the API.

They are the same for every visitor with the same language and display modes, and change only
when the catalog does, so a hit is keyed by the catalog's revision token and costs little more
than the framework floor. Pages that hold anything personal (a CSRF token, a message, a user)
must not be listed in `GOVHALL_PUBLIC_CACHE_PREFIXES`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from catalog.revision import catalog_revision
from portal.context_processors import ELDER_COOKIE, KIOSK_COOKIE

KEPT_HEADERS = ("Content-Disposition",)


def public_cache_key(request: HttpRequest) -> str:
    # Each mode by name: "1" alone would key the elder-friendly page and the kiosk's alike.
    elder, kiosk = request.COOKIES.get(ELDER_COOKIE, ""), request.COOKIES.get(KIOSK_COOKIE, "")
    modes = f"elder={elder},kiosk={kiosk}"
    address = hashlib.sha1(
        f"{request.get_host()}{request.get_full_path()}".encode(), usedforsecurity=False
    ).hexdigest()
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return f"public:{catalog_revision()}:{language}:{modes}:{address}"


class PublicCacheMiddleware:
    """Serve GETs under the public prefixes from the cache; store their 200 answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.GOVHALL_PUBLIC_CACHE_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not request.path.startswith(self.prefixes):
            return self.get_response(request)
        # A signed-in visitor's pages carry their own header (the unread message count).
        if SESSION_KEY in request.session:
            return self.get_response(request)
        key = public_cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type, headers = hit
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            stored = (response.content, response["Content-Type"], headers)
            cache.set(key, stored, settings.GOVHALL_PUBLIC_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response
