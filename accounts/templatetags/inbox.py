"""Template tags of the site message box: the unread count shown in every page's header."""

from django import template

from accounts.models import User
from accounts.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_messages(user: User) -> int:
    return unread_count(user)
