"""`govhall audit_verify`: check the audit log's chains day by day; exit 1 at the first break."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.selectors import chain_verify


class Command(BaseCommand):
    help = "Check every hash and day anchor of the audit log; name the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if report.broken is not None:
            raise CommandError(
                _("The audit log is broken after %(entries)s good entries. %(where)s")
                % {"entries": report.entries, "where": report.broken}
            )
        self.stdout.write(
            _("The audit log is intact (entries: %(entries)s, days: %(days)s). Last hash: %(hash)s")
            % {"entries": report.entries, "days": report.days, "hash": report.last_hash}
        )
