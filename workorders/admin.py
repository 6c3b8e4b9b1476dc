"""Work orders in the admin: the center's deadlines to edit, the orders and events to read
(they change only through their pages, each change a guarded transition with its audit entry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from catalog.admin import CenterScopedMixin
from hall.admin import ReadOnlyRecordAdmin
from workorders.models import WorkOrder, WorkOrderEvent, WorkOrderPolicy

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # the admin classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


@admin.register(WorkOrderPolicy)
class WorkOrderPolicyAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ("center", "consultation_days", "help_days", "complaint_days", "suggestion_days")


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyRecordAdmin):
    # Personal data stays out of the admin: the order's page masks it and logs each reveal.
    list_display = ("number", "kind", "channel", "state", "department", "received_at", "due")
    list_filter = ("kind", "channel", "state")
    search_fields = ("number", "hotline_id")
    list_select_related = ("department",)
    exclude = (
        "complainant_name",
        "complainant_mobile",
        "complainant_id_number",
        "follow_code_hash",
    )
    raw_id_fields = ("case", "counter", "staff", "complainant_user", "received_by")


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(ReadOnlyRecordAdmin):
    center_path = "work_order__center"
    list_display = ("at", "work_order", "from_state", "to_state", "actor")
    list_filter = ("to_state",)
    search_fields = ("work_order__number",)
    list_select_related = ("work_order", "actor")
    raw_id_fields = ("work_order", "actor", "department")
