"""Complaints, suggestions and 12345 hotline work orders (工单), their events and deadlines."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from catalog.models import Center, Counter, Department


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    SUGGESTION = "suggestion", _("Suggestion")  # 建议


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    BOX = "box", _("Suggestion box")  # 意见箱
    PHONE = "phone", _("Supervision phone")  # 监督电话
    HOTLINE = "hotline", _("12345 hotline")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")  # 受理
    DISPATCHED = "dispatched", _("Dispatched")  # 派单
    RETURNED = "returned", _("Sent back to the dispatcher")  # 退单
    SIGNED = "signed", _("Signed for")  # 签收
    HANDLING = "handling", _("Being handled")  # 办理
    REPLIED = "replied", _("Replied")  # 回复
    CONCLUDED = "concluded", _("Concluded")  # 办结
    VISITED = "visited", _("Called back")  # 回访
    RATED = "rated", _("Rated")  # 评价


# The states in which the order is still being worked on and its deadline runs.
OPEN_STATES = (
    State.RECEIVED,
    State.DISPATCHED,
    State.RETURNED,
    State.SIGNED,
    State.HANDLING,
    State.REPLIED,
)
CONCLUDED_STATES = (State.CONCLUDED, State.VISITED, State.RATED)


class ComplaintFinding(models.TextChoices):
    """Whether a concluded complaint was found justified: the assessment counts only upheld and
    partly upheld complaints against the person or counter concerned."""

    UPHELD = "upheld", _("Upheld")  # 属实
    PARTLY_UPHELD = "partly", _("Partly upheld")  # 部分属实
    NOT_UPHELD = "not_upheld", _("Not upheld")  # 不属实


# The findings that count against the person or counter a complaint is about.
UPHELD_FINDINGS = (ComplaintFinding.UPHELD, ComplaintFinding.PARTLY_UPHELD)


class Satisfaction(models.IntegerChoices):
    """The complainant's view of how the order was handled, asked on the call-back."""

    SATISFIED = 3, _("Satisfied")  # 满意
    BASICALLY_SATISFIED = 2, _("Basically satisfied")  # 基本满意
    DISSATISFIED = 1, _("Dissatisfied")  # 不满意


# Working days from receipt to conclusion, by kind, unless the center's policy says otherwise.
DEFAULT_DAYS = {
    Kind.CONSULTATION: 3,
    Kind.HELP: 3,
    Kind.COMPLAINT: 13,
    Kind.SUGGESTION: 13,
}


class WorkOrderPolicy(models.Model):
    """A center's deadlines for work orders, in working days from receipt to conclusion."""

    center = models.OneToOneField(
        Center, on_delete=models.CASCADE, related_name="work_order_policy"
    )
    consultation_days = models.PositiveSmallIntegerField(
        _("consultation (working days)"), default=DEFAULT_DAYS[Kind.CONSULTATION]
    )
    help_days = models.PositiveSmallIntegerField(
        _("request for help (working days)"), default=DEFAULT_DAYS[Kind.HELP]
    )
    complaint_days = models.PositiveSmallIntegerField(
        _("complaint (working days)"), default=DEFAULT_DAYS[Kind.COMPLAINT]
    )
    suggestion_days = models.PositiveSmallIntegerField(
        _("suggestion (working days)"), default=DEFAULT_DAYS[Kind.SUGGESTION]
    )

    class Meta:
        verbose_name = _("work order deadlines")
        verbose_name_plural = _("work order deadlines")

    def __str__(self) -> str:
        return str(self.center)

    def days_for(self, kind: str) -> int:
        """The working days an order of this kind has."""
        days: int = getattr(self, f"{kind}_days")
        return days


class WorkOrderNumberCounter(models.Model):
    """The last work order number given out on a day; its row is locked while one is taken."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("work order number counter")
        verbose_name_plural = _("work order number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class WorkOrderQuerySet(models.QuerySet["WorkOrder"]):
    def overdue(self, today: dt.date) -> WorkOrderQuerySet:
        """Still being worked on past the due date."""
        return self.filter(state__in=OPEN_STATES, due__lt=today)


class WorkOrder(models.Model):
    """A complaint, suggestion, consultation or request for help (工单), from any channel."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="work_orders")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    hotline_id = models.CharField(
        _("12345 order number"),
        max_length=40,
        blank=True,
        help_text=_("The number the 12345 platform gave the order; unique in the center."),
    )
    content = models.TextField(_("content"), max_length=4000)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = models.CharField(_("name"), max_length=60, blank=True)
    complainant_mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    complainant_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("complainant's account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The follow-up code is shown once; only its hash is kept, like a password.
    follow_code_hash = models.CharField(max_length=128, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("dispatched to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due = models.DateField(_("due"))
    remind_on = models.DateField(_("reminder day"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    late_notified_at = models.DateTimeField(_("late notice sent"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    finding = models.CharField(
        _("finding"), max_length=10, choices=ComplaintFinding.choices, blank=True
    )
    finding_at = models.DateTimeField(_("finding recorded"), null=True, blank=True)
    finding_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finding recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visit_note = models.TextField(_("what the complainant said on the call-back"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "hotline_id"],
                condition=~Q(hotline_id=""),
                name="work_order_hotline_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["center", "kind", "received_on"], name="work_order_figures_idx"),
            models.Index(fields=["center", "state", "due"], name="work_order_due_idx"),
            models.Index(fields=["department", "state"], name="work_order_department_idx"),
            models.Index(
                fields=["remind_on"],
                condition=Q(reminded_at__isnull=True),
                name="work_order_remind_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today: dt.date) -> bool:
        return self.state in OPEN_STATES and self.due < today

    def on_time(self) -> bool | None:
        """Concluded by its due date; None while it is open."""
        if self.concluded_on is None:
            return None
        return self.concluded_on <= self.due


class WorkOrderEvent(models.Model):
    """A change of a work order's state, with who did it and a note (the order's timeline)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["work_order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.from_state} → {self.to_state}"
