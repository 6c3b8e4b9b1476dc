"""Models of the hall: the queue floor (`queue`) and bookings with special services (`booking`)."""

from hall.models.booking import (
    Appointment,
    OutboxMessage,
    SpecialServiceRequest,
    VerificationCode,
)
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
    "Appointment",
    "CounterPause",
    "CounterState",
    "Device",
    "HallAlert",
    "HallNotice",
    "HallPolicy",
    "OutboxMessage",
    "PadRating",
    "PriorityGroup",
    "SpecialServiceRequest",
    "Ticket",
    "TicketEvent",
    "VerificationCode",
]
