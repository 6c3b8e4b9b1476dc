"""Reads of the accounts app: a user's site message box."""

from django.db.models import QuerySet

from accounts.models import Message, User


def messages_for(user: User) -> QuerySet[Message]:
    """The user's messages, newest first."""
    return Message.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()
