"""The log-in form, throttled: too many failures for one name from one address lock it a while."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record, request_ip
from govhall.throttle import attempt_count, attempts_counted


def _failure_key(request: HttpRequest | None, username: str) -> str:
    return f"login-failures:{request_ip(request)}:{username.strip().lower()}"


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed log-ins for this name. Wait %(minutes)s minutes and try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        key = _failure_key(self.request, username)
        if attempts_counted(key) >= settings.LOGIN_FAILURE_LIMIT:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if attempt_count(key, settings.LOGIN_LOCKOUT_SECONDS) == settings.LOGIN_FAILURE_LIMIT:
                # Once per lock, when the failure that closes it is counted: a supervisor reading
                # the log sees someone guessing a name's password, and from where.
                audit_record(
                    action="auth.login_locked",
                    target_type="user",
                    target_id=username[:64],
                    data={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
                    ip=request_ip(self.request),
                )
            raise
