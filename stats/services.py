"""Writes of the statistics: keeping the rollups current from the cases' event rows, and
rebuilding them from the cases themselves.

Every change of a case's state writes a `CaseEvent` (DESIGN §4). The refresh reads the events
after the last one counted and moves each case's count from its old state to its new one, adds
its acceptance and conclusion to the day they happened, and advances the mark: a few rows a
minute. The mark is claimed first with a guarded update, so that two workers never count the
same events. The rebuild (after a bulk import such as `seed_history`, and nightly as a check)
counts everything again from the cases.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from audit.services import audit_record
from cases.models import CONCLUDED, Case, CaseEvent, CaseStatus
from stats.models import DepartmentDay, RollupState, SubmissionDay, WorkDay

# Events per write transaction: on SQLite a transaction holds the one write lock from its start,
# so a catch-up after a bulk import goes in short steps that let the hall's writes through.
REFRESH_BATCH = 5_000
COUNTER_OF_CASE = "handled_by__staff_profile__counter_id"

# (center, day, department, item, channel, status) and (center, day, department, counter).
SubmissionKey = tuple[int, dt.date, int, int, str, int]
WorkKey = tuple[int, dt.date, int, int | None]
# (center, day, department): [received, accepted, concluded].
DayKey = tuple[int, dt.date, int]


def _state() -> RollupState:
    state, _created = RollupState.objects.get_or_create(pk=1)
    return state


def _claim(old: int, new: int) -> bool:
    """Advance the mark from `old` to `new`; False if another worker moved it first."""
    return (
        RollupState.objects.filter(pk=1, last_event_id=old).update(
            last_event_id=new, updated_at=timezone.now()
        )
        == 1
    )


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localdate(moment)


def stats_rollup_refresh(*, batch: int = REFRESH_BATCH) -> int:
    """Count the case events after the mark into the rollups; the number of events counted.

    The events are read and tallied before the write transaction, which only moves the mark and
    applies the tallies; if another worker moved the mark meanwhile, nothing is applied.
    """
    state = _state()
    events = list(
        CaseEvent.objects.filter(pk__gt=state.last_event_id)
        .order_by("pk")
        .values_list(
            "pk",
            "from_status",
            "to_status",
            "case__center_id",
            "case__department_id",
            "case__item_id",
            "case__channel",
            "case__submitted_at",
            "case__accepted_at",
            "case__concluded_at",
            f"case__{COUNTER_OF_CASE}",
        )[:batch]
    )
    if not events:
        return 0
    submissions: Tally[SubmissionKey] = Tally()
    work_accepted: Tally[WorkKey] = Tally()
    work_concluded: Tally[WorkKey] = Tally()
    days: dict[DayKey, list[int]] = {}
    for (
        _pk,
        old,
        new,
        center,
        department,
        item,
        channel,
        submitted_at,
        accepted_at,
        concluded_at,
        counter,
    ) in events:
        if old == new:
            continue
        submitted = timezone.localdate(submitted_at)
        key = (center, submitted, department, item, channel)
        if old is not None:
            submissions[(*key, old)] -= 1
        else:
            days.setdefault((center, submitted, department), [0, 0, 0])[0] += 1
        submissions[(*key, new)] += 1
        accepted_on = _local_day(accepted_at)
        if new == CaseStatus.ACCEPTED and accepted_on is not None:
            work_accepted[(center, accepted_on, department, counter)] += 1
            days.setdefault((center, accepted_on, department), [0, 0, 0])[1] += 1
        concluded_on = _local_day(concluded_at)
        if concluded_on is not None and (new in CONCLUDED) != (old in CONCLUDED):
            change = 1 if new in CONCLUDED else -1
            work_concluded[(center, concluded_on, department, counter)] += change
            days.setdefault((center, concluded_on, department), [0, 0, 0])[2] += change
    with transaction.atomic():
        if not _claim(state.last_event_id, events[-1][0]):
            return 0
        _apply_submissions(submissions)
        _apply_work(work_accepted, work_concluded)
        _apply_days(days)
    return len(events)


def stats_rollup_catch_up() -> int:
    """Refresh batch after batch until every event is counted; the number counted."""
    total = 0
    while counted := stats_rollup_refresh():
        total += counted
    return total


def _apply_submissions(changes: Tally[SubmissionKey]) -> None:
    for (center, day, department, item, channel, status), change in changes.items():
        if change == 0:
            continue
        key: dict[str, Any] = {
            "center_id": center,
            "day": day,
            "department_id": department,
            "item_id": item,
            "channel": channel,
            "status": status,
        }
        if not SubmissionDay.objects.filter(**key).update(cases=F("cases") + change):
            SubmissionDay.objects.create(**key, cases=change)


def _apply_work(accepted: Tally[WorkKey], concluded: Tally[WorkKey]) -> None:
    for key in set(accepted) | set(concluded):
        center, day, department, counter = key
        plus_accepted, plus_concluded = accepted.get(key, 0), concluded.get(key, 0)
        if not plus_accepted and not plus_concluded:
            continue
        # A missing counter must be looked up as IS NULL, which `counter=None` writes.
        found = WorkDay.objects.filter(
            center_id=center, day=day, department_id=department, counter=counter
        ).update(accepted=F("accepted") + plus_accepted, concluded=F("concluded") + plus_concluded)
        if not found:
            WorkDay.objects.create(
                center_id=center,
                day=day,
                department_id=department,
                counter_id=counter,
                accepted=plus_accepted,
                concluded=plus_concluded,
            )


def _apply_days(changes: dict[DayKey, list[int]]) -> None:
    for (center, day, department), (received, accepted, concluded) in changes.items():
        if not (received or accepted or concluded):
            continue
        key: dict[str, Any] = {"center_id": center, "day": day, "department_id": department}
        if not DepartmentDay.objects.filter(**key).update(
            received=F("received") + received,
            accepted=F("accepted") + accepted,
            concluded=F("concluded") + concluded,
        ):
            DepartmentDay.objects.create(
                **key, received=received, accepted=accepted, concluded=concluded
            )


@transaction.atomic
def stats_rollup_rebuild() -> int:
    """Count every case again into the rollups; the number of rollup rows written.

    The mark is set to the last event before the cases are read: an event committed while the
    rebuild reads may be counted twice until the next rebuild, so run it when the hall is quiet
    (the worker does so at night).
    """
    state = _state()
    last = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    if not _claim(state.last_event_id, last):
        return 0
    SubmissionDay.objects.all().delete()
    WorkDay.objects.all().delete()
    DepartmentDay.objects.all().delete()
    days: dict[DayKey, list[int]] = {}
    cases = Case.objects.order_by()
    submitted = (
        cases.annotate(day=TruncDate("submitted_at"))
        .values("center_id", "day", "department_id", "item_id", "channel", "status")
        .annotate(n=Count("pk"))
    )
    rows = SubmissionDay.objects.bulk_create(
        (
            SubmissionDay(
                center_id=row["center_id"],
                day=row["day"],
                department_id=row["department_id"],
                item_id=row["item_id"],
                channel=row["channel"],
                status=row["status"],
                cases=row["n"],
            )
            for row in submitted.iterator()
        ),
        batch_size=5000,
    )
    for row in rows:
        days.setdefault((row.center_id, row.day, row.department_id), [0, 0, 0])[0] += row.cases
    work: dict[WorkKey, list[int]] = {}
    for field, position, condition in (
        ("accepted_at", 0, Q(accepted_at__isnull=False)),
        ("concluded_at", 1, Q(status__in=CONCLUDED, concluded_at__isnull=False)),
    ):
        grouped = (
            cases.filter(condition)
            .annotate(day=TruncDate(field))
            .values_list("center_id", "day", "department_id", COUNTER_OF_CASE)
            .annotate(n=Count("pk"))
        )
        for center, day, department, counter, count in grouped.iterator():
            work.setdefault((center, day, department, counter), [0, 0])[position] += count
            days.setdefault((center, day, department), [0, 0, 0])[position + 1] += count
    WorkDay.objects.bulk_create(
        (
            WorkDay(
                center_id=center,
                day=day,
                department_id=department,
                counter_id=counter,
                accepted=accepted,
                concluded=concluded,
            )
            for (center, day, department, counter), (accepted, concluded) in work.items()
        ),
        batch_size=5000,
    )
    DepartmentDay.objects.bulk_create(
        (
            DepartmentDay(
                center_id=center,
                day=day,
                department_id=department,
                received=received,
                accepted=accepted,
                concluded=concluded,
            )
            for (center, day, department), (received, accepted, concluded) in days.items()
        ),
        batch_size=5000,
    )
    RollupState.objects.filter(pk=1).update(rebuilt_at=timezone.now())
    audit_record(
        action="stats.rollup_rebuild",
        target_type="stats.rollup",
        data={
            "last_event_id": last,
            "submission_rows": len(rows),
            "work_rows": len(work),
            "day_rows": len(days),
        },
    )
    return len(rows) + len(work) + len(days)
