"""The password rule for staff: long, and mixed from at least three kinds of character."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import is_staff_account

# The kinds a staff password mixes: three of these four.
KINDS_REQUIRED = 3


def character_kinds(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other characters (symbols,
    spaces, Chinese characters) the password holds."""
    return sum(
        (
            any(char.islower() for char in password),
            any(char.isupper() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() or not char.isascii() for char in password),
        )
    )


class StaffPasswordValidator:
    """For staff accounts (`is_staff_account`): at least `min_length` characters, from at least
    three of the four kinds. Citizens' passwords keep Django's rules alone."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: User | None = None) -> None:
        # Without a user (a bare check) nobody can tell whose password it is: the stricter rule.
        if user is not None and not is_staff_account(user):
            return
        problems = []
        if len(password) < self.min_length:
            problems.append(
                ValidationError(
                    ngettext(
                        "A staff password needs at least %(min_length)d character.",
                        "A staff password needs at least %(min_length)d characters.",
                        self.min_length,
                    ),
                    code="staff_password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if character_kinds(password) < KINDS_REQUIRED:
            problems.append(
                ValidationError(
                    _(
                        "A staff password needs at least three of: lower-case letters, "
                        "upper-case letters, digits, and symbols."
                    ),
                    code="staff_password_too_plain",
                )
            )
        if problems:
            raise ValidationError(problems)

    def get_help_text(self) -> str:
        return ngettext(
            "Staff passwords need at least %(min_length)d character and at least three of: "
            "lower-case letters, upper-case letters, digits, and symbols.",
            "Staff passwords need at least %(min_length)d characters and at least three of: "
            "lower-case letters, upper-case letters, digits, and symbols.",
            self.min_length,
        ) % {"min_length": self.min_length}
