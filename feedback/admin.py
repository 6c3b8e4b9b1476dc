"""Ratings, rectifications and appeals in the admin: for reading, within the staff member's
center. They change only through their pages, where each change is a guarded transition with its
audit entry. A center's feedback deadlines (FeedbackPolicy) are edited here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from catalog.admin import CenterScopedMixin
from feedback.models import FeedbackPolicy, Rating, RatingAppeal, Rectification
from hall.admin import ReadOnlyRecordAdmin

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # the admin classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


@admin.register(Rating)
class RatingAdmin(ReadOnlyRecordAdmin):
    center_path = "center_id"
    list_display = ("rated_at", "case", "channel", "level")
    list_filter = ("channel", "level")
    search_fields = ("case__number",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "rater")


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyRecordAdmin):
    center_path = "center_id"
    list_display = ("opened_at", "rating", "pad_rating", "state", "call_back_due", "rectify_due")
    list_filter = ("state", "real_name")
    search_fields = ("rating__case__number", "pad_rating__ticket__number")
    list_select_related = ("rating__case", "pad_rating__ticket")
    raw_id_fields = ("rating", "pad_rating", "handled_by")


@admin.register(RatingAppeal)
class RatingAppealAdmin(ReadOnlyRecordAdmin):
    center_path = "center_id"
    list_display = ("appealed_at", "reason", "state", "appealed_by", "decided_by")
    list_filter = ("state", "reason")
    raw_id_fields = ("rating", "pad_rating", "appealed_by", "decided_by")


@admin.register(FeedbackPolicy)
class FeedbackPolicyAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ("center", "call_back_days", "rectification_days", "rating_window_days")
