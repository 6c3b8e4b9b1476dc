"""Personal-data retention in the hall: what visitors gave to book, queue and ask for special
services goes after HALL_RETENTION_YEARS, and every count of the hall's figures stays.

What goes, for records older than the cutoff:
- a booking's name (replaced by `ANONYMISED`), ID number, mobile and the account that booked it,
  by the day booked for;
- a closed special-service request's name, ID number, mobile, who asked for the person, the
  address and the free-text note, by the day it closed (an open request keeps them);
- a ticket's mobile for the call notice, by its service day;
- text messages sent or failed, and verification codes, deleted by the day they were made.

What stays: the booking's center, category, item, day, slot, status and times (the no-show and
check-in figures), the request's kind, priority group, status, staff and outcome, and the ticket
with everything but the mobile (waits, services, ratings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from audit.services import audit_record
from govhall.retention import (
    ANONYMISED,
    delete_in_batches,
    retention_cutoff,
    update_in_batches,
)
from hall.models import Appointment, OutboxMessage, SpecialServiceRequest, Ticket, VerificationCode


@dataclass(frozen=True)
class HallRetentionRun:
    cutoff: dt.datetime
    appointments: int
    requests: int
    tickets: int
    messages: int
    codes: int


def hall_anonymise_expired(
    *, now: dt.datetime | None = None, years: int | None = None
) -> HallRetentionRun | None:
    """Remove the visitors' personal data older than `years` (HALL_RETENTION_YEARS) from the
    hall's records and write one audit entry for the run. None when retention is off (0)."""
    now = now or timezone.now()
    years = settings.HALL_RETENTION_YEARS if years is None else years
    if years <= 0:
        return None
    cutoff = retention_cutoff(now, years)
    day = timezone.localdate(cutoff)
    appointments = update_in_batches(
        Appointment.objects.filter(day__lt=day).exclude(name=ANONYMISED),
        name=ANONYMISED,
        id_number="",
        mobile="",
        user=None,
    )
    requests = update_in_batches(
        SpecialServiceRequest.objects.filter(
            status__in=(SpecialServiceRequest.Status.DONE, SpecialServiceRequest.Status.DECLINED),
            closed_at__lt=cutoff,
        ).exclude(name=ANONYMISED),
        name=ANONYMISED,
        id_number="",
        mobile="",
        requested_by="",
        address="",
        note="",
    )
    tickets = update_in_batches(
        Ticket.objects.filter(service_date__lt=day).exclude(mobile=""), mobile=""
    )
    messages = delete_in_batches(
        OutboxMessage.objects.filter(
            created_at__lt=cutoff,
            status__in=(OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED),
        )
    )
    codes = delete_in_batches(VerificationCode.objects.filter(created_at__lt=cutoff))
    run = HallRetentionRun(cutoff, appointments, requests, tickets, messages, codes)
    audit_record(
        action="hall.personal_data_removed",
        target_type="hall",
        data={
            "years": years,
            "before": cutoff.isoformat(),
            "appointments": appointments,
            "special_service_requests": requests,
            "tickets": tickets,
            "messages": messages,
            "verification_codes": codes,
        },
    )
    return run
