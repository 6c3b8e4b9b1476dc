"""Take the raters out of old ratings and the complainants out of old concluded work orders."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from feedback.retention import ratings_anonymise_expired
from workorders.retention import work_orders_anonymise_expired


class Command(BaseCommand):
    help = (
        "Remove the rater from ratings, and the complainant from work orders concluded, more "
        "than FEEDBACK_RETENTION_YEARS years ago: the figures stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years", type=int, default=None, help="the retention period, instead of the setting"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ratings = ratings_anonymise_expired(years=options["years"])
        orders = work_orders_anonymise_expired(years=options["years"])
        if ratings is None or orders is None:
            self.stdout.write("Retention is off (FEEDBACK_RETENTION_YEARS=0): nothing removed")
            return
        self.stdout.write(
            f"Before {ratings[0]:%Y-%m-%d}: {ratings[1]} ratings and {orders[1]} work orders "
            "anonymised"
        )
