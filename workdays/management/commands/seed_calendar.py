"""`govhall seed_calendar`: fill the working-day calendar from the `holidays` package."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workdays.models import CalendarYear, YearStatus
from workdays.services import calendar_seed, default_seed_years


class Command(BaseCommand):
    help = (
        "Fill the working-day calendar from the holidays package (default: 2019 to two years "
        "after the current one). Years imported or kept by hand are left alone."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        first_year, last_year = default_seed_years()
        parser.add_argument("--first-year", type=int, default=first_year)
        parser.add_argument("--last-year", type=int, default=last_year)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = calendar_seed(
                first_year=options["first_year"], last_year=options["last_year"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        provisional = list(
            CalendarYear.objects.filter(status=YearStatus.PROVISIONAL).values_list(
                "year", flat=True
            )
        )
        self.stdout.write(_("%(count)s days created.") % {"count": created})
        if provisional:
            self.stdout.write(
                _("Provisional years (no official schedule yet): %(years)s")
                % {"years": ", ".join(str(y) for y in provisional)}
            )
