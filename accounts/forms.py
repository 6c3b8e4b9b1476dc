"""The log-in form, throttled: too many failures for one name from one address lock it a while."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govhall.throttle import attempt_count, attempts_counted


def _failure_key(request: HttpRequest | None, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    return f"login-failures:{address}:{username.strip().lower()}"


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
            attempt_count(key, settings.LOGIN_LOCKOUT_SECONDS)
            raise
