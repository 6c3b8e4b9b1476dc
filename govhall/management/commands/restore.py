"""`govhall restore <file>`: check a backup whole, restore it into an empty deployment, verify."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from govhall.backup import BackupError, backup_restore, vendor_label


class Command(BaseCommand):
    help = (
        "Restore a `govhall backup` archive into this deployment's database, media folder and "
        "data directory, then check every row count and file. Stop the server and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz that `govhall backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data (the media folder and keys are set aside)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(archive_path=Path(options["archive"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(
            _(
                "Restored the %(vendor)s backup of %(created)s: %(tables)s tables with "
                "%(rows)s rows and %(files)s uploaded files, all checked against the manifest; "
                "keys restored: %(keys)s. Start govhall again."
            )
            % {
                "vendor": vendor_label(report.vendor),
                "created": report.created_at,
                "tables": report.tables,
                "rows": report.rows,
                "files": report.files,
                "keys": ", ".join(report.keys) or "-",
            }
        )
