"""`govhall assessment_close_month --center demo --month 2026-11`: close a month by hand (the
worker closes last month on the 1st)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.services import month_close
from catalog.models import Center
from feedback.stats import period_parse
from govhall.errors import ConflictError


class Command(BaseCommand):
    help = "Compute and keep a month's scores and ranks for a center."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--center", required=True, help="The center's short code (slug).")
        parser.add_argument("--month", required=True, help="The month, such as 2026-11.")

    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(slug=options["center"]).first()
        if center is None:
            raise CommandError(f"There is no center {options['center']!r}.")
        try:
            period = period_parse(options["month"])
            if len(period.period.months()) != 1:
                raise CommandError("Give a month, such as 2026-11.")
            closed = month_close(center=center, month=period.start)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except ConflictError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{closed}: {closed.scores.count()} scores kept.")
