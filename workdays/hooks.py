"""Hooks through which higher apps learn that the working-day calendar changed.

`calendar_changed` is a list of callables `(years: set[int]) -> None`. An app that depends on the
calendar (cases recompute their due dates) appends its callable once, from its `AppConfig.ready()`:

    from workdays.hooks import calendar_changed
    calendar_changed.append(recompute_due_dates)

The calendar's services call every hook after their transaction commits, with the years whose days
changed. A hook that fails is logged and does not stop the others; a hook that has slow work to do
should queue a background task rather than do it inline.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

calendar_changed: list[Callable[[set[int]], None]] = []


def notify_calendar_changed(years: set[int]) -> None:
    """Call every `calendar_changed` hook; meant for `transaction.on_commit`."""
    for hook in list(calendar_changed):
        try:
            hook(set(years))
        except Exception:
            logger.exception("calendar_changed hook %r failed for years %s", hook, sorted(years))
