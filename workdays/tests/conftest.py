"""Fixtures of the working-day calendar's tests, which read its messages in English."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from workdays.calendar import Calendar
from workdays.selectors import calendar_current
from workdays.services import calendar_seed

# A State Council schedule for 2027 as the tests imagine it (not the real one).
CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-09-15,holiday,中秋节
2027-09-26,workday,国庆节调休上班
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
2027-10-09,workday,国庆节调休上班
"""


@pytest.fixture
def calendar(db: None) -> Calendar:
    """The calendar seeded from the package for 2019–2028, whatever today's date."""
    calendar_seed(first_year=2019, last_year=2028)
    return calendar_current()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The source strings are English; the Chinese catalog is checked by the site's tests."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
