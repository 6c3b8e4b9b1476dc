"""`govhall seed_demo_registry`: the demo's certificate types and its cases' certificates."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from catalog.demo_data import DEMO_CENTER_SLUG
from catalog.models import Center
from sharing.demo import demo_registry_ensure


class Command(BaseCommand):
    help = (
        "Create the demo center's certificate types and enter the certificates of its approved "
        "cases into the registry (seed_demo runs it)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(slug=DEMO_CENTER_SLUG).first()
        if center is None:
            raise CommandError("The demo center is missing: run `govhall seed_demo` first.")
        types, certificates = demo_registry_ensure(center)
        self.stdout.write(
            f"Certificate registry: {types} demo types made, {certificates} certificates entered."
        )
