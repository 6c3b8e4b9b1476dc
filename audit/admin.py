"""The audit log in the admin: to read, never to add, change or delete."""

from django.contrib import admin

from audit.models import AuditDay, AuditEntry
from govhall.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "center_id", "ip"]
    search_fields = ["=actor_label", "=target_id", "=action"]
    # The list counts rows on every page; over millions of entries only the estimate is cheap.
    show_full_result_count = False


@admin.register(AuditDay)
class AuditDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "count", "last_hash", "sealed_at"]
