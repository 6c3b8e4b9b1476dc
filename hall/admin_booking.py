"""Admin of bookings, special services and the SMS outbox, each limited to the user's center."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog.admin import CenterScopedMixin
from hall.models import Appointment, OutboxMessage, SpecialServiceRequest


@admin.register(Appointment)
class AppointmentAdmin(CenterScopedMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "day", "slot_start", "category", "status", "created_at"]
    list_filter = ["status", "category", "day"]
    search_fields = ["code", "id_number", "mobile"]
    date_hierarchy = "day"
    readonly_fields = ["code", "created_at", "cancelled_at", "checked_in_at", "ticket", "user"]
    raw_id_fields = ["item"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Bookings are made through the booking service, which applies the policy's rules.
        return False


@admin.register(SpecialServiceRequest)
class SpecialServiceRequestAdmin(CenterScopedMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["pk", "kind", "priority_group", "status", "preferred_day", "created_at"]
    list_filter = ["status", "kind", "priority_group"]
    search_fields = ["id_number", "mobile", "name"]
    readonly_fields = ["created_at", "assigned_at", "closed_at"]
    raw_id_fields = ["item"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "mobile", "status", "backend"]
    list_filter = ["status", "backend"]
    readonly_fields = ["mobile", "text", "created_at", "status", "backend"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        # The texts (verification codes, signed links) name no center: a center's administrator
        # must not read another center's, so only the operator of the whole deployment does.
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
