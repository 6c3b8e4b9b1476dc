"""`govhall backup <folder-or-file>`: one archive of the database, the uploads and the keys."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from govhall.backup import BackupError, backup_create, vendor_label


class Command(BaseCommand):
    help = (
        "Write a .tar.gz of the database (while govhall runs), the uploaded files and the keys "
        "kept in the data directory. Keep it as secret as the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", help="a folder (the file is named by date and time) or a .tar.gz file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_create(destination=options["destination"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(
            _(
                "Backed up the %(vendor)s database (%(tables)s tables, %(rows)s rows), "
                "%(files)s uploaded files and the keys %(keys)s to %(path)s."
            )
            % {
                "vendor": vendor_label(report.vendor),
                "tables": report.tables,
                "rows": report.rows,
                "files": report.files,
                "keys": ", ".join(report.keys) or "-",
                "path": report.path,
            }
        )
