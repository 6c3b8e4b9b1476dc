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


class Message(models.Model):
    """A message in a user's site message box (站内信): a case's new state, an alert, a notice."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="inbox", verbose_name=_("recipient")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A path on this site, such as /cases/…")
    )
    kind = models.CharField(
        _("kind"), max_length=40, blank=True, help_text=_("Short code, such as case.status")
    )
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["user", "read_at"], name="message_user_read"),
            models.Index(fields=["user", "-created_at"], name="message_user_newest"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
