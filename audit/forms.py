"""The supervisors' search form over the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        label=_("Person (user name)"),
        max_length=150,
        required=False,
        help_text=_("What this user did, and what was done to their account."),
    )
    target = forms.CharField(label=_("Case number or other target"), max_length=64, required=False)
    action = forms.CharField(
        label=_("Action"),
        max_length=50,
        required=False,
        help_text=_('A code such as "auth.login_failed", or its start, such as "case."'),
    )
    since = forms.DateField(label=_("From (day)"), required=False)
    until = forms.DateField(label=_("To (day)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(
                _("The first day comes after the last day: swap them or change one.")
            )
        return cleaned
