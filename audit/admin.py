"""The audit log in the admin: to read, never to add, change or delete."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditDay, AuditEntry

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # the admin class is not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "center_id", "ip"]
    search_fields = ["=actor_label", "=target_id", "=action"]
    # The list counts rows on every page; over millions of entries only the estimate is cheap.
    show_full_result_count = False


@admin.register(AuditDay)
class AuditDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "count", "last_hash", "sealed_at"]
