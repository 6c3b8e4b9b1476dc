"""The statistics' rollups (统计汇总): case counts by day, kept current by the worker from the
cases' event rows, so that the dashboards read a few thousand rows instead of millions of cases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import CaseStatus, Channel
from catalog.models import Center, Counter, Department, ServiceItem


class SubmissionDay(models.Model):
    """The cases submitted on a day (the center's date) for one department, item and channel
    that are now in one state."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day submitted"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("state"), choices=CaseStatus.choices)
    cases = models.IntegerField(_("cases"), default=0)

    class Meta:
        verbose_name = _("cases submitted on a day")
        verbose_name_plural = _("cases submitted by day")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "department", "item", "channel", "status"],
                name="stats_submission_day_unique",
            )
        ]
        indexes = [
            models.Index(fields=["center", "day"], name="stats_submission_center_day"),
            models.Index(fields=["department", "day"], name="stats_submission_dept_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_id} {self.status}: {self.cases}"


class WorkDay(models.Model):
    """The cases accepted and concluded on a day by one department at one counter (the counter of
    the clerk who took the case in; none: not recorded)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    counter = models.ForeignKey(
        Counter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    accepted = models.IntegerField(_("cases accepted"), default=0)
    concluded = models.IntegerField(_("cases concluded"), default=0)

    class Meta:
        verbose_name = _("cases handled on a day")
        verbose_name_plural = _("cases handled by day")
        indexes = [
            models.Index(fields=["center", "day"], name="stats_work_center_day"),
            models.Index(fields=["department", "day"], name="stats_work_dept_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.counter_id}"


class DepartmentDay(models.Model):
    """A department's cases of a day: submitted, accepted and concluded on it (the trends and
    totals read these few rows)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    received = models.IntegerField(_("cases received"), default=0)
    accepted = models.IntegerField(_("cases accepted"), default=0)
    concluded = models.IntegerField(_("cases concluded"), default=0)

    class Meta:
        verbose_name = _("department's cases of a day")
        verbose_name_plural = _("departments' cases by day")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "department"], name="stats_department_day_unique"
            )
        ]
        indexes = [models.Index(fields=["department", "day"], name="stats_dept_day_dept")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}"


class RollupState(models.Model):
    """How far the rollups have counted: the last case event they hold (one row)."""

    last_event_id = models.BigIntegerField(_("last case event counted"), default=0)
    rebuilt_at = models.DateTimeField(_("rebuilt"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics rollup state")
        verbose_name_plural = _("statistics rollup state")

    def __str__(self) -> str:
        return str(self.last_event_id)
