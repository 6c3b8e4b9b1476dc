"""The queue floor of the hall: policy, tickets and their events, counters' states and pauses,
ratings at the pad, devices, alerts and notices."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Center, Counter, QueueCategory, ServiceItem


class HallPolicy(models.Model):
    """The hall rules of one center (排队规则), every number configurable by its administrator."""

    class MissedRule(models.TextChoices):
        BACK_OF_QUEUE = "back", _("Re-join at the back of the queue")
        KEEP_PLACE = "keep", _("Re-join with the original place")
        NOT_ALLOWED = "none", _("Take a new ticket")

    center = models.OneToOneField(Center, on_delete=models.CASCADE, related_name="hall_policy")
    morning_opens = models.TimeField(_("morning opens"), default=dt.time(9, 0))
    morning_closes = models.TimeField(_("morning closes"), default=dt.time(12, 0))
    afternoon_opens = models.TimeField(_("afternoon opens"), default=dt.time(13, 30))
    afternoon_closes = models.TimeField(_("afternoon closes"), default=dt.time(17, 30))
    slot_minutes = models.PositiveSmallIntegerField(_("appointment slot (minutes)"), default=30)
    average_service_minutes = models.PositiveSmallIntegerField(
        _("average service time (minutes)"), default=10
    )
    booking_days_ahead = models.PositiveSmallIntegerField(_("slots released days ahead"), default=7)
    max_active_bookings = models.PositiveSmallIntegerField(
        _("active bookings per ID number"), default=3
    )
    cancel_return_minutes = models.PositiveSmallIntegerField(
        _("a cancelled place returns after (minutes)"), default=30
    )
    no_show_limit = models.PositiveSmallIntegerField(_("no-shows that suspend booking"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(
        _("no-shows counted over (days)"), default=90
    )
    suspension_days = models.PositiveSmallIntegerField(
        _("booking suspended for (days)"), default=30
    )
    appointment_head_start_minutes = models.PositiveSmallIntegerField(
        _("head start of appointment check-ins (minutes)"), default=30
    )
    priority_head_start_minutes = models.PositiveSmallIntegerField(
        _("head start of the priority lane (minutes)"), default=20
    )
    recall_limit = models.PositiveSmallIntegerField(_("recalls allowed"), default=2)
    missed_rule = models.CharField(
        _("a missed ticket"),
        max_length=4,
        choices=MissedRule.choices,
        default=MissedRule.BACK_OF_QUEUE,
    )
    missed_rejoin_minutes = models.PositiveSmallIntegerField(
        _("a missed ticket may re-join within (minutes)"), default=60
    )
    call_template = models.CharField(
        _("call announcement"), max_length=100, default="请{number}号到{counter}号窗口办理"
    )
    wait_alert_minutes = models.PositiveSmallIntegerField(
        _("alert when a wait passes (minutes)"), default=30
    )
    queue_alert_length = models.PositiveSmallIntegerField(
        _("alert when a queue passes"), default=30
    )

    class Meta:
        verbose_name = _("hall policy")
        verbose_name_plural = _("hall policies")

    def __str__(self) -> str:
        return str(self.center)


class PriorityGroup(models.TextChoices):
    """The groups served by the priority lane (绿色通道) and the special services."""

    NONE = "", _("None")
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Disabled")
    VETERAN = "veteran", _("Veteran or military family")
    PREGNANT = "pregnant", _("Pregnant or with an infant")
    OTHER = "other", _("Other special need")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def waiting(self) -> TicketQuerySet:
        return self.filter(status=Ticket.Status.WAITING)

    def of_day(self, center: Center, day: dt.date) -> TicketQuerySet:
        return self.filter(center=center, service_date=day)


class Ticket(models.Model):
    """A queue ticket (排队号): A001, valid on its service day."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        RECEPTION = "reception", _("Reception")
        REMOTE = "remote", _("Phone (virtual queue)")
        APPOINTMENT = "appointment", _("Appointment check-in")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(
        QueueCategory,
        verbose_name=_("queue category"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    service_date = models.DateField(_("day"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.KIOSK
    )
    priority_group = models.CharField(
        _("priority group"), max_length=10, choices=PriorityGroup.choices, default="", blank=True
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # The moment the ticket counts from in the queue: issue time less its head start. Calling
    # takes the earliest; ordinary tickets overtake priority ones once they have waited longer
    # than the head start, so no one waits without bound.
    queue_at = models.DateTimeField(_("queue position time"))
    issued_at = models.DateTimeField(_("issued"))
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    service_started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    for_counter = models.ForeignKey(
        Counter,
        verbose_name=_("transferred to counter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only this counter may call the ticket."),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    rejoins = models.PositiveSmallIntegerField(_("re-joins"), default=0)
    mobile = models.CharField(_("mobile for the call notice"), max_length=20, blank=True)
    access_key = models.CharField(max_length=32, unique=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-service_date", "queue_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "service_date", "category", "sequence"],
                name="ticket_unique_number",
            )
        ]
        indexes = [
            models.Index(
                fields=["category", "queue_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting_idx",
            ),
            models.Index(fields=["center", "service_date", "status"], name="ticket_day_idx"),
            # The call-next order: a counter serving several queues takes the first waiting
            # ticket of the day it may call, found by walking this index instead of sorting.
            models.Index(
                fields=["center", "service_date", "queue_at", "id"],
                condition=Q(status="waiting"),
                name="ticket_call_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    """Every change of a ticket, written by the service that made it."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Recalled")
        MISSED = "missed", _("Missed")
        REJOINED = "rejoined", _("Re-joined")
        TRANSFERRED = "transferred", _("Transferred")
        STARTED = "started", _("Service started")
        FINISHED = "finished", _("Service finished")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "-at"], name="ticket_event_recent_idx")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"


class CounterState(models.Model):
    """What a counter is doing now (窗口状态): closed, free, serving or paused (离岗)."""

    class Status(models.TextChoices):
        CLOSED = "closed", _("Closed")
        FREE = "free", _("Free")
        SERVING = "serving", _("Serving")
        PAUSED = "paused", _("Paused")

    counter = models.OneToOneField(Counter, on_delete=models.CASCADE, related_name="state")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.CLOSED
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("current ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pause_reason = models.CharField(_("pause reason"), max_length=12, blank=True)
    since = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("counter state")
        verbose_name_plural = _("counter states")

    def __str__(self) -> str:
        return f"{self.counter} {self.status}"


class CounterPause(models.Model):
    """A pause of a counter (离岗) with its reason and length: part of the staff's record."""

    class Reason(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        BREAK = "break", _("Break")
        TRAINING = "training", _("Training")
        FILES = "files", _("Fetching files")
        OTHER = "other", _("Other")

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="pauses")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("counter pause")
        verbose_name_plural = _("counter pauses")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.counter} {self.reason}"

    @classmethod
    def reason_label(cls, reason: str) -> str:
        """The shown label of a pause reason; empty for none (a counter that is not paused)."""
        return str(cls.Reason(reason).label) if reason in cls.Reason.values else ""


class PadRating(models.Model):
    """One rating from the pad at the counter for one service (一次一评)."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied")  # 非常满意
        SATISFIED = 4, _("Satisfied")  # 满意
        BASICALLY_SATISFIED = 3, _("Basically satisfied")  # 基本满意
        DISSATISFIED = 2, _("Dissatisfied")  # 不满意
        VERY_DISSATISFIED = 1, _("Very dissatisfied")  # 非常不满意

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="pad_rating")
    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="pad_ratings")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    # The optional on-site indicators, asked after the level.
    efficiency = models.PositiveSmallIntegerField(
        _("efficiency"), choices=Level.choices, null=True, blank=True
    )
    service_level = models.PositiveSmallIntegerField(
        _("service level"), choices=Level.choices, null=True, blank=True
    )
    attitude = models.PositiveSmallIntegerField(
        _("attitude"), choices=Level.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(_("rated"))

    class Meta:
        verbose_name = _("pad rating")
        verbose_name_plural = _("pad ratings")
        # Satisfaction statistics read a period's pad ratings by their time.
        indexes = [models.Index(fields=["created_at"], name="pad_rating_created_idx")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.level}"


class Device(models.Model):
    """A kiosk, hall display, counter screen or pad that calls the API with its own token."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        DISPLAY = "display", _("Hall display")
        COUNTER = "counter", _("Counter terminal")

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="devices",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token begins"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.name


class HallAlert(models.Model):
    """The hall manager's alert: a category's wait or queue passed its threshold."""

    class Kind(models.TextChoices):
        WAIT = "wait", _("Longest wait")
        LENGTH = "length", _("Queue length")

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="hall_alerts")
    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.PositiveIntegerField(_("value"))
    threshold = models.PositiveIntegerField(_("threshold"))
    counters_to_open = models.PositiveSmallIntegerField(_("counters to open"), default=0)
    raised_at = models.DateTimeField(_("raised"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("hall alert")
        verbose_name_plural = _("hall alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="hall_alert_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.kind}"


class HallNotice(models.Model):
    """A notice scrolling on the hall screen."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="hall_notices")
    text = models.CharField(_("text"), max_length=200)
    active = models.BooleanField(_("shown"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("hall notice")
        verbose_name_plural = _("hall notices")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.text
