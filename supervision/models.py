"""Electronic supervision (电子监察): alerted lights, violations and supervision notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStage, Light
from catalog.models import Center, Counter, Department

# The lights in the order of their gravity: an alert goes out when a light climbs this ladder.
LIGHT_LEVELS: dict[str, int] = {
    Light.GREEN: 0,
    Light.YELLOW: 1,
    Light.RED: 2,
    Light.SEVERE: 3,
}


class LightWatch(models.Model):
    """The gravest light already alerted for a case (stage empty) or one of its stages.

    Like healthchecks' stored status: a sweep claims an alert by moving `level` up with an
    UPDATE conditioned on the level it read, so only one worker sends it. The row is deleted when
    the light is green again or the case or stage is over, which keeps the table as small as the
    number of lit cases and lets a case that went back to green alert again.
    """

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(
        CaseStage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("alerted level"), default=0)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("watched light")
        verbose_name_plural = _("watched lights")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(stage__isnull=True), name="light_watch_unique_case"
            ),
            models.UniqueConstraint(
                fields=["stage"], condition=Q(stage__isnull=False), name="light_watch_unique_stage"
            ),
        ]
        indexes = [models.Index(fields=["center"], name="light_watch_center_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.stage_id or '-'}: {self.level}"


class LightAlert(models.Model):
    """An alert sent to one person: which light of which case or stage (the escalation log)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(
        CaseStage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    light = models.CharField(_("light"), max_length=8, choices=Light.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("light alert")
        verbose_name_plural = _("light alerts")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["case", "sent_at"], name="light_alert_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.light} → {self.recipient_id}"


class Rule(models.TextChoices):
    """The rules of supervision during handling (事中); each is a function in `rules.py`."""

    CASE_OVERDUE = "case_overdue", _("Case overdue")
    STAGE_OVERDUE = "stage_overdue", _("Stage overdue")
    SECOND_CORRECTION = "second_correction", _("Second correction request")
    ACCEPTANCE_LATE = "acceptance_late", _("No acceptance decision within 5 working days")
    REFUSAL_WITHOUT_REASON = "refusal_no_reason", _("Refusal without reason")
    DENIAL_WITHOUT_REASON = "denial_no_reason", _("Denial without reason")
    CONCLUDED_WITHOUT_STAGE = "missing_stage", _("Concluded without a required stage")
    SUSPENSION_WITHOUT_REASON = "suspension_no_reason", _("Suspension without reason")
    SUSPENSION_TOO_LONG = "suspension_too_long", _("Suspension past its expected length")
    OUTSIDE_ACTOR = "outside_actor", _("Action by a person outside the case's department")
    FEE_ON_FREE_ITEM = "fee_on_free_item", _("Fee charged on a free item")
    RECTIFICATION_LATE = "rectification_late", _("Rectification of a bad rating late")
    WORK_ORDER_LATE = "work_order_late", _("Work order past its deadline")


class Severity(models.IntegerChoices):
    MINOR = 1, _("Minor")  # 一般
    SERIOUS = 2, _("Serious")  # 较重
    GRAVE = 3, _("Grave")  # 严重


class ViolationState(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    CLOSED = "closed", _("Closed")
    UPHELD = "upheld", _("Upheld")


class Violation(models.Model):
    """A breach of a rule found in a case (违规), explained by its department, then closed by a
    supervisor, or upheld against the department."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # What a violation without a case is about, as a readable reference that its rule makes
    # (a rectification's or a work order's number); one violation per rule per subject.
    subject = models.CharField(_("subject"), max_length=40, blank=True)
    stage = models.ForeignKey(
        CaseStage,
        verbose_name=_("stage"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.TextField(_("finding"))
    detected_at = models.DateTimeField(_("detected"))
    state = models.CharField(
        _("state"), max_length=10, choices=ViolationState.choices, default=ViolationState.OPEN
    )
    explanation = models.TextField(_("explanation"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    explained_at = models.DateTimeField(_("explained"), null=True, blank=True)
    decision_note = models.TextField(_("supervisor's note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            # One violation per rule per case, per stage or per subject: detection is idempotent.
            models.UniqueConstraint(
                fields=["rule", "case"],
                condition=Q(stage__isnull=True, case__isnull=False),
                name="violation_unique_case_rule",
            ),
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=Q(case__isnull=True),
                name="violation_unique_subject_rule",
            ),
            models.UniqueConstraint(
                fields=["rule", "stage"],
                condition=Q(stage__isnull=False),
                name="violation_unique_stage_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "state", "detected_at"], name="violation_list_idx"),
            models.Index(fields=["department", "state"], name="violation_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.about} {self.rule}"

    @property
    def about(self) -> str:
        """The case number, or the subject of a violation without a case."""
        return self.case.number if self.case is not None else self.subject


class NoticeState(models.TextChoices):
    ISSUED = "issued", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class SupervisionNotice(models.Model):
    """A supervision notice (督办单) to a department, which must answer by its deadline."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    violation = models.ForeignKey(
        Violation,
        verbose_name=_("violation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    subject = models.CharField(_("subject"), max_length=200)
    request = models.TextField(_("what must be done"))
    answer_days = models.PositiveSmallIntegerField(_("working days to answer"))
    answer_due = models.DateField(_("answer due"))
    # Empty for a notice the electronic supervision issued by itself (a late work order).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"))
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.ISSUED
    )
    late = models.BooleanField(_("answered late or not at all"), default=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "answer_due"], name="notice_due_idx"),
            models.Index(fields=["center", "state"], name="notice_list_idx"),
            models.Index(fields=["department", "state"], name="notice_department_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """督办〔year〕number, as such notices are cited."""
        return f"督办〔{self.issued_at:%Y}〕{self.pk}号"


class SweepCursor(models.Model):
    """How far the sweep has read an append-only table (the case events), by primary key."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sweep cursor")
        verbose_name_plural = _("sweep cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class Dimension(models.TextChoices):
    """What efficiency figures are grouped by (事后监察): the counter and the person are those of
    the clerk who took the case in."""

    DEPARTMENT = "department", _("By department")
    ITEM = "item", _("By service item")
    COUNTER = "counter", _("By counter")
    PERSON = "person", _("By person")


class RollupMonth(models.Model):
    """One month of a center's efficiency rollup (月度汇总), and up to when it counts.

    Its rows hold the cases concluded from the month's first day up to `complete_until`: the
    month's end once the month is over, the time of the computation while it runs. Reports add
    the cases concluded after that live. Recomputing a month locks this row and replaces its rows.
    """

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The month's first day."))
    complete_until = models.DateTimeField(_("counts cases concluded before"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("efficiency rollup month")
        verbose_name_plural = _("efficiency rollup months")
        ordering = ["center", "month"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="rollup_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m}"


class EfficiencyRollup(models.Model):
    """The figures of a month's concluded cases for one department, item, counter or person
    within one department (the department's own row has key = its id).

    `days_used` and `days_promised` are histograms, {working days: cases}, so that means and
    medians over several months come out exact.
    """

    month = models.ForeignKey(RollupMonth, on_delete=models.CASCADE, related_name="rows")
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.BigIntegerField(
        _("department, item, counter or person"),
        null=True,
        blank=True,
        help_text=_("Blank: not recorded (a case taken in by nobody, or by staff at no counter)."),
    )
    concluded = models.PositiveIntegerField(_("cases concluded"), default=0)
    on_time = models.PositiveIntegerField(_("on time"), default=0)
    early = models.PositiveIntegerField(_("concluded early"), default=0)
    suspensions = models.PositiveIntegerField(_("special procedures"), default=0)
    extensions = models.PositiveIntegerField(_("extensions"), default=0)
    days_used = models.JSONField(_("working days used"), default=dict)
    days_promised = models.JSONField(_("promised working days"), default=dict)

    class Meta:
        verbose_name = _("efficiency rollup")
        verbose_name_plural = _("efficiency rollups")
        indexes = [
            models.Index(fields=["month", "dimension", "department"], name="rollup_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month_id} {self.dimension} {self.department_id}/{self.key}"
