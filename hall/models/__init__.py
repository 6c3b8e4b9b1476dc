"""Models of the hall: the queue floor (`queue`) and bookings with special services (`booking`)."""

from hall.models.queue import (
    CounterPause,
    CounterState,
    Device,
    HallAlert,
    HallNotice,
    HallPolicy,
    PadRating,
    PriorityGroup,
    Ticket,
    TicketEvent,
)

__all__ = [
    "CounterPause",
    "CounterState",
    "Device",
    "HallAlert",
    "HallNotice",
    "HallPolicy",
    "PadRating",
    "PriorityGroup",
    "Ticket",
    "TicketEvent",
]
