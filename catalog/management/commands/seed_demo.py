"""`govhall seed_demo`: load the demo center once; also tells scripts/demo.sh the demo log-ins."""

from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from catalog.demo_data import (
    DEMO_CENTER_SLUG,
    DEMO_PASSWORD,
    demo_additions_ensure,
    demo_center_seed,
    demo_logins,
)
from catalog.models import Center


class Command(BaseCommand):
    help = "Load the demo center (清河区政务服务中心) with its catalog, staff and demo log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print-password",
            action="store_true",
            help="Print the shared password of the demo log-ins and exit.",
        )
        parser.add_argument(
            "--list-logins",
            action="store_true",
            help="Print one line per demo log-in (role and username) and exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_password"]:
            self.stdout.write(DEMO_PASSWORD)
            return
        if options["list_logins"]:
            logins = [(str(role.label), username) for role, username in demo_logins()]
            width = max(len(label) for label, _ in logins)
            for label, username in logins:
                self.stdout.write(f"  {label.ljust(width)}  {username}")
            return
        summary = demo_center_seed()
        if summary is None:
            # A demo loaded by an earlier version gains what was added since (bundles, 秒批).
            demo_additions_ensure(Center.objects.get(slug=DEMO_CENTER_SLUG))
            self.stdout.write("The demo center is already loaded: nothing to do.")
            self._registry_seed()
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo center loaded: {summary.departments} departments, "
                f"{summary.counters} counters, {summary.items} service items, "
                f"{summary.staff} staff."
            )
        )
        self._registry_seed()

    def _registry_seed(self) -> None:
        # The certificate registry sits above the catalog: called by name, not imported.
        if apps.is_installed("sharing"):
            call_command("seed_demo_registry", verbosity=0)
