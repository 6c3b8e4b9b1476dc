"""The project's own table: heartbeats, the write floor that `make bench` compares writes to."""

from django.db import models


class Heartbeat(models.Model):
    """One row per write check: the cheapest insert Django can make through the whole stack."""

    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.at.isoformat()
