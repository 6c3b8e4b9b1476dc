"""`govhall api_key`: create a department system's key (its secret printed once), list, revoke."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Department
from govhall.errors import ConflictError
from sharing.apikeys import apikey_create, apikey_revoke
from sharing.models import ApiKey, ApiScope


class Command(BaseCommand):
    help = "Create, list or revoke the API keys of department systems."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print its secret once")
        create.add_argument("--department", required=True, help="the department's id or USCC")
        create.add_argument("--name", required=True, help="the system that uses the key")
        create.add_argument(
            "--scope", action="append", required=True, choices=ApiScope.values, dest="scopes"
        )
        actions.add_parser("list", help="list the keys (never their secrets)")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)
        elif options["action"] == "list":
            for key in ApiKey.objects.select_related("department"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
                scopes = ",".join(key.scopes)
                self.stdout.write(
                    f"{key.prefix}  {key.department.short_name}  {key.name}  {scopes}  {state}"
                )
        else:
            found = (
                ApiKey.objects.select_related("department").filter(prefix=options["prefix"]).first()
            )
            if found is None:
                raise CommandError(f"There is no key with the prefix {options['prefix']}.")
            try:
                apikey_revoke(key=found, actor=None)
            except ConflictError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"Revoked {found.prefix}.")

    def _create(self, options: dict[str, Any]) -> None:
        wanted = options["department"]
        departments = Department.objects.filter(uscc=wanted.upper())
        if wanted.isdigit() and len(wanted) < 18:
            departments = Department.objects.filter(pk=int(wanted))
        department = departments.first()
        if department is None:
            raise CommandError(f"There is no department {wanted}.")
        try:
            key, secret = apikey_create(
                department=department, name=options["name"], scopes=options["scopes"], actor=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Key {key.prefix} of {department.name}; its secret, shown only now:")
        self.stdout.write(secret)
