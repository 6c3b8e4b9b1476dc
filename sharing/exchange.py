"""The exchange feed to the city and province platforms: the center's cases, their events and
ratings as the exchange tables of DESIGN §3, exported incrementally as JSON lines through a
backend (`ExchangeBackend`; the local folder by default).

Each table's rows come from an append-only source read after a cursor (the case events, the
ratings). The cursor only passes rows older than `LATE_COMMIT_WINDOW`, so a row whose
transaction commits late is not skipped; a batch's file is named by the ids it holds, so a batch
written again after a crash replaces its file with the same lines rather than adding a copy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cases.models import CaseEvent, CaseStatus, CaseSuspension, CorrectionNotice
from feedback.models import Rating
from sharing.models import FeedCursor

LATE_COMMIT_WINDOW = dt.timedelta(minutes=10)
BATCH = 5000

APPLICATION = "application"
ACCEPTANCE = "acceptance"
NOTICES = "notices"
SPECIAL_PROCEDURES = "special_procedures"
RESULT = "result"
EVENTS = "events"
RATINGS = "ratings"

# Which exchange table each state code (DESIGN §3) belongs to, besides the events table.
TABLE_OF_STATE: dict[int, str] = {
    CaseStatus.RECEIVED: APPLICATION,
    CaseStatus.ACCEPTED: ACCEPTANCE,
    CaseStatus.NOT_ACCEPTED: ACCEPTANCE,
    CaseStatus.REFUSED: ACCEPTANCE,
    CaseStatus.CORRECTION_START: NOTICES,
    CaseStatus.CORRECTION_END: NOTICES,
    CaseStatus.SPECIAL_START: SPECIAL_PROCEDURES,
    CaseStatus.SPECIAL_END: SPECIAL_PROCEDURES,
    CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE: RESULT,
    CaseStatus.CONCLUDED_APPROVED: RESULT,
    CaseStatus.CONCLUDED_WITH_GAPS: RESULT,
    CaseStatus.CONCLUDED_DENIED: RESULT,
    CaseStatus.WITHDRAWN: RESULT,
    CaseStatus.REVOKED: RESULT,
}


class ExchangeBackend(Protocol):
    """Where the feed's batches go: a folder, an FTP drop, a platform's API."""

    def write(self, *, table: str, batch: str, lines: list[str]) -> str:
        """Store one batch of a table, replacing a batch of the same name; where it went."""
        ...


class LocalFolderBackend:
    """`<folder>/<table>/<batch>.jsonl`, each file written whole or not at all."""

    def __init__(self, folder: Path | None = None) -> None:
        configured = getattr(settings, "GOVHALL_EXCHANGE_DIR", "")
        self.folder = Path(folder or configured or Path(settings.DATA_DIR) / "exchange")

    def write(self, *, table: str, batch: str, lines: list[str]) -> str:
        directory = self.folder / table
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{batch}.jsonl"
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines(line + "\n" for line in lines)
        os.replace(temporary, target)
        return str(target)


def exchange_backend() -> ExchangeBackend:
    path = getattr(settings, "GOVHALL_EXCHANGE_BACKEND", "sharing.exchange.LocalFolderBackend")
    backend: ExchangeBackend = import_string(path)()
    return backend


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def _at(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _case_rows(event: CaseEvent, extra: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The row of the event's own table: the event plus what that table carries."""
    case = event.case
    row: dict[str, Any] = {
        "event_id": event.pk,
        "case": case.number,
        "state": event.to_status,
        "previous_state": event.from_status,
        "at": _at(event.at),
        "note": event.note,
    }
    table = TABLE_OF_STATE[event.to_status]
    if table == APPLICATION:
        row.update(
            item=case.item.implementation_code,
            item_name=case.item.name,
            department=case.item.department.uscc,
            channel=case.channel,
            applicant_kind=case.applicant_kind,
            applicant_name=case.applicant_name,
            applicant_identifier=case.identifier,
            submitted_at=_at(case.submitted_at),
            received_day=case.received_day,
        )
    elif table == ACCEPTANCE and event.to_status == CaseStatus.ACCEPTED:
        row.update(
            clock_start=case.clock_start,
            promised_days=case.promised_days,
            statutory_days=case.statutory_days,
            promised_due=case.promised_due,
            statutory_due=case.statutory_due,
        )
    elif table in (NOTICES, SPECIAL_PROCEDURES, RESULT):
        row.update(extra.get(event.pk, {}))
    return row


def _details(events: list[CaseEvent]) -> dict[int, dict[str, Any]]:
    """The notice, procedure or decision each event of those tables refers to, by event id:
    the record of the same case made at the event's instant."""
    details: dict[int, dict[str, Any]] = {}
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in events:
        by_case[event.case_id].append(event)
    notices = CorrectionNotice.objects.filter(case_id__in=by_case)
    for notice in notices:
        for event in by_case[notice.case_id]:
            if event.to_status == CaseStatus.CORRECTION_START and event.at == notice.created_at:
                details[event.pk] = {"materials": notice.items}
    for suspension in CaseSuspension.objects.filter(case_id__in=by_case):
        for event in by_case[suspension.case_id]:
            if event.to_status == CaseStatus.SPECIAL_START and event.at == suspension.started_at:
                details[event.pk] = {
                    "procedure": suspension.kind,
                    "reason": suspension.reason,
                    "expected_days": suspension.expected_days,
                    "first_day": suspension.start_day,
                }
            elif event.to_status == CaseStatus.SPECIAL_END and event.at == suspension.ended_at:
                details[event.pk] = {
                    "procedure": suspension.kind,
                    "result": suspension.result,
                    "last_day": suspension.end_day,
                    "working_days": suspension.working_days,
                }
    for event in events:
        if TABLE_OF_STATE.get(event.to_status) == RESULT and event.case.concluded_at:
            decision = getattr(event.case, "decision", None)
            if decision is not None:
                details[event.pk] = {
                    "decision_reason": decision.reason,
                    "gaps": decision.gaps,
                    "gaps_due": decision.gaps_due,
                }
    return details


def _settled(rows: list[Any], at: str, cutoff: dt.datetime) -> list[Any]:
    """The leading rows older than `cutoff`: surely committed, with none missing between."""
    settled = []
    for row in rows:
        if getattr(row, at) >= cutoff:
            break
        settled.append(row)
    return settled


def _advance(name: str, old: int, new: int) -> bool:
    return FeedCursor.objects.filter(name=name, last_id=old).update(last_id=new) == 1


def _export_events(backend: ExchangeBackend, cutoff: dt.datetime) -> dict[str, int]:
    cursor, _created = FeedCursor.objects.get_or_create(name="exchange_case_events")
    events = _settled(
        list(
            CaseEvent.objects.filter(pk__gt=cursor.last_id)
            .select_related("case__item__department", "case__decision")
            .order_by("pk")[:BATCH]
        ),
        "at",
        cutoff,
    )
    if not events:
        return {}
    details = _details(events)
    tables: dict[str, list[str]] = defaultdict(list)
    for event in events:
        tables[EVENTS].append(
            _line(
                {
                    "event_id": event.pk,
                    "case": event.case.number,
                    "state": event.to_status,
                    "previous_state": event.from_status,
                    "at": _at(event.at),
                    "note": event.note,
                }
            )
        )
        if event.to_status in TABLE_OF_STATE and event.from_status != event.to_status:
            tables[TABLE_OF_STATE[event.to_status]].append(_line(_case_rows(event, details)))
    batch = f"{events[0].pk:012d}-{events[-1].pk:012d}"
    for table, lines in tables.items():
        backend.write(table=table, batch=batch, lines=lines)
    _advance(cursor.name, cursor.last_id, events[-1].pk)
    return {table: len(lines) for table, lines in tables.items()}


def _export_ratings(backend: ExchangeBackend, cutoff: dt.datetime) -> dict[str, int]:
    cursor, _created = FeedCursor.objects.get_or_create(name="exchange_ratings")
    ratings = _settled(
        list(
            Rating.objects.filter(pk__gt=cursor.last_id)
            .select_related("case")
            .order_by("pk")[:BATCH]
        ),
        "rated_at",
        cutoff,
    )
    if not ratings:
        return {}
    lines = [
        _line(
            {
                "rating_id": rating.pk,
                "case": rating.case.number if rating.case is not None else None,
                "channel": rating.channel,
                "level": rating.level,
                "efficiency": rating.efficiency,
                "guide_accuracy": rating.guide_accuracy,
                "convenience": rating.convenience,
                "ease_of_use": rating.ease_of_use,
                "comment": rating.comment,
                "item_id": rating.item_id,
                "department_id": rating.department_id,
                "counter_id": rating.counter_id,
                "rated_at": _at(rating.rated_at),
            }
        )
        for rating in ratings
    ]
    backend.write(table=RATINGS, batch=f"{ratings[0].pk:012d}-{ratings[-1].pk:012d}", lines=lines)
    _advance(cursor.name, cursor.last_id, ratings[-1].pk)
    return {RATINGS: len(lines)}


def exchange_export(
    *, backend: ExchangeBackend | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Export what is new since the last run, batch by batch; the lines written per table."""
    backend = backend or exchange_backend()
    cutoff = (now or timezone.now()) - LATE_COMMIT_WINDOW
    written: dict[str, int] = defaultdict(int)
    for export in (_export_events, _export_ratings):
        while True:
            with transaction.atomic():
                counts = export(backend, cutoff)
            if not counts:
                break
            for table, count in counts.items():
                written[table] += count
    return dict(written)
