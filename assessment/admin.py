"""The assessment in the admin: the center's deduction scale, score formula and third-party
scoring form to edit; findings, closed months and assessment rounds to read (they change only
through their services, each with an audit entry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from assessment.models import (
    AssessmentMonth,
    AssessmentRound,
    DeductionRule,
    Finding,
    MonthlyScore,
    ScoreSheet,
    ScoreWeights,
    ScoringCriterion,
)
from catalog.admin import CenterScopedMixin
from hall.admin import ReadOnlyRecordAdmin

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # the admin classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin


@admin.register(DeductionRule)
class DeductionRuleAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ("center", "category", "points")
    list_filter = ("category",)


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ("center", "base", "satisfaction_target", "on_time_target", "complaint_points")


@admin.register(Finding)
class FindingAdmin(ReadOnlyRecordAdmin):
    list_display = ("day", "kind", "category", "staff", "counter", "points", "inspector")
    list_filter = ("kind", "category")
    list_select_related = ("staff", "counter", "inspector")
    raw_id_fields = ("staff", "counter", "inspector", "department")


@admin.register(AssessmentMonth)
class AssessmentMonthAdmin(ReadOnlyRecordAdmin):
    list_display = ("center", "month", "closed_at", "closed_by")


@admin.register(MonthlyScore)
class MonthlyScoreAdmin(ReadOnlyRecordAdmin):
    center_path = "month__center"
    list_display = ("month", "subject", "rank", "label", "score")
    list_filter = ("subject",)


@admin.register(ScoringCriterion)
class ScoringCriterionAdmin(CenterScopedMixin, _ModelAdmin):
    list_display = ("center", "position", "name", "max_points")


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ReadOnlyRecordAdmin):
    list_display = ("center", "period", "name", "closes_on", "state")
    list_filter = ("state",)


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyRecordAdmin):
    center_path = "round__center"
    list_display = ("round", "counter", "invitation", "total", "state")
    list_filter = ("state",)
