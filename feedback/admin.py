"""Ratings and rectifications in the admin: for reading, within the staff member's center. They
change only through their pages, where each change is a guarded transition with its audit entry."""

from __future__ import annotations

from django.contrib import admin

from feedback.models import Rating, Rectification
from hall.admin import ReadOnlyRecordAdmin


@admin.register(Rating)
class RatingAdmin(ReadOnlyRecordAdmin):
    center_path = "case__center"
    list_display = ("rated_at", "case", "channel", "level")
    list_filter = ("channel", "level")
    search_fields = ("case__number",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "rater")


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyRecordAdmin):
    center_path = "rating__case__center"
    list_display = ("opened_at", "rating", "state", "call_back_due", "rectify_due", "view")
    list_filter = ("state",)
    search_fields = ("rating__case__number",)
    list_select_related = ("rating__case",)
    raw_id_fields = ("rating", "handled_by")
