"""Writes of the accounts app: the role groups and their permissions."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.roles import Role

# Apps whose rows a center administrator manages through the admin.
ADMINISTRATOR_APPS = ("catalog", "workdays", "hall")


@transaction.atomic
def roles_ensure() -> None:
    """Create a group per role and give administrators the catalog and calendar permissions."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    administrators = Group.objects.get(name=Role.ADMINISTRATOR.value)
    administrators.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )
