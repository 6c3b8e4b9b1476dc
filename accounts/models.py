"""Users of govhall: citizens and staff alike log in as `accounts.User`."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class User(AbstractUser):
    """A person who logs in (用户): a citizen, a member of staff or an administrator."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role.value).exists()

    def role_names(self) -> list[str]:
        return list(self.groups.values_list("name", flat=True))
