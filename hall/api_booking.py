"""API of appointments: slots, verification codes, booking, cancelling and checking in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.utils import check_csrf
from pydantic import Field

from accounts.models import User
from catalog.search import center_get, item_published
from govhall.api import ErrorOut
from govhall.identifiers import mask_mobile, mask_name
from hall.auth import DeviceAuth, StaffSessionAuth, request_center
from hall.models import Appointment
from hall.selectors import queue_category_get
from hall.services import booking as services

router = Router(tags=["appointments"])

ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SlotsQuery(Schema):
    category: str = Field(min_length=1, max_length=1, description="Letter of the queue category")
    date: dt.date = Field(description="The day, YYYY-MM-DD")
    center: str | None = Field(None, max_length=50, description="Center code; default center")


class SlotOut(Schema):
    start: dt.time
    end: dt.time
    capacity: int
    booked: int
    available: int = Field(description="Free places; 0 once the slot has begun")


class SlotsOut(Schema):
    center: str
    category: str
    date: dt.date
    working_day: bool
    slots: list[SlotOut]


class CodeIn(Schema):
    mobile: str = Field(max_length=20)


class CodeOut(Schema):
    message: str
    valid_minutes: int


class BookingIn(Schema):
    category: str = Field(min_length=1, max_length=1, description="Letter of the queue category")
    center: str | None = Field(None, max_length=50, description="Center code; default center")
    date: dt.date
    slot_start: dt.time = Field(description="Beginning of the slot, HH:MM")
    name: str = Field(min_length=1, max_length=60)
    id_number: str = Field(max_length=30, description="Resident ID number")
    mobile: str = Field(max_length=20)
    item: str | None = Field(None, max_length=100, description="Implementation code of the item")
    verification_code: str | None = Field(
        None, max_length=10, description="The SMS code; not needed in a citizen's session"
    )


class AppointmentOut(Schema):
    code: str = Field(description="The booking code: check-in, cancel and the QR code use it")
    center: str
    category: str
    category_name: str
    date: dt.date
    slot_start: dt.time
    status: str
    status_label: str
    name: str = Field(description="Masked")
    mobile: str = Field(description="Masked")


class CheckInOut(Schema):
    appointment: str
    number: str = Field(description="The ticket number, e.g. A012")
    key: str = Field(description="The ticket's public key: its phone page and /tickets/{key}")
    category: str
    category_name: str


def appointment_out(appointment: Appointment) -> AppointmentOut:
    return AppointmentOut(
        code=appointment.code,
        center=appointment.center.slug,
        category=appointment.category.letter,
        category_name=appointment.category.name,
        date=appointment.day,
        slot_start=appointment.slot_start,
        status=appointment.status,
        status_label=str(appointment.get_status_display()),
        name=mask_name(appointment.name),
        mobile=mask_mobile(appointment.mobile),
    )


def _session_user(request: HttpRequest) -> User | None:
    """The logged-in user, whose session must carry the CSRF token like any form post."""
    user = request.user
    if not user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise HttpError(403, _("The CSRF check failed: reload the page and try again."))
    assert isinstance(user, User)
    return user


@router.get(
    "/appointments/slots",
    response={200: SlotsOut, 404: ErrorOut, 422: ErrorOut},
    summary="The slots of a queue on a day, with their free places",
)
def slots(request: HttpRequest, query: Query[SlotsQuery]) -> SlotsOut:
    center = center_get(query.center)
    category = queue_category_get(center=center, letter=query.category)
    found = services.slots_for(category=category, day=query.date)
    return SlotsOut(
        center=center.slug,
        category=category.letter,
        date=query.date,
        working_day=bool(found),
        slots=[SlotOut(**vars(slot)) for slot in found],
    )


@router.post(
    "/appointments/verification-code",
    response={202: CodeOut, 409: ErrorOut, 422: ErrorOut},
    summary="Send a verification code to a mobile by SMS (one a minute)",
)
def send_code(request: HttpRequest, payload: CodeIn) -> Status[Any]:
    services.verification_code_send(mobile=payload.mobile)
    message = _("A verification code was sent to %(mobile)s.") % {
        "mobile": mask_mobile(payload.mobile.strip())
    }
    return Status(202, CodeOut(message=message, valid_minutes=services.CODE_VALID_MINUTES))


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Book a slot (a citizen's session, or ID, mobile and verification code)",
)
def book(request: HttpRequest, payload: BookingIn) -> Status[Any]:
    user = _session_user(request)
    center = center_get(payload.center)
    category = queue_category_get(center=center, letter=payload.category)
    item = item_published(code=payload.item, center=center) if payload.item else None
    verification = None
    if user is None:
        if not payload.verification_code:
            raise HttpError(
                422, _("Enter the verification code sent to your mobile, or log in first.")
            )
        verification = services.verification_code_check(
            mobile=payload.mobile, code=payload.verification_code
        )
    with transaction.atomic():
        appointment = services.appointment_book(
            category=category,
            day=payload.date,
            slot_start=payload.slot_start,
            id_number=payload.id_number,
            name=payload.name,
            mobile=payload.mobile,
            item=item,
            user=user,
        )
        if verification is not None:
            services.verification_code_use(verification=verification)
    return Status(201, appointment_out(appointment))


@router.post(
    "/appointments/{code}/cancel",
    response={200: AppointmentOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel a booking by its code",
)
def cancel(request: HttpRequest, code: str) -> AppointmentOut:
    appointment = services.appointment_by_code(code)
    return appointment_out(services.appointment_cancel(appointment=appointment))


@router.post(
    "/appointments/{code}/check-in",
    response={200: CheckInOut, 401: ErrorOut, **ERRORS},
    auth=[DeviceAuth("kiosk"), StaffSessionAuth()],
    summary="Check a booking in at the kiosk or reception: it becomes a priority ticket",
)
def check_in(request: HttpRequest, code: str) -> CheckInOut:
    appointment = services.appointment_by_code(code)
    ticket = services.appointment_check_in(appointment=appointment, center=request_center(request))
    return CheckInOut(
        appointment=appointment.code,
        number=ticket.number,
        key=ticket.access_key,
        category=ticket.category.letter,
        category_name=ticket.category.name,
    )
