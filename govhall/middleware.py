"""Guards on every request and response: a strict Content-Security-Policy, no NUL characters,
staff signed out when idle, and two-factor log-in for the roles that must use it."""

import time
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The OpenAPI docs page loads its viewer from the framework's own static files.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class RejectNullCharactersMiddleware:
    """Refuse a NUL character in the address or a JSON body with 422 and a message.

    PostgreSQL cannot store NUL in text; without this a query parameter holding one would reach
    the database and fail there as a server error. Uploaded files are not looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_null(request):
            return JsonResponse(
                {"message": _("The request contains a NUL character: remove it and try again.")},
                status=422,
            )
        return self.get_response(request)

    @staticmethod
    def _has_null(request: HttpRequest) -> bool:
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return True
        if request.content_type == "application/json":
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        return False


class StaffIdleTimeoutMiddleware:
    """Sign a staff member out after STAFF_IDLE_TIMEOUT_SECONDS without a request.

    A counter computer left signed in opens personal data and the power to decide to whoever sits
    down; citizens, on their own devices, keep the whole session. The request that comes too late
    is answered as an anonymous one (the log-in page, or 401 from the API).
    """

    # Session keys: whether the account is staff's (asked once a session), and its last request.
    STAFF_KEY = "govhall_staff"
    SEEN_KEY = "govhall_seen"
    # The last request's time is written at most this often: each write saves the session.
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.STAFF_IDLE_TIMEOUT_SECONDS
        if limit > 0 and request.user.is_authenticated and self._is_staff(request):
            now = int(time.time())
            seen = request.session.get(self.SEEN_KEY)
            if seen is not None and now - seen > limit:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": limit // 60},
                )
            elif seen is None or now - seen >= self.WRITE_EVERY_SECONDS:
                request.session[self.SEEN_KEY] = now
        return self.get_response(request)

    def _is_staff(self, request: HttpRequest) -> bool:
        # Imported here: accounts' models cannot load before the app registry is ready.
        from accounts.models import User
        from accounts.selectors import is_staff_account

        staff = request.session.get(self.STAFF_KEY)
        if staff is None:
            user = request.user
            staff = isinstance(user, User) and is_staff_account(user)
            request.session[self.STAFF_KEY] = staff
        return bool(staff)


class TwoFactorRequiredMiddleware:
    """Keep a holder of a role in TWO_FACTOR_REQUIRED_ROLES who has not turned two-factor log-in
    on to the pages that turn it on: every other request goes to the account page (403 from the
    API). Once satisfied, the session is not asked again."""

    SATISFIED_KEY = "govhall_two_factor_satisfied"
    # The account pages the user needs to turn it on, and to leave.
    OPEN_PAGES = (
        "accounts:account",
        "accounts:two_factor_enrol",
        "accounts:two_factor_confirm",
        "accounts:password_change",
        "accounts:logout",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        required = settings.TWO_FACTOR_REQUIRED_ROLES
        if (
            not required
            or not request.user.is_authenticated
            or request.session.get(self.SATISFIED_KEY)
            or self._is_open(request.path)
        ):
            return self.get_response(request)
        # Imported here: accounts' models cannot load before the app registry is ready.
        from accounts.selectors import two_factor_device

        user = request.user
        if not user.groups.filter(name__in=required).exists() or two_factor_device(user):
            request.session[self.SATISFIED_KEY] = True
            return self.get_response(request)
        text = _("Your role requires two-factor log-in: turn it on to continue.")
        if request.path.startswith("/api/"):
            return JsonResponse({"message": text}, status=403)
        messages.warning(request, text)
        return HttpResponseRedirect(reverse("accounts:account"))

    def _is_open(self, path: str) -> bool:
        return path.startswith(settings.STATIC_URL) or path in {
            reverse(name) for name in self.OPEN_PAGES
        }
