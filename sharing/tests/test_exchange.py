"""The exchange feed: each case event and rating reaches its exchange table as a JSON line once,
and only once it has surely committed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import call_command

from cases.models import CaseStatus, SuspensionKind
from cases.services import case_resume, case_suspend
from cases.tests.conftest import accept, submit
from feedback.models import RatingChannel
from feedback.services import RatingInput, rating_give
from sharing.exchange import LocalFolderBackend, exchange_export
from sharing.tests.conftest import ConcludeFn, Registry


def lines(folder: Path, table: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((folder / table).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_cases_events_and_ratings_are_exported_once_each(
    registry: Registry, conclude: ConcludeFn, tmp_path: Path, frozen: time_machine.Traveller
) -> None:
    backend = LocalFolderBackend(tmp_path / "feed")
    case = conclude()
    rating_give(
        case=case,
        channel=RatingChannel.ONLINE,
        given=RatingInput(level=5),
        rater=registry.world.citizen,
    )
    # Rows younger than the late-commit window wait for the next run.
    assert exchange_export(backend=backend) == {}
    frozen.shift(dt.timedelta(minutes=11))
    written = exchange_export(backend=backend)
    assert written["application"] == 1
    assert written["acceptance"] == 1
    assert written["result"] == 1
    assert written["ratings"] == 1
    assert exchange_export(backend=backend) == {}

    folder = tmp_path / "feed"
    [application] = lines(folder, "application")
    assert application["case"] == case.number
    assert application["state"] == CaseStatus.RECEIVED
    assert application["item"] == case.item.implementation_code
    [result] = lines(folder, "result")
    assert result["state"] == CaseStatus.CONCLUDED_APPROVED
    states = [row["state"] for row in lines(folder, "events") if row["case"] == case.number]
    assert states[0] == CaseStatus.RECEIVED and states[-1] == CaseStatus.CONCLUDED_APPROVED
    assert [row["level"] for row in lines(folder, "ratings")] == [5]


def test_special_procedures_carry_their_kind_and_result(
    registry: Registry, tmp_path: Path, frozen: time_machine.Traveller
) -> None:
    case = accept(registry.world, submit(registry.world))
    case_suspend(
        case=case,
        staff=registry.head,
        kind=SuspensionKind.INSPECTION,
        reason="Site inspection of the kitchen.",
        expected_days=3,
    )
    frozen.shift(dt.timedelta(days=1))
    case_resume(case=case, staff=registry.head, result="Kitchen fit for use.")
    frozen.shift(dt.timedelta(minutes=11))
    exchange_export(backend=LocalFolderBackend(tmp_path))
    start, end = lines(tmp_path, "special_procedures")
    assert (start["state"], start["procedure"]) == (CaseStatus.SPECIAL_START, "inspection")
    assert start["reason"] == "Site inspection of the kitchen."
    assert (end["state"], end["result"]) == (CaseStatus.SPECIAL_END, "Kitchen fit for use.")


def test_the_command_exports_to_a_folder(
    registry: Registry, tmp_path: Path, frozen: time_machine.Traveller, capsys: Any
) -> None:
    accept(registry.world, submit(registry.world))
    frozen.shift(dt.timedelta(minutes=11))
    call_command("exchange_export", "--folder", str(tmp_path))
    out = capsys.readouterr().out
    assert "application: 1" in out and "acceptance: 1" in out
    call_command("exchange_export", "--folder", str(tmp_path))
    assert "Nothing new" in capsys.readouterr().out
