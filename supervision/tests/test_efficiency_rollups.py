"""The monthly efficiency rollups: tables from rollups equal tables counted live, a running
month adds what was concluded since, the worker refreshes two months, the command rebuilds all."""

from __future__ import annotations

import collections
import datetime as dt
import random
import statistics

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cases.models import CaseStatus
from supervision.efficiency import EfficiencyRow, Period, _median, efficiency_table
from supervision.models import Dimension, EfficiencyRollup, RollupMonth
from supervision.services import (
    efficiency_rollup_compute,
    efficiency_rollup_rebuild,
    efficiency_rollup_refresh,
)
from supervision.tasks import efficiency_rollup_task
from supervision.tests.efficiency_world import Hall, handled, moment
from workdays.selectors import calendar_current

# From the middle of September to the middle of November: October whole, two partial months.
PERIOD = Period(dt.date(2026, 9, 15), dt.date(2026, 11, 20))


def figures(row: EfficiencyRow) -> tuple[object, ...]:
    return (
        row.label,
        row.concluded,
        row.on_time,
        row.early,
        row.suspensions,
        row.extensions,
        row.violations,
        row.days_used,
        row.days_promised,
    )


def tables(hall: Hall, period: Period = PERIOD) -> dict[tuple[str, str], list[tuple[object, ...]]]:
    """Every dimension's table, center-wide and for each department, as plain figures."""
    result: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for department in (None, hall.market, hall.health):
        for dimension in Dimension:
            table = efficiency_table(
                center=hall.center,
                period=period,
                dimension=dimension,
                calendar=calendar_current(),
                department=department,
            )
            result[dimension, str(department)] = [
                figures(row) for row in [*table.rows, table.total]
            ]
    return result


def history(hall: Hall) -> None:
    handled(hall, accepted="2026-09-07", concluded="2026-09-10")  # before the period
    handled(hall, accepted="2026-09-14", concluded="2026-09-16")
    handled(hall, accepted="2026-09-28", concluded="2026-10-09")
    handled(
        hall, accepted="2026-10-12", concluded="2026-10-23", suspended=("2026-10-13", "2026-10-16")
    )
    handled(hall, item=hall.health_item, accepted="2026-10-19", concluded="2026-10-21")
    handled(
        hall,
        item=hall.health_item,
        accepted="2026-10-26",
        concluded="2026-11-06",
        outcome=CaseStatus.CONCLUDED_DENIED,
    )
    handled(hall, accepted="2026-11-16", concluded="2026-11-18")
    handled(hall, accepted="2026-11-23", concluded="2026-11-25")  # after the period


def test_tables_from_rollups_equal_the_tables_counted_live(hall: Hall) -> None:
    history(hall)
    live = tables(hall)
    months = efficiency_rollup_rebuild(center=hall.center, now=moment("2026-12-02"))
    assert months == 4  # September to the running December
    assert RollupMonth.objects.filter(center=hall.center).count() == 4
    assert tables(hall) == live
    # A period of whole months is read from the rollups alone.
    whole = Period(dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    EfficiencyRollup.objects.filter(
        month__month=dt.date(2026, 10, 1), dimension=Dimension.DEPARTMENT, key=hall.market.pk
    ).update(concluded=99)
    total = tables(hall, whole)[Dimension.DEPARTMENT, "None"][-1]
    assert total[1] == 99 + 1 + 5  # October's market row as stored, its health row, the others


def test_a_running_month_adds_what_was_concluded_after_its_rollup(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    rollup = efficiency_rollup_compute(
        center=hall.center, month=dt.date(2026, 10, 5), now=moment("2026-10-20")
    )
    assert rollup is not None
    assert (rollup.month, rollup.complete_until) == (dt.date(2026, 10, 1), moment("2026-10-20"))
    handled(hall, accepted="2026-10-21", concluded="2026-10-22")
    october = Period.month_of(dt.date(2026, 10, 1))
    table = efficiency_table(
        center=hall.center,
        period=october,
        dimension=Dimension.PERSON,
        calendar=calendar_current(),
    )
    assert table.total.concluded == 2
    assert sum(row.concluded for row in rollup.rows.filter(dimension=Dimension.PERSON)) == 1


def test_recomputing_a_month_replaces_its_rows(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    for _round in range(2):
        efficiency_rollup_compute(
            center=hall.center, month=dt.date(2026, 10, 1), now=moment("2026-11-02")
        )
    rows = EfficiencyRollup.objects.filter(dimension=Dimension.DEPARTMENT)
    assert [(row.key, row.concluded) for row in rows] == [(hall.market.pk, 1)]
    assert (
        efficiency_rollup_compute(
            center=hall.center, month=dt.date(2026, 12, 1), now=moment("2026-11-02")
        )
        is None
    )


def test_the_worker_refreshes_the_running_and_the_previous_month_every_ten_minutes(
    hall: Hall,
) -> None:
    task = efficiency_rollup_task.task_class()
    start = dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.UTC)
    runs = [n for n in range(60) if task.validate_datetime(start + dt.timedelta(minutes=n))]
    assert runs == [0, 10, 20, 30, 40, 50]
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    with time_machine.travel(moment("2026-11-03"), tick=False):
        # Two months of each center: the hall's and the other supervisor's.
        assert efficiency_rollup_task.call_local() == 4
    months = RollupMonth.objects.filter(center=hall.center).values_list("month", flat=True)
    assert sorted(months) == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert efficiency_rollup_refresh(now=moment("2026-11-03", 11)) == 4


def test_the_command_rebuilds_every_month_and_explains_a_bad_month(hall: Hall) -> None:
    handled(hall, accepted="2026-09-14", concluded="2026-09-16")
    with time_machine.travel(moment("2026-11-03"), tick=False):
        call_command("efficiency_rollup")
    assert RollupMonth.objects.count() == 3
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("efficiency_rollup", "--since", "September")
    with pytest.raises(CommandError, match="no center"):
        call_command("efficiency_rollup", "--center", "nowhere")


def test_the_median_of_a_histogram_is_the_median_of_its_values() -> None:
    rng = random.Random(5)
    for size in range(1, 40):
        values = [rng.randint(0, 12) for _ in range(size)]
        assert _median(collections.Counter(values)) == statistics.median(values)
    assert _median(collections.Counter()) is None
