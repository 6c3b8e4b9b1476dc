"""Open data: for each item, the year's cases and the median working days used, public."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from stats.reports import open_data
from stats.services import stats_rollup_refresh
from stats.tests.conftest import Stats
from supervision.tests.efficiency_world import handled


def test_each_item_shows_its_cases_and_median_days(stats: Stats) -> None:
    hall = stats.hall
    rows = {row.name: row for row in open_data(center=hall.center, year=2026)}
    market = rows[hall.item.name]
    assert (market.received, market.concluded, market.promised_days) == (3, 2, 5)
    # Working days used: 2 (09-07 to 09-09) and 9 (09-07 to 09-18): the median is 5.5.
    assert market.median_days_used == 5.5
    assert market.on_time_rate == 50.0
    health = rows[hall.health_item.name]
    assert (health.received, health.concluded, health.median_days_used) == (1, 1, 1.0)
    assert open_data(center=hall.center, year=2025)[0].received == 0


def test_the_page_and_the_csv_are_public(stats: Stats, settings: object) -> None:
    client = Client(headers={"cookie": "django_language=en"})
    slug = stats.hall.center.slug
    page = client.get(f"/open-data/?center={slug}&year=2026")
    assert page.status_code == 200
    assert stats.hall.item.name in page.content.decode()
    answer = client.get(f"/open-data/cases.csv?center={slug}&year=2026")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Item code"
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name[stats.hall.item.name][3:7] == ["3", "2", "5", "5.5"]


def test_a_bad_year_gets_a_message(stats: Stats) -> None:
    client = Client()
    slug = stats.hall.center.slug
    assert client.get(f"/open-data/?center={slug}&year=20x6").status_code == 422
    assert client.get(f"/open-data/cases.csv?center={slug}&year=1999").status_code == 422
    assert client.get("/open-data/?center=nowhere").status_code == 404


def test_a_second_read_is_served_from_the_cache(
    stats: Stats, django_assert_max_num_queries: Any
) -> None:
    center = stats.hall.center
    first = open_data(center=center, year=2026)
    # The rollups' revision only: the mark, supervision's latest rollup, the catalog's token.
    with django_assert_max_num_queries(3):
        assert open_data(center=center, year=2026) == first


def test_the_figures_follow_the_rollups_after_a_new_conclusion(stats: Stats) -> None:
    hall = stats.hall
    before = {row.name: row for row in open_data(center=hall.center, year=2026)}
    assert (before[hall.item.name].received, before[hall.item.name].concluded) == (3, 2)
    handled(hall, accepted="2026-09-14", concluded="2026-09-15")
    stats_rollup_refresh()
    after = {row.name: row for row in open_data(center=hall.center, year=2026)}
    assert (after[hall.item.name].received, after[hall.item.name].concluded) == (4, 3)
