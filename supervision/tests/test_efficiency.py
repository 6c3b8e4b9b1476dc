"""The efficiency tables (事后): figures by department, item, counter and person; who sees them."""

from __future__ import annotations

import collections
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseSuspension
from catalog.models import Department
from supervision.efficiency import EfficiencyRow, Period, WorkingDayTable, efficiency_table
from supervision.models import Dimension, Rule, Severity, Violation
from supervision.tests.efficiency_world import Hall, handled, moment
from workdays.calendar import add_working_days, count_working_days, working_day_with_days_left
from workdays.selectors import calendar_current

ZONE = "Asia/Shanghai"
OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def table(
    hall: Hall, dimension: Dimension, department: Department | None = None
) -> dict[int | str | None, EfficiencyRow]:
    result = efficiency_table(
        center=hall.center,
        period=OCTOBER,
        dimension=dimension,
        calendar=calendar_current(),
        department=department,
    )
    return {row.key: row for row in result.rows} | {"total": result.total}


def test_working_days_used_skip_the_national_day_holidays(hall: Hall) -> None:
    case = handled(hall, accepted="2026-09-28", concluded="2026-10-09")
    row = table(hall, Dimension.DEPARTMENT)[hall.market.pk]
    used = count_working_days(calendar_current(), dt.date(2026, 9, 28), dt.date(2026, 10, 9))
    assert row.days_used == collections.Counter({used: 1})
    # Nine weekdays lie in (28 September, 9 October]; the holidays take most of them.
    assert used < 9
    assert row.concluded == 1
    assert case.concluded_at is not None and case.promised_due is not None
    assert row.on_time == (timezone.localdate(case.concluded_at) <= case.promised_due)


def test_on_time_early_and_late_cases_give_the_rates(hall: Hall) -> None:
    early = handled(hall, accepted="2026-10-12", concluded="2026-10-13")
    on_the_day = handled(hall, accepted="2026-10-12", concluded="2026-10-19")
    late = handled(hall, accepted="2026-10-12", concluded="2026-10-21")
    assert early.promised_due == on_the_day.promised_due == dt.date(2026, 10, 19)
    assert late.promised_due == dt.date(2026, 10, 19)
    row = table(hall, Dimension.DEPARTMENT)[hall.market.pk]
    assert (row.concluded, row.on_time, row.early) == (3, 2, 1)
    assert row.on_time_rate == pytest.approx(200 / 3)
    assert row.early_rate == pytest.approx(100 / 3)
    assert row.days_used == collections.Counter({1: 1, 5: 1, 7: 1})
    assert row.mean_used == pytest.approx(13 / 3)
    assert row.median_used == 5
    assert row.mean_promised == 5


def test_a_special_procedure_stops_the_clock_for_the_days_used(hall: Hall) -> None:
    handled(
        hall,
        accepted="2026-10-12",
        suspended=("2026-10-13", "2026-10-16"),
        concluded="2026-10-21",
    )
    suspension = CaseSuspension.objects.get()
    assert suspension.working_days > 0
    row = table(hall, Dimension.DEPARTMENT)[hall.market.pk]
    assert row.suspensions == 1
    assert row.days_used == collections.Counter({7 - suspension.working_days: 1})


def test_cases_concluded_outside_the_period_are_left_out(hall: Hall) -> None:
    handled(hall, accepted="2026-09-14", concluded="2026-09-16")
    handled(hall, accepted="2026-10-26", concluded="2026-11-02")
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    assert table(hall, Dimension.DEPARTMENT)["total"].concluded == 1


def test_each_dimension_groups_by_its_own_column(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    handled(hall, accepted="2026-10-12", concluded="2026-10-15")
    handled(hall, item=hall.health_item, accepted="2026-10-12", concluded="2026-10-14")
    by_item = table(hall, Dimension.ITEM)
    assert by_item[hall.item.pk].concluded == 2
    assert by_item[hall.health_item.pk].concluded == 1
    assert by_item[hall.item.pk].label == hall.item.name
    by_person = table(hall, Dimension.PERSON)
    assert by_person[hall.clerk.pk].concluded == 2
    assert by_person[hall.health_clerk.pk].label == str(hall.health_clerk)
    by_counter = table(hall, Dimension.COUNTER)
    # The health clerk has no counter: their case is counted as not recorded.
    assert by_counter[hall.counter.pk].concluded == 2
    assert by_counter[None].concluded == 1
    assert by_counter["total"].concluded == 3


def test_a_department_sees_only_its_own_cases(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    handled(hall, item=hall.health_item, accepted="2026-10-12", concluded="2026-10-14")
    rows = table(hall, Dimension.ITEM, department=hall.health)
    assert set(rows) == {hall.health_item.pk, "total"}


def test_the_working_day_table_agrees_with_the_calendar(hall: Hall) -> None:
    calendar = calendar_current()
    working = WorkingDayTable(calendar, dt.date(2025, 12, 1), dt.date(2027, 2, 28))
    day = dt.date(2026, 1, 1)
    while day < dt.date(2026, 12, 31):
        assert working.add(day, 7) == add_working_days(calendar, day, 7)
        assert working.count(day, day + dt.timedelta(days=40)) == count_working_days(
            calendar, day, day + dt.timedelta(days=40)
        )
        assert working.working_day_with_days_left(day, 2) == working_day_with_days_left(
            calendar, day, 2
        )
        day += dt.timedelta(days=1)


# --- the page and the export ------------------------------------------------------------------


def login(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


OCTOBER_QUERY = {"start": "2026-10-01", "end": "2026-10-31"}


def test_the_supervisor_reads_the_table_of_each_dimension(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    client = login(hall.supervisor)
    for dimension in Dimension:
        response = client.get(
            reverse("supervision:efficiency"), {**OCTOBER_QUERY, "dimension": dimension}
        )
        assert response.status_code == 200
    page = response.content.decode()
    assert str(hall.clerk) in page
    assert "100.0%" in page


def test_the_period_defaults_to_the_current_month(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    with time_machine.travel(moment("2026-10-20"), tick=False):
        response = login(hall.administrator).get(reverse("supervision:efficiency"))
    assert response.status_code == 200
    assert response.context["period"] == OCTOBER
    assert response.context["table"].total.concluded == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-10-31"}, "YYYY-MM-DD"),
        ({"start": "yesterday", "end": "2026-10-31"}, "YYYY-MM-DD"),
        ({"start": "2026-10-31", "end": "2026-10-01"}, "swap the dates"),
        ({"start": "2024-01-01", "end": "2026-10-31"}, "at most 366 days"),
    ],
)
def test_a_bad_period_is_explained_not_a_server_error(
    hall: Hall, query: dict[str, str], message: str
) -> None:
    response = login(hall.supervisor).get(reverse("supervision:efficiency"), query)
    assert response.status_code == 422
    assert message in response.content.decode()
    export = login(hall.supervisor).get(reverse("supervision:efficiency_xlsx"), query)
    assert export.status_code == 422


def test_a_department_head_sees_the_table_of_his_department_only(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    handled(hall, item=hall.health_item, accepted="2026-10-12", concluded="2026-10-14")
    response = login(hall.health_head).get(
        reverse("supervision:efficiency"), {**OCTOBER_QUERY, "dimension": "item"}
    )
    assert response.status_code == 200
    assert response.context["table"].total.concluded == 1
    page = response.content.decode()
    assert hall.health_item.name in page
    assert hall.item.name not in page


def test_a_supervisor_of_another_center_sees_none_of_these_cases(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    response = login(hall.other_supervisor).get(reverse("supervision:efficiency"), OCTOBER_QUERY)
    assert response.status_code == 200
    assert response.context["table"].total.concluded == 0


@pytest.mark.parametrize("who", ["clerk", "citizen"])
def test_clerks_and_citizens_are_refused(hall: Hall, who: str) -> None:
    user = getattr(hall, who)
    assert login(user).get(reverse("supervision:efficiency")).status_code == 403
    assert login(user).get(reverse("supervision:efficiency_xlsx")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(hall: Hall) -> None:
    response = Client().get(reverse("supervision:efficiency"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_export_has_one_sheet_per_dimension(hall: Hall) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    response = login(hall.supervisor).get(reverse("supervision:efficiency_xlsx"), OCTOBER_QUERY)
    assert response.status_code == 200
    assert "efficiency-" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [str(dimension.label) for dimension in Dimension]
    by_person = workbook[str(Dimension.PERSON.label)]
    rows = list(by_person.iter_rows(values_only=True))
    assert rows[1][:3] == (str(hall.clerk), 1, 1)
    assert rows[-1][:2] == ("Total", 1)


def violation(hall: Hall, case: Case, detected: str, rule: Rule) -> Violation:
    return Violation.objects.create(
        center=hall.center,
        rule=rule,
        severity=Severity.SERIOUS,
        case=case,
        department=hall.market,
        person=hall.clerk,
        counter=hall.counter,
        detail="超期",
        detected_at=moment(detected),
    )


def test_violations_detected_in_the_period_count_for_their_department_person_and_counter(
    hall: Hall,
) -> None:
    case = handled(hall, accepted="2026-09-14", concluded="2026-10-21")
    violation(hall, case, "2026-10-20", Rule.CASE_OVERDUE)
    violation(hall, case, "2026-09-30", Rule.STAGE_OVERDUE)
    assert table(hall, Dimension.DEPARTMENT)[hall.market.pk].violations == 1
    assert table(hall, Dimension.PERSON)[hall.clerk.pk].violations == 1
    assert table(hall, Dimension.COUNTER)[hall.counter.pk].violations == 1
    assert table(hall, Dimension.ITEM)["total"].violations == 1
    assert table(hall, Dimension.ITEM, department=hall.health)["total"].violations == 0
