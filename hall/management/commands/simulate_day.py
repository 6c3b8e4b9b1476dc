"""`govhall simulate_day`: one simulated day of the demo center, its figures as one JSON object."""

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalog.demo_data import DEMO_CENTER_SLUG, demo_center_seed
from catalog.models import Center
from hall.services.tickets import policy_for
from hall.simulation import default_day, simulate_day
from workdays.calendar import OutOfCalendar, is_working_day
from workdays.selectors import calendar_current


def _working_day(day: dt.date) -> bool:
    try:
        return is_working_day(calendar_current(), day)
    except OutOfCalendar:
        return day.weekday() < 5  # a year the calendar does not hold: weekdays only


class Command(BaseCommand):
    help = (
        "Simulate one day of the demo center through the real queue services (on a far-future "
        "day whose tickets are replaced) and print its figures as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--visitors", type=int, default=2000, help="visitors of the day")
        parser.add_argument(
            "--counters", type=int, default=None, help="open the first N counters (default: all)"
        )
        parser.add_argument("--seed", type=int, default=1, help="seed of the random draws")
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="the simulated working day, beyond the booking window (default: the first "
            "working day of December in the calendar's last year)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["visitors"] < 0:
            raise CommandError("--visitors must be 0 or more.")
        center = Center.objects.filter(slug=DEMO_CENTER_SLUG).first()
        if center is None:
            demo_center_seed()
            center = Center.objects.get(slug=DEMO_CENTER_SLUG)
        day: dt.date = options["date"] or default_day()
        # The day's tickets and bookings are replaced: no live one may fall on it.
        last_live = timezone.localdate() + dt.timedelta(days=policy_for(center).booking_days_ahead)
        if day <= last_live:
            raise CommandError(
                f"{day} may hold live tickets or bookings: choose a day after {last_live}."
            )
        if not _working_day(day):
            raise CommandError(f"{day} is not a working day: choose a working day.")
        available = center.counters.count()
        counters = available if options["counters"] is None else options["counters"]
        if not 1 <= counters <= available:
            raise CommandError(f"--counters must be between 1 and {available}.")

        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                print(message, file=sys.stderr, flush=True)

        figures = simulate_day(
            center=center,
            visitors=options["visitors"],
            counters=counters,
            seed=options["seed"],
            day=day,
            progress=progress,
        )
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
