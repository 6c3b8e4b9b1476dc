"""`govhall seed_history`: years of the demo center's cases, valid enough to measure on."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from cases.models import (
    CONCLUDED,
    Case,
    CaseDecision,
    CaseEvent,
    CaseNumberCounter,
    CaseStage,
    CaseStatus,
    CaseSuspension,
    Light,
    StageStatus,
)
from cases.services import case_number_next
from catalog.demo_data import demo_center_seed
from supervision.models import SweepCursor
from supervision.services import EVENT_CURSOR
from workdays.calendar import is_working_day
from workdays.selectors import calendar_load
from workdays.services import calendar_seed

# A Thursday in Beijing, late 2026.
NOW = "2026-11-26T02:00:00Z"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def seeded(db: None, frozen: None) -> dict[str, object]:
    calendar_seed(first_year=2020, last_year=2028)
    demo_center_seed()
    out = StringIO()
    call_command("seed_history", "--cases", "2000", stdout=out)
    summary: dict[str, object] = json.loads(out.getvalue())
    return summary


def test_it_writes_the_cases_asked_for_with_their_events(seeded: dict[str, object]) -> None:
    assert seeded["cases"] == 2000
    assert Case.objects.count() == 2000
    assert CaseEvent.objects.count() == seeded["events"]
    # Every case has its receipt and a few events more for most.
    assert not Case.objects.annotate(n=Count("events")).filter(n=0).exists()
    assert CaseEvent.objects.count() > 2.5 * 2000
    assert CaseDecision.objects.count() == Case.objects.filter(status__in=CONCLUDED).count()


def test_numbers_are_unique_per_day_and_sort_in_order_of_receipt(seeded: dict[str, object]) -> None:
    rows = list(Case.objects.order_by("number").values_list("number", "received_day"))
    assert len({number for number, _day in rows}) == len(rows)
    assert [day for _number, day in rows] == sorted(day for _number, day in rows)
    for number, day in rows:
        assert re.fullmatch(rf"GH{day:%Y%m%d}-\d{{6}}", number)


def test_the_next_real_case_number_follows_the_seeded_ones(seeded: dict[str, object]) -> None:
    last = Case.objects.filter(received_day=TODAY).order_by("-number").first()
    assert last is not None
    counter = CaseNumberCounter.objects.get(day=TODAY)
    assert last.number == f"GH{TODAY:%Y%m%d}-{counter.last:06d}"
    assert case_number_next(TODAY) > last.number


def test_the_history_covers_five_years_of_working_days(seeded: dict[str, object]) -> None:
    calendar = calendar_load()
    days = Case.objects.values_list(
        "received_day", "clock_start", "promised_due", "statutory_due", "warn_on"
    )
    first = min(received for received, *_rest in days)
    assert first >= TODAY.replace(year=2021)
    assert first < TODAY.replace(year=2022)
    for received, clock_start, promised_due, statutory_due, warn_on in days:
        assert received <= TODAY
        assert is_working_day(calendar, received)
        if clock_start is None:
            continue
        assert promised_due is not None and statutory_due is not None and warn_on is not None
        for day in (clock_start, promised_due, statutory_due, warn_on):
            assert is_working_day(calendar, day)
        assert received <= clock_start <= warn_on <= promised_due <= statutory_due


def test_concluded_cases_end_after_they_start_and_not_after_today(
    seeded: dict[str, object],
) -> None:
    for clock_start, concluded_at in Case.objects.filter(status__in=CONCLUDED).values_list(
        "clock_start", "concluded_at"
    ):
        assert clock_start is not None and concluded_at is not None
        assert clock_start <= timezone.localdate(concluded_at) <= TODAY


def test_some_cases_run_today_in_each_light(seeded: dict[str, object]) -> None:
    for light in Light:
        assert Case.objects.lit(light, TODAY).exists(), light
    assert Case.objects.filter(status=CaseStatus.SPECIAL_START).exists()
    assert CaseSuspension.objects.filter(end_day__isnull=True).exists()
    assert Case.objects.filter(status=CaseStatus.RECEIVED).exists()


def test_most_cases_are_concluded_and_a_few_withdrawn_refused_or_suspended(
    seeded: dict[str, object],
) -> None:
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[CaseStatus.CONCLUDED_APPROVED] > 1700
    assert statuses.get(CaseStatus.CONCLUDED_DENIED, 0) > 0
    assert statuses.get(CaseStatus.CONCLUDED_WITH_GAPS, 0) > 0
    assert statuses.get(CaseStatus.NOT_ACCEPTED, 0) + statuses.get(CaseStatus.WITHDRAWN, 0) > 0
    assert CaseSuspension.objects.filter(end_day__isnull=False).exists()


def test_accepted_cases_get_their_stages(seeded: dict[str, object]) -> None:
    without = Case.objects.filter(
        status__in=CONCLUDED, item__promised_days__gt=0, stages__isnull=True
    )
    assert not without.exists()
    # The food licence's own definitions: four stages, two of them in parallel.
    food = CaseStage.objects.filter(case__item__stage_specs__isnull=False).distinct()
    assert food.filter(step=2).exists()
    stages = CaseStage.objects.select_related("case")
    for stage in stages:
        if stage.case.status in CONCLUDED:
            assert stage.status == StageStatus.DONE
        if stage.status != StageStatus.WAITING:
            assert stage.started_on is not None and stage.due is not None
            assert stage.started_on <= stage.warn_on <= stage.due  # type: ignore[operator]


def test_the_same_seed_writes_the_same_history(db: None, frozen: None) -> None:
    calendar_seed(first_year=2020, last_year=2028)
    demo_center_seed()
    call_command("seed_history", "--cases", "300", "--seed", "7", stdout=StringIO())
    first = list(Case.objects.order_by("number").values_list("number", "item_id", "status"))
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    call_command("seed_history", "--cases", "300", "--seed", "7", stdout=StringIO())
    again = list(Case.objects.order_by("number").values_list("number", "item_id", "status"))
    assert again == first


def test_without_the_demo_center_it_says_what_to_run(db: None, frozen: None) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_history", "--cases", "10", stdout=StringIO())


def test_a_count_below_one_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="--cases"):
        call_command("seed_history", "--cases", "0", stdout=StringIO())


def test_the_sweep_goes_on_from_the_seeded_events(seeded: dict[str, object]) -> None:
    cursor = SweepCursor.objects.get(name=EVENT_CURSOR)
    assert cursor.last_id == CaseEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
