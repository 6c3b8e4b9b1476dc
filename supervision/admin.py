"""Supervision in the admin: for reading, within the staff member's center. Violations and notices
change only through their pages, where every change is a guarded transition with its audit entry."""

from __future__ import annotations

from django.contrib import admin

from hall.admin import ReadOnlyRecordAdmin
from supervision.models import LightAlert, SupervisionNotice, Violation


@admin.register(Violation)
class ViolationAdmin(ReadOnlyRecordAdmin):
    list_display = ("detected_at", "rule", "severity", "case", "department", "state")
    list_filter = ("state", "rule", "severity")
    search_fields = ("case__number",)
    list_select_related = ("case", "department")
    raw_id_fields = ("case", "stage", "person", "counter")


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyRecordAdmin):
    list_display = ("__str__", "department", "subject", "answer_due", "state", "late")
    list_filter = ("state", "late")
    search_fields = ("subject", "case__number")
    list_select_related = ("department",)
    raw_id_fields = ("case", "violation")


@admin.register(LightAlert)
class LightAlertAdmin(ReadOnlyRecordAdmin):
    center_path = "case__center"
    list_display = ("sent_at", "case", "stage", "light", "recipient")
    list_filter = ("light",)
    search_fields = ("case__number",)
    list_select_related = ("case", "stage", "recipient")
    raw_id_fields = ("case", "stage", "recipient")
