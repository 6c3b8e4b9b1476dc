"""Remove the personal data of the cases closed longer ago than the retention period."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.retention import cases_anonymise_expired


class Command(BaseCommand):
    help = (
        "Anonymise the cases closed more than CASE_RETENTION_YEARS years ago: the applicant's "
        "personal data and uploaded materials go, the figures stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years", type=int, default=None, help="the retention period, instead of the setting"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = cases_anonymise_expired(years=options["years"])
        if run is None:
            self.stdout.write("Retention is off (CASE_RETENTION_YEARS=0): nothing removed")
            return
        self.stdout.write(
            f"{run.anonymised} cases closed before {run.cutoff:%Y-%m-%d} anonymised, "
            f"{run.files_deleted} files deleted"
        )
