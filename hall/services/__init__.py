"""Writes of the hall: `tickets` (the queue floor), `booking` (appointments, special services)."""
