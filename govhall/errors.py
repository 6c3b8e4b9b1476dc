"""Errors every app raises for the API and pages to turn into answers a person can act on."""


class ConflictError(Exception):
    """The thing is no longer in the state the action needs (answered as 409 Conflict)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
