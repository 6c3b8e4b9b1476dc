"""Forms of two-factor log-in: the code after the password, confirming and turning it off.

Every code a user types counts against one throttle per account, as passwords do at log-in
(LOGIN_FAILURE_LIMIT wrong codes lock code entry for LOGIN_LOCKOUT_SECONDS): six digits are
guessed in a million tries, so tries must be few.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import two_factor_verify
from govhall.throttle import attempt_count, attempts_counted


def _failure_key(user: User) -> str:
    return f"two-factor-failures:{user.pk}"


class CodeForm(forms.Form):
    """A form with a code from the authenticator, throttled per account."""

    code = forms.CharField(
        label=_("Code from the authenticator"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if attempts_counted(_failure_key(self.user)) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(
                _("Too many wrong codes. Wait %(minutes)s minutes and try again."),
                code="throttled",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        return cleaned

    def refused(self, error: ValidationError) -> None:
        """Count a refusal of the service against the throttle and show its message."""
        attempt_count(_failure_key(self.user), settings.LOGIN_LOCKOUT_SECONDS)
        self.add_error(None, error)


class LoginCodeForm(CodeForm):
    """The second step of log-in: the password was right, now the code."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if two_factor_verify(user=self.user, code=cleaned.get("code", "")) is None:
            attempt_count(_failure_key(self.user), settings.LOGIN_LOCKOUT_SECONDS)
            raise ValidationError(
                _("That code is not right. Enter the 6 digits the authenticator shows now."),
                code="wrong_code",
            )
        return cleaned


class DisableForm(CodeForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
