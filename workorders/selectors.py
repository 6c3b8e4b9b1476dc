"""Reads of work orders: who sees which, the public follow-up, and the complaint figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from catalog.models import StaffProfile
from govhall.identifiers import mask_id, mask_mobile, mask_name
from workorders.models import (
    CONCLUDED_STATES,
    Kind,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderQuerySet,
)


@dataclass(frozen=True)
class ComplaintFigures:
    """Complaints received in a period and how many of them were concluded, and on time."""

    received: int
    concluded: int
    on_time: int
    on_time_rate: float | None


def complaint_figures(*, center_id: int, start: dt.date, end: dt.date) -> ComplaintFigures:
    """Complaints received from `start` to `end` (inclusive, the center's dates); of those, the
    ones concluded so far and the ones concluded by their due date."""
    figures = WorkOrder.objects.filter(
        center_id=center_id, kind=Kind.COMPLAINT, received_on__range=(start, end)
    ).aggregate(
        received=Count("pk"),
        concluded=Count("pk", filter=Q(state__in=CONCLUDED_STATES)),
        on_time=Count("pk", filter=Q(state__in=CONCLUDED_STATES, concluded_on__lte=F("due"))),
    )
    concluded, on_time = figures["concluded"], figures["on_time"]
    return ComplaintFigures(
        received=figures["received"],
        concluded=concluded,
        on_time=on_time,
        on_time_rate=on_time / concluded if concluded else None,
    )


@dataclass(frozen=True)
class WorkOrderScope:
    """What a member of staff may do with the center's work orders.

    The hall manager (the center office) receives and dispatches every order; the heads and
    reviewers of a department work the orders dispatched to it; supervisors read them all.
    """

    center_id: int
    dispatches: bool
    department_id: int | None
    supervises: bool

    def handles(self, order: WorkOrder) -> bool:
        """The department's staff work the order while it is dispatched to them."""
        return self.department_id is not None and order.department_id == self.department_id

    def sees_identity(self, order: WorkOrder) -> bool:
        """Only the order's handlers see who complained: the dispatcher and the department."""
        return order.center_id == self.center_id and (self.dispatches or self.handles(order))


HANDLING_ROLES = frozenset({Role.DEPARTMENT_HEAD.value, Role.REVIEWER.value})


def work_order_scope(user: AbstractBaseUser | AnonymousUser) -> WorkOrderScope | None:
    """The user's scope, or None for everyone who sees no work order."""
    if not isinstance(user, User) or not user.is_active:
        return None
    profile = StaffProfile.objects.filter(user_id=user.pk).only("center_id", "department_id")
    found = profile.first()
    if found is None:
        return None
    roles = set(user.role_names())
    dispatches = Role.HALL_MANAGER.value in roles
    supervises = Role.SUPERVISOR.value in roles
    department_id = found.department_id if roles & HANDLING_ROLES else None
    if not (dispatches or supervises or department_id is not None):
        return None
    return WorkOrderScope(
        center_id=found.center_id,
        dispatches=dispatches,
        department_id=department_id,
        supervises=supervises,
    )


def work_orders_for(scope: WorkOrderScope) -> WorkOrderQuerySet:
    """The orders the scope may read: the center's for dispatchers and supervisors, else those
    dispatched to the department."""
    orders = WorkOrder.objects.filter(center_id=scope.center_id)
    if not (scope.dispatches or scope.supervises):
        department = scope.department_id
        orders = orders.filter(department_id=department) if department else orders.none()
    return orders.select_related("department")


def work_order_get_for(scope: WorkOrderScope, number: str) -> WorkOrder:
    """One order in the scope; any other is 404, so that numbers cannot be probed."""
    order = (
        work_orders_for(scope)
        .select_related("case", "counter", "staff")
        .filter(number=number.strip().upper())
        .first()
    )
    if order is None:
        raise Http404(_("There is no work order %(number)s among yours.") % {"number": number})
    return order


def work_order_events(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor", "department").order_by("at", "pk")


@dataclass(frozen=True)
class Complainant:
    """Who complained, as one reader may see it: masked unless the reader handles the order."""

    anonymous: bool
    name: str
    mobile: str
    id_number: str
    masked: bool


def complainant_masked(order: WorkOrder) -> Complainant:
    return Complainant(
        anonymous=order.anonymous,
        name=mask_name(order.complainant_name),
        mobile=mask_mobile(order.complainant_mobile) if order.complainant_mobile else "",
        id_number=mask_id(order.complainant_id_number) if order.complainant_id_number else "",
        masked=True,
    )
