"""API of the queue floor: tickets, counters and the hall display."""

from ninja import Router

router = Router(tags=["hall"])
