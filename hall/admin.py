"""Admin of the hall: the center's hall policy, notices, devices and the records of the floor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.admin import CenterScopedMixin
from hall.auth import device_create, devices_revoke, token_digest
from hall.models import CounterPause, Device, HallAlert, HallNotice, HallPolicy, PadRating, Ticket

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # the admin classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyRecordAdmin(CenterScopedMixin, _ModelAdmin):
    """Records written by the floor's services: readable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HallPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = HallPolicy
        exclude: list[str] = []

    def clean_call_template(self) -> str:
        """The announcement may name only {number} and {counter}; anything else would break
        every call on the screens and in the voice."""
        template: str = self.cleaned_data["call_template"]
        try:
            template.format(number="A001", counter=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise forms.ValidationError(
                _(
                    "Use only {number} and {counter} in the announcement, e.g. 请{number}号到{counter}号窗口办理."  # noqa: E501
                )
            ) from exc
        return template


@admin.register(HallPolicy)
class HallPolicyAdmin(CenterScopedMixin, _ModelAdmin):
    form = HallPolicyForm
    list_display = [
        "center",
        "slot_minutes",
        "average_service_minutes",
        "recall_limit",
        "missed_rule",
    ]
    fieldsets = [
        (
            _("Opening hours"),
            {
                "fields": [
                    "center",
                    ("morning_opens", "morning_closes"),
                    ("afternoon_opens", "afternoon_closes"),
                ]
            },
        ),
        (
            _("Appointments"),
            {
                "fields": [
                    "slot_minutes",
                    "average_service_minutes",
                    "booking_days_ahead",
                    "max_active_bookings",
                    "cancel_return_minutes",
                    ("no_show_limit", "no_show_window_days", "suspension_days"),
                ]
            },
        ),
        (
            _("Queue"),
            {
                "fields": [
                    ("appointment_head_start_minutes", "priority_head_start_minutes"),
                    "recall_limit",
                    ("missed_rule", "missed_rejoin_minutes"),
                    "call_template",
                    ("wait_alert_minutes", "queue_alert_length"),
                ]
            },
        ),
    ]


@admin.register(HallNotice)
class HallNoticeAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ["text", "active", "sort_order", "center"]
    list_editable = ["active", "sort_order"]


@admin.register(Device)
class DeviceAdmin(CenterScopedMixin, _ModelAdmin):
    """Kiosks, hall displays and counter terminals; a new device's token is shown once."""

    list_display = [
        "name",
        "kind",
        "counter",
        "token_prefix",
        "last_seen_at",
        "revoked_at",
        "center",
    ]
    list_filter = ["kind"]
    fields = [
        "center",
        "kind",
        "name",
        "counter",
        "token_prefix",
        "created_at",
        "last_seen_at",
        "revoked_at",
    ]
    readonly_fields = ["token_prefix", "created_at", "last_seen_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token = device_create(center=obj.center, kind=obj.kind, name=obj.name, counter=obj.counter)
        obj.pk = Device.objects.get(token_hash=token_digest(token)).pk
        messages.warning(
            request,
            _("The device's token, shown this once: %(token)s — enter it on the device now.")
            % {"token": token},
        )

    @admin.action(description=_("Revoke the selected devices' tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        devices_revoke(devices=queryset)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "number",
        "service_date",
        "category",
        "status",
        "source",
        "priority_group",
        "counter",
        "issued_at",
        "called_at",
        "finished_at",
    ]
    list_filter = ["status", "source", "priority_group", "service_date"]
    search_fields = ["number"]
    exclude = ["access_key", "mobile"]


@admin.register(CounterPause)
class CounterPauseAdmin(ReadOnlyRecordAdmin):
    center_path = "counter__center"
    list_display = ["counter", "staff", "reason", "started_at", "ended_at"]
    list_filter = ["reason"]


@admin.register(PadRating)
class PadRatingAdmin(ReadOnlyRecordAdmin):
    center_path = "counter__center"
    list_display = ["ticket", "counter", "staff", "level", "created_at"]
    list_filter = ["level"]


@admin.register(HallAlert)
class HallAlertAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "category",
        "kind",
        "value",
        "threshold",
        "counters_to_open",
        "raised_at",
        "resolved_at",
    ]
    list_filter = ["kind"]


# Appointments and special services register their admin classes beside these.
import hall.admin_booking  # noqa: E402, F401
