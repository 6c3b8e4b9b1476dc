"""Staff assessment (考核): inspection findings, the deduction scale, the score weights, and the
frozen monthly scores with their ranks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from cases.models import PrivateStorage
from catalog.models import Center, Counter, Department


@deconstructible
class PhotoStorage(PrivateStorage):
    """Inspection photos under MEDIA_ROOT/assessment/, without a URL: only the finding's page,
    which checks who reads, serves them."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "assessment")

    def url(self, name: str | None) -> str:
        raise ValueError("Inspection photos have no public URL: serve them through the finding.")


photo_storage = PhotoStorage()


class Category(models.TextChoices):
    """What an inspector found (督查事项)."""

    ATTITUDE = "attitude", _("Service attitude")  # 服务态度
    DISCIPLINE = "discipline", _("Work discipline")  # 工作纪律
    APPEARANCE = "appearance", _("Appearance and dress")  # 仪容仪表
    ABSENCE = "absence", _("Absence from post")  # 脱岗离岗
    PHONE = "phone", _("Phone use at the counter")  # 玩手机
    OTHER = "other", _("Other")  # 其他


# The deduction of each category until a center sets its own (the scale's rows are made from this
# on first use).
DEFAULT_DEDUCTIONS: dict[str, Decimal] = {
    Category.ATTITUDE: Decimal("2"),
    Category.DISCIPLINE: Decimal("2"),
    Category.APPEARANCE: Decimal("1"),
    Category.ABSENCE: Decimal("2"),
    Category.PHONE: Decimal("1"),
    Category.OTHER: Decimal("1"),
}


class DeductionRule(models.Model):
    """A row of a center's deduction scale (扣分标准): the points a finding of a category costs."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="deduction_rules")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    points = models.DecimalField(
        _("deduction (points)"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        max_digits=6,
        decimal_places=2,
    )

    class Meta:
        verbose_name = _("deduction rule")
        verbose_name_plural = _("deduction scale")
        ordering = ["center", "category"]
        constraints = [
            models.UniqueConstraint(fields=["center", "category"], name="deduction_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} −{self.points}"


class Finding(models.Model):
    """An inspection finding (督查记录) against a staff member or a counter: a deduction, or praise
    (表扬). The person may answer it once."""

    class Kind(models.TextChoices):
        DEDUCTION = "deduction", _("Deduction")
        PRAISE = "praise", _("Praise")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    # The staff member's department when the finding was made: its head reads the finding.
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    points = models.DecimalField(
        _("points"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        max_digits=6,
        decimal_places=2,
    )
    note = models.TextField(_("note"), max_length=1000)
    day = models.DateField(_("day"))
    recorded_at = models.DateTimeField(_("recorded"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["-day", "-recorded_at"]
        indexes = [
            models.Index(fields=["center", "day"], name="finding_center_day"),
            models.Index(fields=["staff", "day"], name="finding_staff_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(counter__isnull=False),
                name="finding_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(kind="praise", category="") | Q(kind="deduction") & ~Q(category=""),
                name="finding_category_of_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.staff or self.counter}"

    @property
    def is_praise(self) -> bool:
        return self.kind == self.Kind.PRAISE


def _photo_path(instance: FindingPhoto, filename: str) -> str:
    return f"{instance.finding.day:%Y/%m}/{instance.finding_id}-{Path(filename).name}"


class FindingPhoto(models.Model):
    """A photo taken by the inspector (JPEG or PNG, checked by content), kept privately."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), storage=photo_storage, upload_to=_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["finding", "pk"]

    def __str__(self) -> str:
        return f"{self.finding_id}/{self.pk}"


class ScoreWeights(models.Model):
    """A center's score formula (考核计分办法); see docs/assessment.md. Made with the defaults on
    first use."""

    center = models.OneToOneField(Center, on_delete=models.CASCADE, related_name="score_weights")
    base = models.DecimalField(
        _("starting score"), default=Decimal("100"), max_digits=6, decimal_places=2
    )
    praise_points = models.DecimalField(
        _("points per praise"), default=Decimal("1"), max_digits=6, decimal_places=2
    )
    praise_cap = models.DecimalField(
        _("most points from praise"), default=Decimal("3"), max_digits=6, decimal_places=2
    )
    satisfaction_target = models.DecimalField(
        _("satisfaction target (%)"), default=Decimal("95"), max_digits=6, decimal_places=2
    )
    satisfaction_points = models.DecimalField(
        _("points per percentage point of satisfaction above or below the target"),
        default=Decimal("0.2"),
        max_digits=6,
        decimal_places=2,
    )
    bad_rating_points = models.DecimalField(
        _("points per bad rating"), default=Decimal("1"), max_digits=6, decimal_places=2
    )
    on_time_target = models.DecimalField(
        _("on-time target (%)"), default=Decimal("100"), max_digits=6, decimal_places=2
    )
    on_time_points = models.DecimalField(
        _("points per percentage point of on-time cases below the target"),
        default=Decimal("0.1"),
        max_digits=6,
        decimal_places=2,
    )
    ticket_points = models.DecimalField(
        _("points per ticket served"), default=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    case_points = models.DecimalField(
        _("points per case handled"), default=Decimal("0.02"), max_digits=6, decimal_places=2
    )
    workload_cap = models.DecimalField(
        _("most points from workload"), default=Decimal("5"), max_digits=6, decimal_places=2
    )
    complaint_points = models.DecimalField(
        _("points per upheld complaint"), default=Decimal("3"), max_digits=6, decimal_places=2
    )
    third_party_target = models.DecimalField(
        _("third-party score target"), default=Decimal("90"), max_digits=6, decimal_places=2
    )
    third_party_points = models.DecimalField(
        _("points per point of third-party score above or below the target"),
        default=Decimal("0.2"),
        max_digits=6,
        decimal_places=2,
    )

    class Meta:
        verbose_name = _("score formula")
        verbose_name_plural = _("score formulas")

    def __str__(self) -> str:
        return str(self.center)


class AssessmentMonth(models.Model):
    """A closed month (月考核): its scores are computed once and kept as they were."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="assessment_months")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_at = models.DateTimeField(_("closed"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["center", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="assessment_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center} {self.month:%Y-%m}"


class MonthlyScore(models.Model):
    """The frozen score of one staff member or one counter for a closed month, with its terms."""

    class Subject(models.TextChoices):
        STAFF = "staff", _("Staff member")
        COUNTER = "counter", _("Counter")

    month = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="scores")
    subject = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField(_("name"), max_length=120)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    # The formula's terms and the figures they came from, as computed: {"deductions": "2.00", ...}
    terms = models.JSONField(_("terms"), default=dict)

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        ordering = ["month", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "staff"],
                condition=Q(subject="staff"),
                name="monthly_score_one_per_staff",
            ),
            models.UniqueConstraint(
                fields=["month", "counter"],
                condition=Q(subject="counter"),
                name="monthly_score_one_per_counter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.label} {self.score}"


class Title(models.Model):
    """An honour (评优) proposed from a ranking and approved or declined by the administrator;
    approved ones are shown on the counter screen."""

    class Kind(models.TextChoices):
        EXCELLENT_COUNTER = "excellent_counter", _("Excellent service counter")  # 优秀服务窗口
        SERVICE_STAR = "service_star", _("Service star")  # 优秀服务标兵
        MOST_ADMIRED = "most_admired", _("Most admired counter staff member")  # 最美窗口工作人员

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="titles")
    kind = models.CharField(_("title"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8, help_text=_("2026-11, 2026-Q4 or 2026"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="titles",
    )
    label = models.CharField(_("name"), max_length=120)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["center", "-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(counter__isnull=False),
                name="title_has_holder",
            ),
            models.UniqueConstraint(
                fields=["center", "kind", "period"], name="title_one_per_kind_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.label}"


# --- third-party assessment rounds (第三方评议) ---------------------------------------------------


class AssessorKind(models.TextChoices):
    """Whom a third-party assessor speaks for."""

    DEPUTY = "deputy", _("People's congress deputy")  # 人大代表
    CPPCC = "cppcc", _("CPPCC member")  # 政协委员
    ENTERPRISE = "enterprise", _("Enterprise representative")  # 企业代表
    PUBLIC = "public", _("Member of the public")  # 群众
    MEDIA = "media", _("Media")  # 媒体


# The center's scoring form until it sets its own (its rows are made from this on first use); the
# points add up to 100 so that a sheet's total reads as a score out of 100.
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("服务态度", 25),
    ("办事效率", 25),
    ("业务水平", 20),
    ("政务公开", 15),
    ("窗口环境", 15),
)


class ScoringCriterion(models.Model):
    """A line of a center's third-party scoring form (评议表): what is scored and out of how much.
    A round keeps a copy of the form as it was when the round opened."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="scoring_criteria")
    name = models.CharField(_("criterion"), max_length=60)
    max_points = models.PositiveSmallIntegerField(
        _("most points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring form")
        ordering = ["center", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.max_points})"


class AssessmentRound(models.Model):
    """A third-party assessment round (第三方评议) over a month, quarter or year: invited assessors
    score the counters against the round's form until it closes."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="assessment_rounds")
    name = models.CharField(_("name"), max_length=120)
    period = models.CharField(_("period"), max_length=8, help_text=_("2026-11, 2026-Q4 or 2026"))
    starts_on = models.DateField(_("first day covered"))
    ends_on = models.DateField(_("last day covered"))
    closes_on = models.DateField(
        _("closes on"), help_text=_("Scoring ends on this day; the round closes the day after.")
    )
    # The form as it was when the round opened: [{"key": "c1", "name": "服务态度", "max": 25}, ...]
    criteria = models.JSONField(_("scoring form"), default=list)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["center", "-starts_on", "-pk"]
        indexes = [
            models.Index(
                fields=["closes_on"], condition=Q(state="open"), name="assessment_round_due"
            ),
            models.Index(fields=["center", "state", "ends_on"], name="assessment_round_months"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def max_total(self) -> int:
        return sum(int(criterion["max"]) for criterion in self.criteria)


class RoundAssessor(models.Model):
    """An assessor invited to a round, with whom they speak for."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="assessors")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="assessment_invitations",
    )
    kind = models.CharField(_("speaks for"), max_length=10, choices=AssessorKind.choices)
    invited_at = models.DateTimeField(_("invited"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invited assessor")
        verbose_name_plural = _("invited assessors")
        ordering = ["round", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "assessor"], name="round_assessor_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessor} ({self.get_kind_display()})"


class ScoreSheet(models.Model):
    """One assessor's scores of one counter in a round (评议表): editable until submitted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="sheets")
    invitation = models.ForeignKey(RoundAssessor, on_delete=models.PROTECT, related_name="sheets")
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="+"
    )
    # {"c1": "22", ...}: the points of each criterion of the round's form.
    points = models.JSONField(_("points"), default=dict)
    # The points over the form's most points, out of 100.
    total = models.DecimalField(_("score (out of 100)"), max_digits=5, decimal_places=2)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    updated_at = models.DateTimeField(_("saved"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["round", "counter", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "counter"], name="score_sheet_one_per_assessor_and_counter"
            )
        ]
        indexes = [
            models.Index(fields=["round", "state", "counter"], name="score_sheet_results"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.counter_id} {self.total}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED
