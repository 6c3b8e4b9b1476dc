"""The audit log: append-only entries, hash-chained day by day, and each day's anchor."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The previous hash of the very first entry: there is nothing before it.
GENESIS_HASH = "0" * 64


class AuditDay(models.Model):
    """The anchor of one day's chain (审计日锚点).

    `first_previous_hash` is the last hash of the day before, so the days chain too; `count` and
    `last_hash` follow every append, and the day is sealed when the next day's first entry opens
    the next anchor.
    """

    day = models.DateField(_("day"), primary_key=True)
    first_previous_hash = models.CharField(_("previous day's last hash"), max_length=64)
    count = models.PositiveIntegerField(_("entries"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit day")
        verbose_name_plural = _("audit days")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} ({self.count})"


class AuditEntry(models.Model):
    """One thing that happened (审计日志): who did what to which record, when and from where.

    Rows are never changed or deleted (database triggers refuse it); `hash` covers every field
    and the previous entry's hash, so an edit made around the triggers shows in `audit_verify`.
    """

    day = models.DateField(_("day"))
    seq = models.PositiveIntegerField(_("position in the day"))
    at = models.DateTimeField(_("time"))
    # No database constraint and no cascade: deleting a user must neither touch these rows nor be
    # blocked by them; `actor_label` keeps the entry readable afterwards.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Searches go by `actor_label`: an index here would only slow every append.
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor's name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=50)
    target_type = models.CharField(_("target type"), max_length=30, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    center_id = models.PositiveIntegerField(_("center"), null=True, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    data: models.JSONField[dict[str, Any]] = models.JSONField(_("details"), default=dict)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["day", "seq"], name="audit_entry_day_seq_uniq")
        ]
        indexes = [
            models.Index(fields=["at"], name="audit_entry_at_idx"),
            models.Index(fields=["actor_label", "at"], name="audit_entry_actor_idx"),
            models.Index(fields=["target_id", "at"], name="audit_entry_target_idx"),
            models.Index(fields=["action", "at"], name="audit_entry_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}"

    def canonical(self) -> bytes:
        """The fields the hash covers, serialised the same way whichever database returns them."""
        at = self.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        fields = {
            "day": self.day.isoformat(),
            "seq": self.seq,
            "at": at,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "center_id": self.center_id,
            "ip": self.ip,
            "data": self.data,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(
            fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()
