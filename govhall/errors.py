"""Errors every app raises for the API and pages to turn into answers a person can act on."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ConflictError(Exception):
    """The thing is no longer in the state the action needs (answered as 409 Conflict)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def form_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as a page shows it: messages by field, and those about the
    whole form (raised without a field, or under `__all__`) under "form"."""
    if hasattr(exc, "error_dict"):
        return {
            ("form" if key == NON_FIELD_ERRORS else key): list(value)
            for key, value in exc.message_dict.items()
        }
    return {"form": list(exc.messages)}
