"""API of the queue floor: tickets, counters and the hall display."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from accounts.models import User
from catalog.models import Counter, QueueCategory
from catalog.search import center_get, item_published
from govhall.api import ErrorOut
from hall.auth import DeviceAuth, StaffSessionAuth, phone_cookie_set, phone_id
from hall.models import CounterPause, CounterState, HallPolicy, PriorityGroup, Ticket
from hall.selectors import counter_staff, queue_category_get, ticket_progress
from hall.services import tickets as services

router = Router(tags=["hall"])

ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class TicketIn(Schema):
    category: str = Field(min_length=1, max_length=1, description="Letter of the queue category")
    center: str | None = Field(None, max_length=50, description="Center code; default center")
    priority_group: PriorityGroup = Field(PriorityGroup.NONE, description="Priority lane group")
    item: str | None = Field(None, max_length=100, description="Implementation code of the item")
    mobile: str = Field("", max_length=20, pattern=r"^(1\d{10})?$")


class TicketOut(Schema):
    key: str = Field(description="The ticket's public key: its phone page and this API use it")
    number: str
    category: str
    category_name: str
    status: str
    status_label: str
    issued_at: str
    ahead: int = Field(description="Waiting tickets of the same queue before this one")
    counters_open: int
    estimated_minutes: int | None = Field(description="Expected wait; null if no counter is open")
    counter: int | None = Field(description="The counter that called the ticket")


def ticket_out(ticket: Ticket, policy: HallPolicy | None = None) -> TicketOut:
    progress = ticket_progress(ticket, policy)
    return TicketOut(
        key=ticket.access_key,
        number=ticket.number,
        category=ticket.category.letter,
        category_name=ticket.category.name,
        status=ticket.status,
        status_label=str(ticket.get_status_display()),
        issued_at=ticket.issued_at.isoformat(),
        ahead=progress.ahead,
        counters_open=progress.counters_open,
        estimated_minutes=progress.estimated_minutes,
        counter=ticket.counter.number if ticket.counter else None,
    )


@router.post(
    "/tickets",
    response={201: TicketOut, **ERRORS, 429: ErrorOut},
    auth=[DeviceAuth("kiosk"), lambda request: "remote"],
    # The document says what the code does: a kiosk's token, or none at all for a phone (the
    # empty requirement, added to the kiosk's that the document lists already).
    openapi_extra={"security": [{}]},
    summary="Take a ticket (kiosk with its token, or a phone: the virtual queue)",
)
def take_ticket(request: HttpRequest, response: HttpResponse, payload: TicketIn) -> Status[Any]:
    device = getattr(request, "device", None)
    center = device.center if device is not None else center_get(payload.center)
    if device is None:
        phone, new_phone = phone_id(request)
        if new_phone:
            phone_cookie_set(request, response, phone)
        if not services.remote_ticket_allowed(
            phone=phone, address=request.META.get("REMOTE_ADDR", "")
        ):
            return Status(
                429, {"message": _("Too many tickets from this phone: please ask at reception.")}
            )
    category = queue_category_get(center=center, letter=payload.category)
    item = item_published(code=payload.item, center=center) if payload.item else None
    policy = services.policy_for(center)
    ticket = services.ticket_issue(
        category=category,
        source=Ticket.Source.KIOSK if device is not None else Ticket.Source.REMOTE,
        priority_group=payload.priority_group,
        item=item,
        mobile=payload.mobile,
        policy=policy,
    )
    return Status(201, ticket_out(ticket, policy))


@router.get(
    "/tickets/{key}",
    response={200: TicketOut, 404: ErrorOut},
    url_name="get_ticket",
    summary="Follow a ticket",
)
def get_ticket(request: HttpRequest, key: str) -> TicketOut:
    ticket = (
        Ticket.objects.select_related("category", "counter", "center")
        .filter(access_key=key)
        .first()
    )
    if ticket is None:
        raise Http404(_("There is no such ticket."))
    return ticket_out(ticket)


class CounterStateOut(Schema):
    counter: int
    status: str
    status_label: str
    staff: str | None
    ticket: TicketOut | None
    pause_reason: str


class TransferIn(Schema):
    category: str | None = Field(None, min_length=1, max_length=1)
    counter: int | None = Field(None, ge=1, le=9999)


class PauseIn(Schema):
    reason: Literal["meeting", "break", "training", "files", "other"]
    note: str = Field("", max_length=200)


counter_auth = [DeviceAuth("counter"), StaffSessionAuth()]


def _counter_and_staff(request: HttpRequest, number: int) -> tuple[Counter, User]:
    """The counter named in the path and who acts there: the staff member, or for a counter
    terminal, the person signed in to it."""
    device = getattr(request, "device", None)
    if device is not None:
        if device.counter is None or device.counter.number != number:
            raise PermissionDenied(_("This terminal belongs to another counter."))
        staff = counter_staff(device.counter)
        if staff is None:
            raise services.HallConflictError(_("Nobody is signed in to this counter."))
        return device.counter, staff
    user = request.user
    assert isinstance(user, User)
    counter = get_object_or_404(Counter, center=user.staff_profile.center, number=number)
    return counter, user


def _state_after(
    counter: Counter, staff: User, status: str, ticket: Ticket | None
) -> CounterStateOut:
    """The counter's state as the action that just succeeded left it (a call: serving the
    ticket; a finish: free), from what the action has in hand instead of read again."""
    return CounterStateOut(
        counter=counter.number,
        status=status,
        status_label=str(CounterState.Status(status).label),
        staff=str(staff),
        ticket=ticket_out(ticket) if ticket else None,
        pause_reason="",
    )


def _state_out(counter: Counter) -> CounterStateOut:
    state = CounterState.objects.select_related("staff", "ticket__category", "ticket__counter").get(
        counter=counter
    )
    return CounterStateOut(
        counter=counter.number,
        status=state.status,
        status_label=str(state.get_status_display()),
        staff=str(state.staff) if state.staff else None,
        ticket=ticket_out(state.ticket) if state.ticket else None,
        pause_reason=state.pause_reason,
    )


@router.post(
    "/counters/{number}/transfer",
    response={200: CounterStateOut, **ERRORS},
    auth=counter_auth,
    summary="Send the current ticket to another queue or counter",
)
def counter_transfer(request: HttpRequest, number: int, payload: TransferIn) -> CounterStateOut:
    counter, staff = _counter_and_staff(request, number)
    if (payload.category is None) == (payload.counter is None):
        raise services.HallConflictError(_("Name either a queue or a counter to transfer to."))
    category = to_counter = None
    if payload.category is not None:
        category = get_object_or_404(
            QueueCategory, center_id=counter.center_id, letter=payload.category.upper()
        )
    else:
        to_counter = get_object_or_404(Counter, center_id=counter.center_id, number=payload.counter)
    services.ticket_transfer(counter=counter, staff=staff, category=category, to_counter=to_counter)
    return _state_out(counter)


@router.post(
    "/counters/{number}/pause",
    response={200: CounterStateOut, **ERRORS},
    auth=counter_auth,
    summary="Leave the counter for a while, with a reason (离岗)",
)
def counter_pause(request: HttpRequest, number: int, payload: PauseIn) -> CounterStateOut:
    counter, staff = _counter_and_staff(request, number)
    services.counter_pause(
        counter=counter, staff=staff, reason=CounterPause.Reason(payload.reason), note=payload.note
    )
    return _state_out(counter)


@router.get(
    "/counters/{number}",
    response={200: CounterStateOut, **ERRORS},
    auth=counter_auth,
    summary="A counter's state and current ticket",
)
def counter_get(request: HttpRequest, number: int) -> CounterStateOut:
    counter, _staff = _counter_and_staff(request, number)
    CounterState.objects.get_or_create(counter=counter, defaults={"since": timezone.now()})
    return _state_out(counter)


# Registered last: the fixed paths above (transfer, pause) must match before this one.
CounterAction = Literal[
    "sign-in", "sign-out", "call-next", "recall", "missed", "start", "finish", "resume"
]


@router.post(
    "/counters/{number}/{action}",
    response={200: CounterStateOut, **ERRORS},
    auth=counter_auth,
    summary="Act at a counter: sign-in, call-next, recall, missed, start, finish, resume, sign-out",
)
def counter_act(request: HttpRequest, number: int, action: CounterAction) -> CounterStateOut:
    counter, staff = _counter_and_staff(request, number)
    if action == "sign-in":
        if getattr(request, "device", None) is not None:
            raise PermissionDenied(_("Staff sign in with their own account."))
        services.counter_sign_in(counter=counter, staff=staff)
    elif action == "sign-out":
        services.counter_sign_out(counter=counter, staff=staff)
    elif action == "call-next":
        called = services.ticket_call_next(counter=counter, staff=staff)
        if called is not None:
            return _state_after(counter, staff, CounterState.Status.SERVING, called)
    elif action == "recall":
        services.ticket_recall(counter=counter, staff=staff)
    elif action == "missed":
        services.ticket_mark_missed(counter=counter, staff=staff)
    elif action == "start":
        services.ticket_start_service(counter=counter, staff=staff)
    elif action == "finish":
        services.ticket_finish(counter=counter, staff=staff)
        return _state_after(counter, staff, CounterState.Status.FREE, None)
    else:
        services.counter_resume(counter=counter, staff=staff)
    return _state_out(counter)


# The hall display, for the hall screens: a separate block kept at the end of this file. -----
from ninja.params.functions import Query  # noqa: E402

from hall.views_screens import DisplayOut, display_response  # noqa: E402


@router.get(
    "/hall/display",
    response={200: DisplayOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    url_name="hall_display",
    summary="What the hall screen shows: public, the same for one second per center",
)
def hall_display(
    request: HttpRequest,
    center: str = Query(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$", description="Center code"),
) -> HttpResponse:
    return display_response(center)
