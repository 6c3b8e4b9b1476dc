"""The work orders' API: the 12345 platform's orders taken in by `POST /api/v1/workorders`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from accounts.models import User
from catalog.models import StaffProfile
from govhall.api import ErrorOut
from hall.auth import StaffSessionAuth
from workorders.models import Channel, Kind, State, WorkOrder
from workorders.services import WorkOrderInput, work_order_receive

router = Router(tags=["work orders"])

ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class WorkOrderIn(Schema):
    hotline_id: str = Field(
        min_length=1, max_length=40, description="The 12345 platform's own number of the order"
    )
    kind: Literal["consultation", "help", "complaint", "suggestion"]
    content: str = Field(min_length=1, max_length=4000)
    name: str = Field("", max_length=60, description="Empty for an anonymous caller")
    mobile: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18, description="Resident ID, if the caller gave it")


class WorkOrderOut(Schema):
    number: str
    hotline_id: str
    kind: str
    state: str
    state_label: str
    received_at: dt.datetime
    due: dt.date


def _out(order: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut(
        number=order.number,
        hotline_id=order.hotline_id,
        kind=order.kind,
        state=order.state,
        state_label=str(State(order.state).label),
        received_at=order.received_at,
        due=order.due,
    )


@router.post(
    "/workorders",
    response={200: WorkOrderOut, 201: WorkOrderOut, **ERRORS},
    auth=[StaffSessionAuth()],
    summary="Take in a 12345 hotline work order (受理); the same hotline_id again returns the "
    "order already taken in (200) instead of a second one",
)
def work_order_create(request: HttpRequest, payload: WorkOrderIn) -> Status[Any]:
    user = request.user
    assert isinstance(user, User)
    profile = StaffProfile.objects.select_related("center").filter(user=user).first()
    if profile is None:
        raise PermissionDenied("Only the hall manager's office takes in work orders.")
    received = work_order_receive(
        center=profile.center,
        given=WorkOrderInput(
            kind=Kind(payload.kind),
            channel=Channel.HOTLINE,
            content=payload.content,
            anonymous=not (payload.name or payload.mobile or payload.id_number),
            name=payload.name,
            mobile=payload.mobile,
            id_number=payload.id_number,
            hotline_id=payload.hotline_id,
        ),
        actor=user,
    )
    return Status(201 if received.created else 200, _out(received.work_order))
