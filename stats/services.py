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
from dataclasses import dataclass
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


# Reads of the cases a rebuild makes before it gives up waiting for a quiet moment.
REBUILD_ATTEMPTS = 3


@dataclass(frozen=True)
class RebuildRun:
    rows: int  # rollup rows the cases give
    changed: int  # rows written, updated or deleted to make the rollups agree


# A rollup row's key and its counts, as `_make_agree` takes them.
Counted = dict[tuple[Any, ...], tuple[int, ...]]


def _counted_from_cases() -> tuple[Counted, Counted, Counted]:
    """Every rollup row as counted from the cases themselves, without writing anything."""
    cases = Case.objects.order_by()
    submissions: Counted = {}
    days: dict[DayKey, list[int]] = {}
    submitted = (
        cases.annotate(day=TruncDate("submitted_at"))
        .values_list("center_id", "day", "department_id", "item_id", "channel", "status")
        .annotate(n=Count("pk"))
    )
    for center, day, department, item, channel, status, count in submitted.iterator():
        submissions[(center, day, department, item, channel, status)] = (count,)
        days.setdefault((center, day, department), [0, 0, 0])[0] += count
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
    return (
        submissions,
        {key: tuple(counts) for key, counts in work.items()},
        {key: tuple(counts) for key, counts in days.items()},
    )


def _make_agree(
    model: type[SubmissionDay | WorkDay | DepartmentDay],
    keys: tuple[str, ...],
    values: tuple[str, ...],
    wanted: Counted,
) -> int:
    """Change the model's rows to exactly `wanted`: delete the rows it lacks, update the rows
    that differ, create the missing ones. The number of rows changed."""

    def row(key: tuple[Any, ...], counts: tuple[int, ...], pk: int | None = None) -> Any:
        return model(
            pk=pk, **dict(zip(keys, key, strict=True)), **dict(zip(values, counts, strict=True))
        )

    stale: list[int] = []
    differ: list[Any] = []
    missing = dict(wanted)
    for pk, *found in model.objects.order_by().values_list("pk", *keys, *values).iterator():
        key, have = tuple(found[: len(keys)]), tuple(found[len(keys) :])
        want = missing.pop(key, None)
        if want is None:
            stale.append(pk)
        elif want != have:
            differ.append(row(key, want, pk))
    for start in range(0, len(stale), 5000):
        model.objects.filter(pk__in=stale[start : start + 5000]).delete()
    model.objects.bulk_update(differ, list(values), batch_size=5000)
    model.objects.bulk_create((row(key, want) for key, want in missing.items()), batch_size=5000)
    return len(stale) + len(differ) + len(missing)


def stats_rollup_rebuild() -> RebuildRun:
    """Count every case again and make the rollups agree with that count.

    The cases are read before any write, so that on SQLite the rebuild does not hold the one
    write lock while it reads millions of cases; only the rows that differ are written, in one
    transaction (none, on a night when the refresh missed nothing). If cases changed while they
    were read, they are read again, up to REBUILD_ATTEMPTS times; after that the count is written
    anyway, and a case event committed during the last read may be counted twice until the next
    rebuild, so run it when the hall is quiet (the worker does so at night).
    """
    for attempt in range(1, REBUILD_ATTEMPTS + 1):
        last = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        submissions, work, days = _counted_from_cases()
        with transaction.atomic():
            now_last = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
            if now_last != last and attempt < REBUILD_ATTEMPTS:
                continue
            # Two rebuilds at once (the night's and an operator's) write one after the other.
            RollupState.objects.select_for_update().get_or_create(pk=1)
            changed = _make_agree(
                SubmissionDay,
                ("center_id", "day", "department_id", "item_id", "channel", "status"),
                ("cases",),
                submissions,
            )
            changed += _make_agree(
                WorkDay,
                ("center_id", "day", "department_id", "counter_id"),
                ("accepted", "concluded"),
                work,
            )
            changed += _make_agree(
                DepartmentDay,
                ("center_id", "day", "department_id"),
                ("received", "accepted", "concluded"),
                days,
            )
            RollupState.objects.filter(pk=1).update(
                last_event_id=last, rebuilt_at=timezone.now(), updated_at=timezone.now()
            )
            run = RebuildRun(rows=len(submissions) + len(work) + len(days), changed=changed)
            audit_record(
                action="stats.rollup_rebuild",
                target_type="stats.rollup",
                data={
                    "last_event_id": last,
                    "submission_rows": len(submissions),
                    "work_rows": len(work),
                    "day_rows": len(days),
                    "rows_changed": changed,
                    "reads": attempt,
                },
            )
        return run
    raise AssertionError("unreachable: the last attempt always writes")
