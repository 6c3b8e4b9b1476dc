"""What every app's personal-data retention shares: the period's cutoff and the anonymised name."""

import datetime as dt

from django.utils import timezone

# What an anonymised person's name reads: the masking sign of lists and displays.
ANONYMISED = "***"


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def retention_cutoff(now: dt.datetime, years: int) -> dt.datetime:
    """The moment before which a record must have closed for its personal data to go."""
    local = timezone.localtime(now)
    day = years_later(local.date(), -years)
    return local.replace(year=day.year, month=day.month, day=day.day)
