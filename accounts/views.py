"""Pages of accounts: log-in with an optional second step, the account page with the password
and two-factor log-in, and the site message box."""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages as notices
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import ThrottledAuthenticationForm
from accounts.forms_two_factor import CodeForm, DisableForm, LoginCodeForm
from accounts.models import User
from accounts.selectors import is_staff_account, messages_for, two_factor_device, unread_count
from accounts.services import (
    message_mark_read,
    messages_mark_all_read,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enrol_start,
)
from audit.services import request_ip

# The session's record of a log-in waiting for its code: the user, the backend that
# authenticated them, where to go next, and when the password was right.
PENDING_KEY = "two_factor_pending"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def messages(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    paginator = Paginator(messages_for(user), settings.GOVHALL_ITEMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/messages.html", {"page": page, "unread": unread_count(user)})


@login_required
@require_POST
def message_open(request: HttpRequest, message_id: int) -> HttpResponseRedirect:
    message = message_mark_read(user=_user(request), message_id=message_id)
    # The service only stores site paths; checked again because this answer is a redirect.
    if message.link and url_has_allowed_host_and_scheme(
        message.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(message.link)
    return redirect("accounts:messages")


@login_required
@require_POST
def messages_read_all(request: HttpRequest) -> HttpResponseRedirect:
    messages_mark_all_read(user=_user(request))
    return redirect("accounts:messages")


class LoginView(auth_views.LoginView):
    """The password first; a user with an authenticator is then asked for its code, and is
    logged in only when that is right too."""

    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form: Form) -> HttpResponse:
        assert isinstance(form, ThrottledAuthenticationForm)
        user = form.get_user()
        assert isinstance(user, User)
        if two_factor_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
            "next": self.get_success_url(),
            "since": int(time.time()),
        }
        return redirect("accounts:login_code")


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if int(time.time()) - pending["since"] > settings.TWO_FACTOR_PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of log-in: the code from the authenticator."""
    found = _pending_user(request)
    if found is None:
        notices.info(request, _("Log in again: the password step has expired."))
        return redirect("accounts:login")
    user, pending = found
    form = LoginCodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        del request.session[PENDING_KEY]
        auth_login(request, user, backend=pending["backend"])
        return redirect(pending["next"])
    return render(request, "accounts/login_code.html", {"form": form})


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    staff = is_staff_account(user)
    return render(
        request,
        "accounts/account.html",
        {
            "staff": staff,
            "two_factor_on": staff and two_factor_device(user) is not None,
            "disable_form": DisableForm(user=user),
        },
    )


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):  # type: ignore[type-arg]
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")
    success_message = gettext_lazy("Your password is changed.")


def _qr_code(device: TOTPDevice) -> str:
    # A data: URI, which the Content-Security-Policy allows for images (no inline script).
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


@login_required
@require_POST
def two_factor_enrol(request: HttpRequest) -> HttpResponseRedirect:
    try:
        two_factor_enrol_start(user=_user(request))
    except ValidationError as exc:
        notices.error(request, " ".join(exc.messages))
        return redirect("accounts:account")
    return redirect("accounts:two_factor_confirm")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_confirm_page(request: HttpRequest) -> HttpResponse:
    """The key to scan (a QR code, and the secret as text), and the first code to confirm it."""
    user = _user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        return redirect("accounts:account")
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_confirm(user=user, code=form.cleaned_data["code"], ip=request_ip(request))
        except ValidationError as exc:
            form.refused(exc)
        else:
            notices.success(request, _("Two-factor log-in is on: log-in will ask for a code."))
            return redirect("accounts:account")
    # For typing in by hand when the camera cannot read the code.
    secret = b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/two_factor_confirm.html",
        {"form": form, "qr_code": _qr_code(device), "secret": secret},
    )


@login_required
@require_POST
def two_factor_disable_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DisableForm(request.POST, user=user)
    if form.is_valid():
        try:
            two_factor_disable(
                user=user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
                ip=request_ip(request),
            )
        except ValidationError as exc:
            form.refused(exc)
        else:
            notices.success(request, _("Two-factor log-in is off."))
            return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {
            "staff": is_staff_account(user),
            "two_factor_on": two_factor_device(user) is not None,
            "disable_form": form,
        },
        status=400,
    )
