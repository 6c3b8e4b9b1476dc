"""Admin of cases: read-only views for the administrator; changes go through the services."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import Case, CaseAccess, CaseEvent

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "status", "channel", "received_day", "promised_due"]
    list_filter = ["status", "channel", "center"]
    search_fields = ["number"]
    exclude = ["applicant_name", "id_number", "uscc", "mobile", "form_data"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "from_status", "to_status", "actor", "at"]


@admin.register(CaseAccess)
class CaseAccessAdmin(ReadOnlyAdmin):
    list_display = ["case", "user", "at", "what"]
