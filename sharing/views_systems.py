"""The department head's (and administrator's) page of department systems: API keys created
(the secret shown once) and revoked, webhooks registered and stopped, deliveries and attempts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from govhall.errors import ConflictError
from sharing.apikeys import apikey_create, apikey_revoke, departments_managed_by, keys_of
from sharing.models import ApiScope, WebhookEvent, WebhookSubscription
from sharing.views import _user
from sharing.webhooks import (
    deliveries_of,
    webhook_subscription_create,
    webhook_subscription_deactivate,
)

DELIVERIES_SHOWN = 50


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def systems(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departments = departments_managed_by(user)
    if not departments.exists():
        raise PermissionDenied(_("This page is for department heads and the administrator."))
    new_secret = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create_key":
                department = departments.filter(pk=_int(request.POST.get("department"))).first()
                if department is None:
                    raise ValidationError(_("Choose one of your departments."))
                _key, new_secret = apikey_create(
                    department=department,
                    name=request.POST.get("name", ""),
                    scopes=request.POST.getlist("scopes"),
                    actor=user,
                )
            elif action == "revoke_key":
                key = keys_of(departments).filter(pk=_int(request.POST.get("key"))).first()
                if key is None:
                    raise Http404(_("No key of yours has this number."))
                apikey_revoke(key=key, actor=user)
                messages.success(request, _("The key is revoked."))
            elif action == "create_webhook":
                department = departments.filter(pk=_int(request.POST.get("department"))).first()
                if department is None:
                    raise ValidationError(_("Choose one of your departments."))
                webhook_subscription_create(
                    department=department,
                    url=request.POST.get("url", ""),
                    events=request.POST.getlist("events"),
                    actor=user,
                )
                messages.success(request, _("The webhook is registered."))
            elif action == "stop_webhook":
                subscription = (
                    WebhookSubscription.objects.filter(department__in=departments)
                    .filter(pk=_int(request.POST.get("webhook")))
                    .select_related("department")
                    .first()
                )
                if subscription is None:
                    raise Http404(_("No webhook of yours has this number."))
                webhook_subscription_deactivate(subscription=subscription, actor=user)
                messages.success(request, _("The webhook is stopped."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except ConflictError as exc:
            messages.error(request, exc.message)
        if not new_secret:
            return redirect("sharing:systems")
    return render(
        request,
        "sharing/systems.html",
        {
            "departments": departments,
            "keys": keys_of(departments),
            "webhooks": WebhookSubscription.objects.filter(
                department__in=departments
            ).select_related("department"),
            "deliveries": deliveries_of(departments)[:DELIVERIES_SHOWN],
            "scopes": ApiScope.choices,
            "events": WebhookEvent.choices,
            "new_secret": new_secret,
        },
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 18 else 0
