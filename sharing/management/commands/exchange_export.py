"""`govhall exchange_export`: write the exchange feed's new rows as JSON lines; say how many."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sharing.exchange import LocalFolderBackend, exchange_export


class Command(BaseCommand):
    help = "Export the new rows of the exchange tables as JSON lines (each row once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder",
            type=Path,
            help="a local folder instead of the configured backend",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = LocalFolderBackend(options["folder"]) if options["folder"] else None
        written = exchange_export(backend=backend)
        if not written:
            self.stdout.write("Nothing new to export.")
        for table, count in sorted(written.items()):
            self.stdout.write(f"{table}: {count}")
