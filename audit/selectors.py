"""Reads of the audit log: who may read it, the supervisors' search, and the chain's check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from audit.models import GENESIS_HASH, AuditDay, AuditEntry

# The role groups that read the log (accounts.roles.Role values). The audit app sits below
# accounts and imports no app of ours, so it names the groups; a test keeps the names in step.
READER_ROLES = ("supervisor", "administrator")


def user_center_id(user: AbstractBaseUser | AnonymousUser | None) -> int | None:
    """The center a user works for, through the hook named by GOVHALL_AUDIT_USER_CENTER.

    The hook belongs to the app that knows staff (catalog); the audit log cannot import it.
    """
    path = getattr(settings, "GOVHALL_AUDIT_USER_CENTER", "")
    if user is None or not path:
        return None
    center = import_string(path)(user)
    return int(center.pk) if center is not None else None


def may_read_log(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups = getattr(user, "groups", None)
    return groups is not None and bool(groups.filter(name__in=READER_ROLES).exists())


def entries_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AuditEntry]:
    """Everything for a superuser; a supervisor or administrator sees their center's entries."""
    if not may_read_log(user):
        return AuditEntry.objects.none()
    if getattr(user, "is_superuser", False):
        return AuditEntry.objects.all()
    center_id = user_center_id(user)
    if center_id is None:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(center_id=center_id)


def entries_search(
    entries: QuerySet[AuditEntry],
    *,
    person: str = "",
    target: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Filter by person (who acted, or whose account it was about), target, action and days.

    `action` matches a whole code or a family ("case." finds every case transition); the days
    are the center's local days, both included. Newest first.
    """
    if person:
        entries = entries.filter(Q(actor_label=person) | Q(target_type="user", target_id=person))
    if target:
        entries = entries.filter(target_id=target)
    if action:
        entries = entries.filter(action__startswith=action)
    if since is not None:
        entries = entries.filter(at__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    return entries.order_by("-at", "-pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


# --- the chain's check -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    day: dt.date
    problem: str
    entry_id: int | None = None
    at: dt.datetime | None = None

    def __str__(self) -> str:
        if self.entry_id is None:
            return _("Day %(day)s: %(problem)s") % {"day": self.day, "problem": self.problem}
        at = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S") if self.at else ""
        return _("Entry %(id)s (%(at)s, day %(day)s): %(problem)s") % {
            "id": self.entry_id,
            "at": at,
            "day": self.day,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class ChainReport:
    days: int
    entries: int
    last_hash: str
    broken: ChainBreak | None


def chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walk every day's chain in order and check every hash, link and anchor."""
    stray = (
        AuditEntry.objects.exclude(day__in=AuditDay.objects.values("day"))
        .order_by("day", "seq")
        .first()
    )
    days = entries = 0
    running = GENESIS_HASH
    for anchor in AuditDay.objects.order_by("day").iterator():
        if stray is not None and stray.day < anchor.day:
            break
        days += 1
        if anchor.first_previous_hash != running:
            return ChainReport(
                days, entries, running, ChainBreak(anchor.day, _no_link_to_previous_day())
            )
        expected_seq = 0
        day_entries = AuditEntry.objects.filter(day=anchor.day).order_by("seq")
        for entry in day_entries.iterator(chunk_size=chunk_size):
            expected_seq += 1
            problem = _entry_problem(entry, expected_seq=expected_seq, previous_hash=running)
            if problem:
                broken = ChainBreak(anchor.day, problem, entry.pk, entry.at)
                return ChainReport(days, entries, running, broken)
            running = entry.hash
            entries += 1
        if expected_seq != anchor.count or running != anchor.last_hash:
            problem = _(
                "the day's anchor records %(count)s entries ending in %(hash)s, but the day "
                "holds %(found)s entries ending in %(last)s: entries were removed or added."
            ) % {
                "count": anchor.count,
                "hash": anchor.last_hash[:12],
                "found": expected_seq,
                "last": running[:12],
            }
            return ChainReport(days, entries, running, ChainBreak(anchor.day, problem))
    if stray is not None:
        problem = _("this entry belongs to a day that has no anchor.")
        broken = ChainBreak(stray.day, problem, stray.pk, stray.at)
        return ChainReport(days, entries, running, broken)
    return ChainReport(days, entries, running, None)


def _no_link_to_previous_day() -> str:
    return _(
        "the day's anchor does not continue from the previous day's last hash: a day was "
        "removed or its anchor changed."
    )


def _entry_problem(entry: AuditEntry, *, expected_seq: int, previous_hash: str) -> str:
    if entry.seq != expected_seq:
        return _(
            "it is number %(seq)s of its day, where number %(expected)s was due: the entries "
            "between were removed."
        ) % {"seq": entry.seq, "expected": expected_seq}
    if entry.previous_hash != previous_hash:
        return _(
            "its previous hash does not match the entry before it: an entry before it was "
            "removed, added or replaced."
        )
    if entry.compute_hash() != entry.hash:
        return _("its content does not match its hash: it was changed after it was written.")
    return ""
