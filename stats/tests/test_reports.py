"""The daily, monthly and annual reports: figures by department and counter that match the
database, Excel and PDF downloads written to the audit log, and scoping."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db.models import Count

from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import login
from hall.models import Ticket
from stats.reports import ReportKind, report_build, report_period
from stats.selectors import Scope
from stats.tests.conftest import Stats


def _sheet_rows(content: bytes, title: str) -> dict[str, tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[title]
    rows = list(sheet.iter_rows(values_only=True))
    return {str(row[0]): tuple(row[1:]) for row in rows[1:]}


def test_the_monthly_report_by_department_and_counter(stats: Stats) -> None:
    hall = stats.hall
    period = report_period(ReportKind.MONTHLY, "2026-09-21", dt.date(2026, 9, 21))
    report = report_build(
        scope=Scope(center=hall.center, department_id=None), kind=ReportKind.MONTHLY, period=period
    )
    departments, counters = report.tables
    rows = {row.label: row.cells()[1:] for row in departments.rows}
    # tickets served, mean wait, accepted, concluded, on time, on-time rate, ratings, satisfaction
    assert rows[hall.market.name] == (1, 10.0, 2, 2, 1, 50.0, 1, 100.0)
    assert rows[hall.health.name] == (0, None, 1, 1, 1, 100.0, 0, None)
    assert departments.total.cells()[1:] == (1, 10.0, 3, 3, 2, 66.7, 1, 100.0)
    by_counter = {row.label: row.cells()[1:] for row in counters.rows}
    assert by_counter[str(hall.counter)] == (1, 10.0, 2, 2, 1, 50.0, 1, 100.0)
    assert by_counter["Not recorded"] == (0, None, 1, 1, 1, 100.0, 0, None)


def test_the_daily_report_counts_only_its_day(stats: Stats) -> None:
    period = report_period(ReportKind.DAILY, "2026-09-07", dt.date(2026, 9, 21))
    report = report_build(
        scope=Scope(center=stats.hall.center, department_id=None),
        kind=ReportKind.DAILY,
        period=period,
    )
    assert report.tables[0].total.accepted == 2
    assert report.tables[0].total.concluded == 0
    assert report.tables[0].total.tickets_served == 0


def test_the_excel_report_totals_match_the_database_and_the_export_is_audited(
    stats: Stats,
) -> None:
    answer = login(stats.hall.supervisor).get("/stats/reports/annual.xlsx?day=2026-09-21")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('2026.xlsx"')
    rows = _sheet_rows(answer.content, "By department")
    total = rows["Total"]
    year = (
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8),
        dt.datetime(2027, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8),
    )
    center = stats.hall.center
    served = Ticket.objects.filter(
        center=center, status=Ticket.Status.DONE, finished_at__range=year
    ).count()
    accepted = Case.objects.filter(center=center, accepted_at__range=year).count()
    concluded = Case.objects.filter(center=center, concluded_at__range=year).count()
    assert (total[0], total[2], total[3]) == (served, accepted, concluded)
    by_department = dict(
        Case.objects.filter(center=center, accepted_at__range=year)
        .values("department__name")
        .annotate(n=Count("pk"))
        .values_list("department__name", "n")
    )
    assert {name: row[2] for name, row in rows.items() if name != "Total"} == by_department
    entry = AuditEntry.objects.filter(action="export", target_type="stats.report").get()
    assert entry.actor_id == stats.hall.supervisor.pk
    assert "annual" in entry.data["file"]


def test_the_pdf_report_is_a_pdf(stats: Stats) -> None:
    answer = login(stats.hall.administrator).get("/stats/reports/daily.pdf?day=2026-09-21")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(target_type="stats.report").count() == 1


def test_a_department_heads_report_holds_his_department_only(stats: Stats) -> None:
    answer = login(stats.hall.head).get("/stats/reports/monthly.xlsx?day=2026-09-01")
    rows = _sheet_rows(answer.content, "By department")
    assert set(rows) == {stats.hall.market.name, "Total"}
    assert rows["Total"][2] == 2
    page = login(stats.hall.head).get("/stats/reports/?kind=monthly&day=2026-09-01")
    assert page.status_code == 200
    assert stats.hall.health.name not in page.content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/stats/reports/weekly.xlsx", "daily, monthly or annual"),
        ("/stats/reports/daily.pdf?day=2026-02-30", "YYYY-MM-DD"),
        ("/stats/reports/?kind=daily&day=yesterday", "YYYY-MM-DD"),
    ],
)
def test_bad_report_requests_get_a_message(stats: Stats, url: str, message: str) -> None:
    answer = login(stats.hall.supervisor).get(url)
    assert answer.status_code == 422
    assert message in answer.content.decode()


def test_citizens_and_clerks_get_no_report(stats: Stats) -> None:
    assert login(stats.citizen).get("/stats/reports/monthly.xlsx").status_code == 403
    assert login(stats.outsider).get("/stats/reports/").status_code == 403
    assert not AuditEntry.objects.filter(target_type="stats.report").exists()
