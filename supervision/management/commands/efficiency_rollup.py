"""`govhall efficiency_rollup`: rebuild the efficiency rollups of every month (or from `--since`).

The worker keeps the running and the previous month current by itself; this command is for a new
installation, an import of history, or after a change of the calendar or the catalog that moves
older months.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Center
from supervision.services import efficiency_rollup_rebuild


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError:
        raise CommandError(f"--since takes a month as YYYY-MM, not {text!r}.") from None


class Command(BaseCommand):
    help = "Rebuild the monthly efficiency rollups of every center (or one, with --center)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--center", default="", help="The center's slug (default: all)")
        parser.add_argument("--since", type=_month, default=None, help="First month, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        centers = Center.objects.order_by("pk")
        if options["center"]:
            centers = centers.filter(slug=options["center"])
            if not centers.exists():
                raise CommandError(f"There is no center {options['center']!r}.")
        for center in centers:
            began = time.monotonic()
            months = efficiency_rollup_rebuild(center=center, first=options["since"])
            self.stdout.write(f"{center.slug}: {months} months in {time.monotonic() - began:.1f} s")
