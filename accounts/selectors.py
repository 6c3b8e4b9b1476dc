"""Reads of the accounts app: a user's site message box, whether an account is staff's, and its
two-factor device."""

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Message, User
from accounts.roles import Role


def messages_for(user: User) -> QuerySet[Message]:
    """The user's messages, newest first."""
    return Message.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def is_staff_account(user: User) -> bool:
    """Whether the account works for the center: an administrator of the site, or a holder of
    any role but the citizen's. An account not saved yet has no roles to tell by: it counts as
    staff, so that the stricter rules apply until it is known to be a citizen's."""
    if user.is_staff or user.is_superuser or user.pk is None:
        return True
    return user.groups.exclude(name=Role.CITIZEN.value).exists()


def two_factor_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if two-factor log-in is on for them."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
