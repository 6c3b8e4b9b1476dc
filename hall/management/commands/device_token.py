"""`govhall device_token`: register a kiosk, hall display or counter terminal; print its token."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Center, Counter
from hall.auth import device_create
from hall.models import Device


class Command(BaseCommand):
    help = "Register a device of a center and print its API token (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--center", required=True, help="the center's short code")
        parser.add_argument("--kind", required=True, choices=Device.Kind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--counter", type=int, help="counter number (counter terminals)")

    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(slug=options["center"]).first()
        if center is None:
            raise CommandError(f"There is no center with the code {options['center']}.")
        counter = None
        if options["counter"] is not None:
            counter = Counter.objects.filter(center=center, number=options["counter"]).first()
            if counter is None:
                raise CommandError(f"Center {center.slug} has no counter {options['counter']}.")
        if options["kind"] == Device.Kind.COUNTER and counter is None:
            raise CommandError("A counter terminal needs --counter.")
        token = device_create(
            center=center, kind=options["kind"], name=options["name"], counter=counter
        )
        self.stdout.write(token)
