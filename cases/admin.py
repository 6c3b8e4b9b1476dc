"""Admin of cases: read-only views for the administrator; changes go through the services."""

from django.contrib import admin

from cases.models import Case, CaseAccess, CaseEvent
from govhall.admin import ReadOnlyAdmin


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
