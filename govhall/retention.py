"""What every app's personal-data retention shares: the period's cutoff, the anonymised name and
the batched update and delete."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

# What an anonymised person's name reads: the masking sign of lists and displays.
ANONYMISED = "***"


def name_removed(field: str) -> Case:
    """The update of a name field: a name given reads as removed, none given stays blank."""
    return Case(When(**{field: ""}, then=Value("")), default=Value(ANONYMISED))


def name_present(field: str) -> Q:
    """A name field that still names someone."""
    return ~Q(**{field: ""}) & ~Q(**{field: ANONYMISED})


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


# Rows per transaction: a first run on an old database may find a million rows.
BATCH = 2_000


def _in_batches(queryset: QuerySet[Any], apply: Callable[[QuerySet[Any]], int]) -> int:
    """Apply a change to the rows of `queryset`, BATCH at a time, each batch in a transaction of
    its own, so that a first run never holds the database's write lock for long. The change must
    take a row out of `queryset`, or the loop would not end."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                return done
            done += apply(queryset.filter(pk__in=ids))


def update_in_batches(queryset: QuerySet[Any], **changes: Any) -> int:
    return _in_batches(queryset, lambda rows: rows.update(**changes))


def delete_in_batches(queryset: QuerySet[Any]) -> int:
    return _in_batches(queryset, lambda rows: rows.delete()[0])
