"""The rollups follow the cases' events, agree with a count from the cases, and count each
event once."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from cases.services import Applicant, case_accept, case_submit
from feedback.stats import period_parse
from govhall.identifiers import resident_id_with_check
from stats.models import DepartmentDay, RollupState, SubmissionDay, WorkDay
from stats.selectors import Scope, dashboard
from stats.services import stats_rollup_rebuild, stats_rollup_refresh
from stats.tests.conftest import Stats
from supervision.tests.efficiency_world import moment


def _rows() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    submissions = set(
        SubmissionDay.objects.exclude(cases=0).values_list(
            "center_id", "day", "department_id", "item_id", "channel", "status", "cases"
        )
    )
    work = set(
        WorkDay.objects.exclude(accepted=0, concluded=0).values_list(
            "center_id", "day", "department_id", "counter_id", "accepted", "concluded"
        )
    )
    days = set(
        DepartmentDay.objects.exclude(received=0, accepted=0, concluded=0).values_list(
            "center_id", "day", "department_id", "received", "accepted", "concluded"
        )
    )
    return submissions, work, days


def _received(stats: Stats) -> int:
    scope = Scope(center=stats.hall.center, department_id=None)
    figures: int = dashboard(scope=scope, period=period_parse("2026-09"))["cases"]["received"]
    return figures


def test_the_events_counted_agree_with_a_count_from_the_cases(stats: Stats) -> None:
    followed = _rows()
    assert len(followed[0]) == 3  # market received, market concluded, health concluded
    # Market: A and B submitted 09-07, C (health) 09-08; D submitted 09-21.
    assert len(followed[2]) == 6
    run = stats_rollup_rebuild()
    assert run.rows == sum(len(rows) for rows in followed)
    assert run.changed == 0  # the refresh had counted every event: nothing to write
    assert _rows() == followed
    assert RollupState.objects.get().rebuilt_at is not None


def test_the_rebuild_writes_only_what_differs_from_the_cases(stats: Stats) -> None:
    followed = _rows()
    # A row counted wrong, a row lost, a row that no case gives.
    DepartmentDay.objects.filter(received__gt=0).order_by("day").first().delete()  # type: ignore[union-attr]
    SubmissionDay.objects.filter(pk=SubmissionDay.objects.order_by("pk")[0].pk).update(cases=99)
    stray = WorkDay.objects.order_by("pk")[0]
    WorkDay.objects.create(
        center_id=stray.center_id,
        day=stray.day.replace(year=2020),
        department_id=stray.department_id,
        counter_id=stray.counter_id,
        accepted=5,
    )
    assert _rows() != followed

    run = stats_rollup_rebuild()

    assert run.changed == 3
    assert _rows() == followed
    assert stats_rollup_rebuild().changed == 0


def test_a_new_case_counts_after_the_next_refresh_and_once(stats: Stats) -> None:
    hall = stats.hall
    case, _created = case_submit(
        user=hall.citizen,
        item=hall.health_item,
        applicant=Applicant(
            kind="person", name="李四", id_number=resident_id_with_check("11010519491231002")
        ),
        form_data={},
        idempotency_key="later",
        now=moment("2026-09-21", 9),
    )
    assert _received(stats) == 4
    assert stats_rollup_refresh() == 1
    assert _received(stats) == 5
    case_accept(case=case, staff=hall.health_clerk, now=moment("2026-09-21", 9))
    assert stats_rollup_refresh() >= 1
    assert stats_rollup_refresh() == 0
    assert _received(stats) == 5
    followed = _rows()
    stats_rollup_rebuild()
    assert _rows() == followed


def test_the_command_refreshes_and_rebuilds(stats: Stats) -> None:
    out = StringIO()
    call_command("stats_rollup", stdout=out)
    assert "0 case events counted" in out.getvalue()
    call_command("stats_rollup", "--rebuild", stdout=out)
    assert "rollup rows counted from the cases, 0 changed" in out.getvalue()
    assert _received(stats) == 4
