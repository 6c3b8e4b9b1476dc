from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(**kwargs: Any) -> None:
    from accounts.services import roles_ensure

    roles_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Groups and permissions exist only after migrate has created the permission rows.
        post_migrate.connect(_ensure_roles, dispatch_uid="accounts.ensure_roles")
