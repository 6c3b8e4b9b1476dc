"""Statistics in a browser: a supervisor opens the leaders' dashboard, whose ECharts charts draw
the figures of the demo center, and downloads the annual report, whose totals match the database.
"""

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from cases.models import Case
from catalog.models import QueueCategory
from hall.models import Ticket
from hall.services.tickets import ticket_issue
from stats.services import stats_rollup_refresh
from tests.e2e.test_cases import site  # noqa: F401 -- the live demo fixture
from tests.e2e.test_feedback import _concluded_case, _page

pytestmark = pytest.mark.django_db(transaction=True)

# For each chart: the length of its first series' data and how many of its canvas's pixels are
# painted.
CHARTS = """
() => Array.from(document.querySelectorAll("[data-chart]")).map((element) => {
  const chart = echarts.getInstanceByDom(element);
  const canvas = element.querySelector("canvas");
  let painted = 0;
  if (canvas) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) {
      if (pixels[i] !== 0) painted += 1;
    }
  }
  const option = chart ? chart.getOption() : null;
  return {
    name: element.getAttribute("data-chart"),
    points: option ? option.series[0].data.length : 0,
    data: option ? option.series[0].data : [],
    painted: painted,
  };
})
"""


def test_the_dashboard_draws_its_charts_and_the_annual_report_matches_the_database(
    browser: Browser,
    site: str,  # noqa: F811 -- the fixture imported above
) -> None:
    case = _concluded_case()
    category = QueueCategory.objects.filter(center=case.center).order_by("pk").first()
    assert category is not None
    for _n in range(3):
        ticket_issue(category=category)
    # What the worker does every minute: count the new case events into the rollups.
    stats_rollup_refresh()

    supervisor = _page(browser, site, "demo-supervisor")
    supervisor.get_by_role("link", name="Statistics").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Statistics")
    supervisor.wait_for_selector("#stats[data-loaded]")
    visitors = supervisor.get_by_role("definition").filter(has_text=re.compile(r"^\d+$")).first
    expect(visitors).to_be_visible()
    supervisor.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-chart] canvas')).length === 10"
    )
    charts: list[dict[str, Any]] = supervisor.evaluate(CHARTS)
    by_name = {chart["name"]: chart for chart in charts}
    assert len(by_name) == 10
    assert by_name["daily"]["points"] == 30
    assert by_name["monthly"]["points"] == 12
    assert by_name["peak"]["points"] == 24
    assert by_name["satisfaction"]["points"] == 5
    assert by_name["state"]["points"] >= 1
    year = timezone.localdate().year
    received = Case.objects.filter(center=case.center, submitted_at__year=year).count()
    channel_total = sum(point["value"] for point in by_name["channel"]["data"])
    assert channel_total == received >= 1
    assert (
        sum(by_name["peak"]["data"])
        == Ticket.objects.filter(
            center=case.center, service_date__gte=timezone.localdate() - dt.timedelta(days=29)
        ).count()
    )
    supervisor.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-chart] canvas')).every((canvas) => {"
        " const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)"
        ".data; for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }"
        " return false; })"
    )
    assert all(chart["points"] > 0 for chart in supervisor.evaluate(CHARTS))

    supervisor.get_by_role("link", name="Reports").click()
    supervisor.get_by_label("Report").select_option("annual")
    supervisor.get_by_role("button", name="Show").click()
    expect(supervisor.get_by_role("heading", level=2)).to_contain_text(f"Annual report {year}")
    with supervisor.expect_download() as download_info:
        supervisor.get_by_role("link", name="Download as Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-{year}.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    rows = list(workbook["By department"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Name", "Tickets served", "Mean wait, minutes", "Cases accepted")
    total = rows[-1]
    assert total[0] == "Total"
    accepted = Case.objects.filter(center=case.center, accepted_at__year=year).count()
    concluded = Case.objects.filter(center=case.center, concluded_at__year=year).count()
    served = Ticket.objects.filter(
        center=case.center, status=Ticket.Status.DONE, finished_at__year=year
    ).count()
    assert (total[1], total[3], total[4]) == (served, accepted, concluded)
    assert concluded >= 1
