"""Cases (办件): applications for one item, their events, materials, notices and access log."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any, TypedDict, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import WithAnnotations

from accounts.roles import Role
from catalog.models import Bundle, Center, Counter, Department, Fee, MaterialSpec, ServiceItem
from hall.models import Ticket


class CaseStatus(models.IntegerChoices):
    """The case states as exchanged between approval platforms (DESIGN §3): keep the codes."""

    RECEIVED = 1, _("Received")  # 已接件
    WITHDRAWN_BEFORE_ACCEPTANCE = 2, _("Withdrawn before acceptance")
    ACCEPTED = 3, _("Accepted")  # 受理
    NOT_ACCEPTED = 4, _("Not accepted")  # 不予受理
    REFUSED = 5, _("Refused")
    CORRECTION_START = 6, _("Correction requested")  # 补正
    CORRECTION_END = 7, _("Correction handed in")
    PROCESSING = 8, _("Being processed by the department")
    SPECIAL_START = 9, _("Special procedure started")  # 特别程序
    SPECIAL_END = 10, _("Special procedure ended")
    CONCLUDED_APPROVED = 11, _("Concluded: approved")  # 办结
    CONCLUDED_WITH_GAPS = 12, _("Concluded with tolerated gaps")  # 容缺
    CONCLUDED_DENIED = 13, _("Concluded: denied")
    WITHDRAWN = 14, _("Withdrawn")  # 撤件
    REVOKED = 15, _("Revoked")


# The states in which a decision on acceptance is still due.
AWAITING_ACCEPTANCE = (CaseStatus.RECEIVED, CaseStatus.CORRECTION_END)
# The states in which the departments work on the case and its clock runs.
IN_PROCESS = (CaseStatus.ACCEPTED, CaseStatus.PROCESSING, CaseStatus.SPECIAL_END)
# Accepted and not concluded: the states whose due dates still matter.
OPEN_AFTER_ACCEPTANCE = (*IN_PROCESS, CaseStatus.SPECIAL_START)
CONCLUDED = (
    CaseStatus.CONCLUDED_APPROVED,
    CaseStatus.CONCLUDED_WITH_GAPS,
    CaseStatus.CONCLUDED_DENIED,
)


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/cases/ without a URL: only a view that checks rights serves them."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "cases")

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Case materials have no public URL: serve them through the case view.")


private_storage = PrivateStorage()


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")  # 网上申报
    COUNTER = "counter", _("At a counter")  # 窗口


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Individual")
    LEGAL = "legal", _("Legal entity")


class Light(models.TextChoices):
    """The deadline light of a running case or stage (DESIGN §3, supervision during handling)."""

    GREEN = "green", _("Green light")  # 绿灯
    YELLOW = "yellow", _("Yellow light")  # 黄灯
    RED = "red", _("Red light")  # 红灯
    SEVERE = "severe", _("Severely overdue")  # 严重超期


def _light_conditions(today: date, *, statutory: str | None, promised: str) -> dict[Light, Q]:
    """The lights as filters over the stored columns, mirroring `Case.light`/`CaseStage.light`.

    Each light excludes the graver ones, so exactly one holds for a running row.
    """
    graver = Q()
    lights: dict[Light, Q] = {}
    if statutory is not None:
        lights[Light.SEVERE] = Q(**{f"{statutory}__lt": today})
        graver = Q(**{f"{statutory}__gte": today})
    lights[Light.RED] = graver & Q(**{f"{promised}__lt": today})
    graver &= Q(**{f"{promised}__gte": today})
    lights[Light.YELLOW] = graver & Q(warn_on__lte=today)
    lights[Light.GREEN] = graver & Q(warn_on__gt=today)
    return lights


class LightAnnotation(TypedDict):
    """The annotation `annotate_light` adds: a `Light` value, or None when the clock stops."""

    light: str | None


def _light_expression(running: Q, conditions: dict[Light, Q]) -> models.Case:
    return models.Case(
        *(
            models.When(running & q, then=models.Value(light.value))
            for light, q in conditions.items()
        ),
        default=None,
        output_field=models.CharField(max_length=8, null=True),
    )


class CaseQuerySet(models.QuerySet["Case"]):
    def awaiting_acceptance(self) -> CaseQuerySet:
        return self.filter(status__in=AWAITING_ACCEPTANCE)

    def running(self) -> CaseQuerySet:
        """Accepted, not concluded and not suspended: the cases whose clock runs."""
        return self.filter(
            status__in=IN_PROCESS,
            promised_due__isnull=False,
            statutory_due__isnull=False,
            warn_on__isnull=False,
        )

    def lit(self, light: Light, today: date) -> CaseQuerySet:
        """The running cases showing `light` on `today`."""
        conditions = _light_conditions(today, statutory="statutory_due", promised="promised_due")
        return self.running().filter(conditions[Light(light)])

    def annotate_light(
        self, today: date
    ) -> models.QuerySet[WithAnnotations[Case, LightAnnotation]]:
        """Each case with `light`: its light's value on `today`, or None when its clock stops."""
        conditions = _light_conditions(today, statutory="statutory_due", promised="promised_due")
        running = Q(status__in=IN_PROCESS, warn_on__isnull=False)
        # Unpacked, so that the type checker's Django plugin does not take the annotation for a
        # second definition of the `light` method.
        annotated = self.annotate(**{"light": _light_expression(running, conditions)})
        return cast("models.QuerySet[WithAnnotations[Case, LightAnnotation]]", annotated)


class Case(models.Model):
    """One application for one item (办件), numbered GHyyyymmdd-nnnnnn."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="cases")
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="cases"
    )
    # The item's competent department when the case was submitted, kept on the case so that a
    # department's lists filter one indexed column rather than guess through the item join;
    # `case_department_idx` leads with it, so it needs no index of its own.
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    number = models.CharField(_("case number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=8, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    submitted_at = models.DateTimeField(_("submitted"))
    received_day = models.DateField(_("day of receipt"))
    acceptance_due = models.DateField(
        _("acceptance decision due"),
        null=True,
        blank=True,
        help_text=_("Five working days after receipt (行政许可法 art. 32)."),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    clock_start = models.DateField(
        _("limits counted from"),
        null=True,
        blank=True,
        help_text=_("The acceptance day, or the day of receipt when acceptance came late."),
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised limit (working days)"), null=True, blank=True
    )
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory limit (working days)"), null=True, blank=True
    )
    promised_due = models.DateField(_("promised due date"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory due date"), null=True, blank=True)
    warn_on = models.DateField(
        _("yellow from"),
        null=True,
        blank=True,
        help_text=_("The working day from which the light is yellow (the lead before the due)."),
    )
    due_provisional = models.BooleanField(_("due dates provisional"), default=False)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    corrections_count = models.PositiveSmallIntegerField(_("correction requests"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    idempotency_key = models.CharField(max_length=100, blank=True, default="", editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
    )
    person_requested = models.BooleanField(
        _("handling by a person requested"),
        default=False,
        help_text=_("The applicant asked that a person, not automatic approval, handle the case."),
    )
    bundle_application = models.ForeignKey(
        "BundleApplication",
        verbose_name=_("bundle application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    anonymised_at = models.DateTimeField(
        _("personal data removed"),
        null=True,
        blank=True,
        help_text=_(
            "When the retention period ended and the applicant's personal data was removed."
        ),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-number"]
        permissions = [("conclude_on_the_spot", _("Can accept and conclude on-the-spot items"))]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant_user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_unique_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["center", "status", "promised_due"], name="case_worklist_idx"),
            # A department's lights and lists (its head's overdue list).
            models.Index(
                fields=["department", "status", "promised_due"], name="case_department_idx"
            ),
            models.Index(fields=["center", "status", "acceptance_due"], name="case_acceptance_idx"),
            # The supervision's light queries: running cases by each threshold.
            models.Index(fields=["center", "status", "warn_on"], name="case_warn_idx"),
            models.Index(fields=["center", "status", "statutory_due"], name="case_statutory_idx"),
            models.Index(fields=["item", "status"], name="case_item_status_idx"),
            models.Index(fields=["applicant_user", "-submitted_at"], name="case_applicant_idx"),
            # Efficiency (事后) and the rating links look for the cases concluded in a period.
            models.Index(fields=["concluded_at"], name="case_concluded_idx"),
            # A department's share of them: without it the planners walk the department's
            # concluded cases through `case_department_idx` (430,000 for the busiest).
            models.Index(
                fields=["department", "concluded_at"], name="case_department_concluded_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def identifier(self) -> str:
        """The applicant's resident ID or USCC, whichever the kind of applicant has."""
        return self.id_number if self.applicant_kind == ApplicantKind.PERSON else self.uscc

    @property
    def awaits_acceptance(self) -> bool:
        return self.status in AWAITING_ACCEPTANCE

    def light(self, today: date) -> Light | None:
        """The deadline light on `today`; None while the clock does not run (not accepted yet,
        concluded, or suspended by a special procedure)."""
        if (
            self.status not in IN_PROCESS
            or self.promised_due is None
            or self.statutory_due is None
            or self.warn_on is None
        ):
            return None
        if today > self.statutory_due:
            return Light.SEVERE
        if today > self.promised_due:
            return Light.RED
        if today >= self.warn_on:
            return Light.YELLOW
        return Light.GREEN


class CaseEvent(models.Model):
    """A change of a case's state, with who did it and why (the case's timeline)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.PositiveSmallIntegerField(
        _("from"), choices=CaseStatus.choices, null=True, blank=True
    )
    to_status = models.PositiveSmallIntegerField(_("to"), choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class CaseDraft(models.Model):
    """An application being written online; the token makes a double submission one case."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_drafts"
    )
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    data: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application draft")
        verbose_name_plural = _("application drafts")

    def __str__(self) -> str:
        return str(self.token)


def _material_path(instance: CaseMaterial, filename: str) -> str:
    return f"{instance.case.number}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:6]}"


class CaseMaterial(models.Model):
    """An uploaded material: stored privately, checked by content, served only by the case view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    spec = models.ForeignKey(
        MaterialSpec,
        verbose_name=_("material"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=_material_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CorrectionNotice(models.Model):
    """The one-time notice (一次性告知书) listing every missing or faulty material at once.

    `items` is a list of {"spec": MaterialSpec id or null, "name": material name, "reason": text}.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="correction_notices")
    items: models.JSONField[list[dict[str, Any]]] = models.JSONField(_("materials"), default=list)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second notice allowed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("one-time correction notice")
        verbose_name_plural = _("one-time correction notices")
        ordering = ["case", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class CaseAccess(models.Model):
    """A read of a case's personal data by staff (个人信息保护法: reads are logged)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    what = models.CharField(_("what"), max_length=60)

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["case", "-at"], name="case_access_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id} {self.what}"


class CaseNumberCounter(models.Model):
    """The last sequence number given out on a day; its row is locked while a number is taken."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class StageStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")


class CaseStageQuerySet(models.QuerySet["CaseStage"]):
    def running(self) -> CaseStageQuerySet:
        """Active stages of cases whose clock runs (a suspended case's stages wait with it)."""
        return self.filter(
            status=StageStatus.ACTIVE,
            case__status__in=IN_PROCESS,
            due__isnull=False,
            warn_on__isnull=False,
        )

    def lit(self, light: Light, today: date) -> CaseStageQuerySet:
        """The running stages showing `light` on `today` (stages go up to red: they have no
        statutory date)."""
        if light == Light.SEVERE:
            return self.none()
        conditions = _light_conditions(today, statutory=None, promised="due")
        return self.running().filter(conditions[Light(light)])

    def annotate_light(
        self, today: date
    ) -> models.QuerySet[WithAnnotations[CaseStage, LightAnnotation]]:
        """Each stage with `light`: its light's value on `today`, or None when it is not running."""
        conditions = _light_conditions(today, statutory=None, promised="due")
        running = Q(status=StageStatus.ACTIVE, case__status__in=IN_PROCESS, warn_on__isnull=False)
        annotated = self.annotate(**{"light": _light_expression(running, conditions)})
        return cast("models.QuerySet[WithAnnotations[CaseStage, LightAnnotation]]", annotated)


class CaseStage(models.Model):
    """A stage of the case's approval (审批环节), copied from the item's stage definitions.

    Stages with the same `step` run in parallel (并联审批); the next step starts when all are done.
    `due` counts `days` plus the working days of suspensions from `started_on`.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    step = models.PositiveSmallIntegerField(_("step"))
    name = models.CharField(_("name"), max_length=60)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    days = models.PositiveSmallIntegerField(_("working days"))
    suspended_days = models.PositiveSmallIntegerField(_("suspended working days"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=StageStatus.choices, default=StageStatus.WAITING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_stages",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_on = models.DateField(_("counted from"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    warn_on = models.DateField(_("yellow from"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.TextField(_("result"), blank=True)

    objects = CaseStageQuerySet.as_manager()

    class Meta:
        verbose_name = _("case stage")
        verbose_name_plural = _("case stages")
        ordering = ["case", "step", "pk"]
        indexes = [
            models.Index(fields=["department", "status", "due"], name="stage_worklist_idx"),
            models.Index(fields=["department", "status", "warn_on"], name="stage_warn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"

    def light(self, today: date) -> Light | None:
        """The stage's light on `today`; None unless it is active and its case's clock runs.
        Stages have no statutory date, so their gravest light is red."""
        if (
            self.status != StageStatus.ACTIVE
            or self.case.status not in IN_PROCESS
            or self.due is None
            or self.warn_on is None
        ):
            return None
        if today > self.due:
            return Light.RED
        if today >= self.warn_on:
            return Light.YELLOW
        return Light.GREEN


class SuspensionKind(models.TextChoices):
    """The special procedures of 行政许可法 art. 45 that stop the clock."""

    HEARING = "hearing", _("Hearing")  # 听证
    EXPERT_REVIEW = "expert_review", _("Expert review")  # 专家评审
    TESTING = "testing", _("Testing")  # 检验检测
    INSPECTION = "inspection", _("Inspection")  # 勘验
    QUARANTINE = "quarantine", _("Quarantine")  # 检疫
    APPRAISAL = "appraisal", _("Appraisal")  # 鉴定
    TENDERING = "tendering", _("Tendering")  # 招标拍卖


class CaseSuspension(models.Model):
    """A special procedure (特别程序): the case's clock stops from `start_day` to `end_day`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("procedure"), max_length=16, choices=SuspensionKind.choices)
    reason = models.TextField(_("reason"))
    expected_days = models.PositiveSmallIntegerField(_("expected working days"))
    started_at = models.DateTimeField(_("started"))
    start_day = models.DateField(_("first day"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_day = models.DateField(_("last day"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("result"), blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days lasted"), default=0)

    class Meta:
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        ordering = ["case", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class CaseExtension(models.Model):
    """An extension (延期) asked by a reviewer and decided by the department head (art. 42)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["case", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class DeliveryMethod(models.TextChoices):
    COUNTER = "counter", _("Pick-up at a counter")
    MAIL = "mail", _("Mail")
    ELECTRONIC = "electronic", _("Electronic")


class CaseDecision(models.Model):
    """The decision (决定) concluding a case, and how its documents reached the applicant."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision")
    outcome = models.PositiveSmallIntegerField(_("outcome"), choices=CaseStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    gaps = models.TextField(_("to be handed in later"), blank=True)
    gaps_due = models.DateField(_("to be handed in by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: decided automatically (秒批)."),
    )
    decided_at = models.DateTimeField(_("decided"))
    delivery_method = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    delivery_counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


class CaseFee(models.Model):
    """A fee charged on a case (收费), as the clerk recorded it when the applicant paid.

    It names the catalog fee it is charged under (with that fee's name and basis copied, since
    the catalog changes) and whether the item was free of charge at the time: a charge on a free
    item is recorded all the same, for supervision to take up (收费 on a 免费 item is a
    violation, not something a form can make unhappen).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fees")
    fee = models.ForeignKey(
        Fee,
        verbose_name=_("catalog fee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: charged under no fee of the catalog."),
    )
    name = models.CharField(_("fee"), max_length=100)
    basis = models.TextField(_("basis"), blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    item_free = models.BooleanField(
        _("item free of charge"), help_text=_("The catalog listed the item as free when charged.")
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("charged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    charged_at = models.DateTimeField(_("charged"))

    class Meta:
        verbose_name = _("fee charged")
        verbose_name_plural = _("fees charged")
        ordering = ["case", "charged_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="casefee_amount_positive"),
        ]
        indexes = [
            # Supervision looks for the charges on free items: few, so a small partial index.
            models.Index(
                fields=["charged_at"], condition=Q(item_free=True), name="casefee_free_item_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.amount}"


class CaseCertificate(models.Model):
    """The certificate (证照) an approved case issued: a plain record the registry reads later."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    name = models.CharField(_("certificate"), max_length=60)
    holder_name = models.CharField(_("holder"), max_length=100)
    holder_identifier = models.CharField(_("holder's ID number or USCC"), max_length=18)
    issuer = models.ForeignKey(
        Department, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate record")
        verbose_name_plural = _("certificate records")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["holder_identifier", "name"], name="certificate_holder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.valid_until is None or day <= self.valid_until)


class CaseRuleCheck(models.Model):
    """A rule of automatic approval (秒批) checked on the case, with its outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rule_checks")
    position = models.PositiveSmallIntegerField(_("position"))
    rule = models.CharField(_("rule"), max_length=300)
    passed = models.BooleanField(_("held"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        verbose_name = _("automatic approval check")
        verbose_name_plural = _("automatic approval checks")
        ordering = ["case", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule}: {self.passed}"


class BundleApplication(models.Model):
    """One application for a bundle (一件事), numbered YJyyyymmdd-nnnnnn: its cases are linked."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), on_delete=models.PROTECT, related_name="applications"
    )
    number = models.CharField(_("bundle application number"), max_length=20, unique=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bundle_applications"
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    submitted_at = models.DateTimeField(_("submitted"))
    idempotency_key = models.CharField(max_length=100, editable=False)

    class Meta:
        verbose_name = _("bundle application")
        verbose_name_plural = _("bundle applications")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant_user", "idempotency_key"],
                name="bundle_application_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["applicant_user", "-submitted_at"], name="bundle_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.number
