"""Bring the statistics' rollups up to date, or count them again from the cases (--rebuild)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stats.services import stats_rollup_catch_up, stats_rollup_rebuild


class Command(BaseCommand):
    help = "Count new case events into the statistics' rollups; --rebuild counts every case again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="count every case again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            run = stats_rollup_rebuild()
            self.stdout.write(
                f"{run.rows} rollup rows counted from the cases, {run.changed} changed"
            )
            return
        self.stdout.write(f"{stats_rollup_catch_up()} case events counted")
