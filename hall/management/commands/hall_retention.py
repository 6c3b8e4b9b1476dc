"""Remove the visitors' personal data from the hall's records older than the retention period."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hall.retention import hall_anonymise_expired


class Command(BaseCommand):
    help = (
        "Anonymise the bookings, special-service requests and tickets older than "
        "HALL_RETENTION_YEARS years and delete the texts and verification codes as old: the "
        "figures stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years", type=int, default=None, help="the retention period, instead of the setting"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = hall_anonymise_expired(years=options["years"])
        if run is None:
            self.stdout.write("Retention is off (HALL_RETENTION_YEARS=0): nothing removed")
            return
        self.stdout.write(
            f"Before {run.cutoff:%Y-%m-%d}: {run.appointments} bookings, {run.requests} "
            f"special-service requests and {run.tickets} tickets anonymised, {run.messages} texts "
            f"and {run.codes} verification codes deleted"
        )
