"""The periodic Huey task: every minute, light alerts, new violations and late notices at once."""

from __future__ import annotations

import datetime as dt

import time_machine

from cases.tests.conftest import accept, submit
from supervision.services import SweepResult
from supervision.tasks import supervision_sweep_task
from supervision.tests.conftest import People


def test_the_sweep_runs_every_minute() -> None:
    task = supervision_sweep_task.task_class()
    start = dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.UTC)
    assert all(task.validate_datetime(start + dt.timedelta(minutes=n)) for n in range(60))


def test_the_task_sends_the_alerts_and_records_the_violations(
    people: People, frozen: time_machine.Traveller
) -> None:
    accept(people.world, submit(people.world))
    frozen.move_to("2026-10-12T10:00:00+08:00")
    result = supervision_sweep_task.call_local()
    # The case: yellow (clerk) and red (head); its review stage: yellow (clerk) and red (head).
    assert result == SweepResult(alerts=4, violations=2, late_notices=0)
    assert supervision_sweep_task.call_local() == SweepResult(
        alerts=0, violations=0, late_notices=0
    )
