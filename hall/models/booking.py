"""Bookings of the hall: appointments (网上预约), verification codes, special services and the SMS
outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Center, QueueCategory, ServiceItem
from hall.models.queue import PriorityGroup, Ticket


class Appointment(models.Model):
    """A booked place in a slot of a queue category (预约); checking in turns it into a ticket."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("Did not come")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="appointments")
    category = models.ForeignKey(
        QueueCategory,
        verbose_name=_("queue category"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    day = models.DateField(_("day"))
    slot_start = models.TimeField(_("slot begins"))
    id_number = models.CharField(_("resident ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=60)
    mobile = models.CharField(_("mobile"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    code = models.CharField(_("booking code"), max_length=12, unique=True, editable=False)
    created_at = models.DateTimeField(_("booked"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-day", "slot_start"]
        indexes = [
            models.Index(
                fields=["category", "day", "slot_start", "status"], name="appointment_slot_idx"
            ),
            models.Index(fields=["id_number", "status", "day"], name="appointment_person_idx"),
            models.Index(
                fields=["day", "slot_start"],
                condition=Q(status="booked"),
                name="appointment_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VerificationCode(models.Model):
    """A one-time code sent by SMS to prove that a mobile number belongs to the person booking."""

    class Purpose(models.TextChoices):
        BOOKING = "booking", _("Booking")

    mobile = models.CharField(_("mobile"), max_length=20)
    code_hash = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(
        _("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.BOOKING
    )
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(
                fields=["mobile", "purpose", "-created_at"], name="verification_recent_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mobile} {self.purpose}"


class SpecialServiceRequest(models.Model):
    """A request for extended hours (延时服务), a home visit (上门服务) or assisted handling (代办)
    by or for a person of the priority groups."""

    class Kind(models.TextChoices):
        EXTENDED_HOURS = "extended_hours", _("Extended hours")
        HOME_VISIT = "home_visit", _("Home visit")
        ASSISTED = "assisted", _("Assisted handling")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="special_service_requests"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    priority_group = models.CharField(
        _("priority group"), max_length=10, choices=PriorityGroup.choices
    )
    name = models.CharField(_("applicant"), max_length=60)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    mobile = models.CharField(_("mobile"), max_length=20)
    requested_by = models.CharField(
        _("requested by (relative or agent)"), max_length=60, blank=True
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    preferred_day = models.DateField(_("preferred day"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("requested"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("special service request")
        verbose_name_plural = _("special service requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(priority_group=""), name="special_service_priority_group"
            )
        ]
        indexes = [
            models.Index(fields=["center", "status", "-created_at"], name="special_service_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class OutboxMessage(models.Model):
    """A text message to send: queued in the transaction that decided it, handed to its backend
    by the worker (`hall.sms.sms_outbox_send`), marked sent afterwards."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    mobile = models.CharField(_("mobile"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    backend = models.CharField(_("backend"), max_length=100)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # While pending: when a worker may take it (again); a worker that took it and died leaves it
    # to be taken again once its claim has lapsed.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_idx",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"
