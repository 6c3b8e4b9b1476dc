from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from workdays import hooks
from workdays.calendar import Calendar, add_working_days, explain_add
from workdays.models import CalendarYear, Holiday, Source, YearStatus
from workdays.selectors import calendar_current
from workdays.services import calendar_import_csv
from workdays.tests.conftest import CSV_2027

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_importing_2027_makes_it_official_and_changes_the_answers(calendar: Calendar) -> None:
    before = explain_add(calendar, date(2027, 9, 24), 1)
    assert (before.end, before.provisional) == (date(2027, 9, 27), True)

    result = calendar_import_csv(year=2027, text=CSV_2027)

    assert (result.holidays, result.makeup_days) == (9, 2)
    assert CalendarYear.objects.get(year=2027).status == YearStatus.OFFICIAL
    after = explain_add(calendar_current(), date(2027, 9, 24), 1)
    assert (after.end, after.provisional) == (date(2027, 9, 26), False)
    assert add_working_days(calendar_current(), date(2027, 9, 30), 1) == date(2027, 10, 8)


def test_importing_replaces_every_day_of_the_year(calendar: Calendar) -> None:
    calendar_import_csv(year=2027, text=CSV_2027)
    assert set(Holiday.objects.filter(date__year=2027).values_list("source", flat=True)) == {
        Source.OFFICIAL
    }
    assert Holiday.objects.filter(date__year=2027).count() == 11


def test_a_bad_row_saves_nothing_and_names_its_line(calendar: Calendar) -> None:
    rows_before = Holiday.objects.filter(date__year=2027).count()
    text = CSV_2027 + "2027-02-30,holiday,春节\n2028-01-01,holiday,元旦\n2027-10-01,rest,国庆节\n"
    with pytest.raises(ValidationError) as caught:
        calendar_import_csv(year=2027, text=text)
    messages = caught.value.messages
    assert any(m.startswith("Line 13:") and "2027-02-30" in m for m in messages)
    assert any(m.startswith("Line 14:") and "does not lie in 2027" in m for m in messages)
    assert any(m.startswith("Line 15:") and "listed twice" in m for m in messages)
    assert any(m.startswith("Line 15:") and "“rest” is unknown" in m for m in messages)
    assert Holiday.objects.filter(date__year=2027).count() == rows_before
    assert CalendarYear.objects.get(year=2027).status == YearStatus.PROVISIONAL


def test_a_makeup_day_on_a_weekday_is_refused(calendar: Calendar) -> None:
    with pytest.raises(ValidationError, match="Line 2: 2027-10-08 is a weekday"):
        calendar_import_csv(year=2027, text="date,kind,name\n2027-10-08,workday,调休\n")


def test_a_file_without_the_header_is_refused(calendar: Calendar) -> None:
    with pytest.raises(ValidationError, match="Line 1 must be the header"):
        calendar_import_csv(year=2027, text="2027-10-01,holiday,国庆节\n")


def test_the_calendar_changed_hook_runs_on_commit_with_the_year(
    calendar: Calendar,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    seen: list[set[int]] = []
    monkeypatch.setattr(hooks, "calendar_changed", [seen.append])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_import_csv(year=2027, text=CSV_2027)
    assert seen == []
    for callback in callbacks:
        callback()
    assert seen == [{2027}]


def test_a_failing_hook_does_not_stop_the_others(
    calendar: Calendar,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    def broken(years: set[int]) -> None:
        raise RuntimeError("boom")

    seen: list[set[int]] = []
    monkeypatch.setattr(hooks, "calendar_changed", [broken, seen.append])
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_csv(year=2027, text=CSV_2027)
    assert seen == [{2027}]


def test_import_command_imports_a_file(calendar: Calendar, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out = StringIO()
    call_command("import_holidays", str(path), "--year", "2027", stdout=out)
    assert "2027" in out.getvalue()
    assert CalendarYear.objects.get(year=2027).status == YearStatus.OFFICIAL


def test_import_command_reports_bad_lines(calendar: Calendar, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text("date,kind,name\nnot-a-date,holiday,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2"):
        call_command("import_holidays", str(path), "--year", "2027")
