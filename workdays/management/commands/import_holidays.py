"""`govhall import_holidays FILE --year Y`: import a year's official schedule from a CSV file."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workdays.models import Source
from workdays.services import calendar_import_csv


class Command(BaseCommand):
    help = (
        "Replace a year's holidays and make-up working days by those of a CSV file with the "
        "header date,kind,name (kind: holiday or workday), and mark the year official."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--source", choices=[Source.OFFICIAL.value, Source.MANUAL.value], default="official"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        try:
            result = calendar_import_csv(year=options["year"], text=text, source=options["source"])
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            _(
                "%(year)s: %(holidays)s holidays and %(makeup)s make-up working days imported "
                "(%(replaced)s rows replaced); the year is official."
            )
            % {
                "year": result.year,
                "holidays": result.holidays,
                "makeup": result.makeup_days,
                "replaced": result.replaced,
            }
        )
