"""Pages of work orders: the public complaint form and follow-up, and the staff's list, entry,
import and the order's page with the actions of the reader's role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from audit.services import request_ip
from cases.models import Case
from catalog.models import Counter, Department, StaffProfile
from catalog.search import center_get
from govhall.errors import ConflictError, form_errors
from govhall.throttle import attempt_count, attempts_counted
from workorders import services
from workorders.imports import MAX_BYTES, ImportRefused, work_orders_import
from workorders.models import (
    CONCLUDED_STATES,
    Channel,
    ComplaintFinding,
    Kind,
    Satisfaction,
    State,
    WorkOrder,
)
from workorders.selectors import (
    Complainant,
    WorkOrderScope,
    complainant_masked,
    work_order_events,
    work_order_get_for,
    work_order_scope,
    work_orders_for,
)

# Submissions of the public form an address may make in an hour.
PUBLIC_FORM_PER_HOUR = 5
# Failed follow-up look-ups an address may make in an hour.
FOLLOW_FAILURES_PER_HOUR = 10
SESSION_RECEIVED = "workorders.received"
STAFF_CHANNELS = (Channel.BOX, Channel.PHONE, Channel.HOTLINE)


def _address(request: HttpRequest) -> str:
    return request_ip(request) or "unknown"


# --- public pages -------------------------------------------------------------------------------


def _public_input(request: HttpRequest, channel: str) -> services.WorkOrderInput:
    post = request.POST
    return services.WorkOrderInput(
        kind=post.get("kind", ""),
        channel=channel,
        content=post.get("content", ""),
        anonymous=post.get("anonymous") == "1",
        name=post.get("name", ""),
        mobile=post.get("mobile", ""),
        id_number=post.get("id_number", ""),
        hotline_id=post.get("hotline_id", ""),
    )


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest, center: str) -> HttpResponse:
    """The public form: a complaint, suggestion, consultation or request for help, real-name or
    anonymous; the confirmation shows the number and the follow-up code once."""
    the_center = center_get(center)
    user = request.user if isinstance(request.user, User) else None
    context: dict[str, Any] = {
        "center": the_center,
        "kinds": Kind.choices,
        "errors": {},
        "data": request.POST if request.method == "POST" else {},
    }
    if request.method == "GET":
        if user is not None:
            context["data"] = {"name": user.full_name, "mobile": user.mobile}
        return render(request, "workorders/public_new.html", context)
    if attempt_count(f"work-order-form:{_address(request)}", 3600) > PUBLIC_FORM_PER_HOUR:
        context["errors"] = {"form": [_("Too many submissions from here: try again in an hour.")]}
        return render(request, "workorders/public_new.html", context, status=429)
    try:
        received = services.work_order_receive(
            center=the_center,
            given=_public_input(request, Channel.ONLINE),
            actor=None,
            complainant=user,
        )
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "workorders/public_new.html", context, status=422)
    request.session[SESSION_RECEIVED] = {
        "number": received.work_order.number,
        "code": received.code,
        "due": received.work_order.due.isoformat(),
    }
    return redirect("workorders:public_done", center=the_center.slug)


@require_GET
def public_done(request: HttpRequest, center: str) -> HttpResponse:
    """The confirmation; the code leaves the session as it is shown, so it is shown once."""
    the_center = center_get(center)
    received = request.session.pop(SESSION_RECEIVED, None)
    if received is None:
        return redirect("workorders:follow")
    return render(
        request, "workorders/public_done.html", {"center": the_center, "received": received}
    )


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """The public follow-up: the number and the code show the state, reply and timeline."""
    context: dict[str, Any] = {"number": ""}
    if request.method == "GET":
        return render(request, "workorders/follow.html", context)
    number = request.POST.get("number", "").strip()[:20]
    code = request.POST.get("code", "")[:20]
    context["number"] = number
    key = f"work-order-follow:{_address(request)}"
    if attempts_counted(key) >= FOLLOW_FAILURES_PER_HOUR:
        context["error"] = _("Too many failed look-ups: try again in an hour.")
        return render(request, "workorders/follow.html", context, status=429)
    try:
        order = services.work_order_follow(number=number, code=code)
    except Http404 as exc:
        attempt_count(key, 3600)
        context["error"] = str(exc)
        return render(request, "workorders/follow.html", context, status=404)
    context["order"] = order
    # Only state changes and when: the notes inside the center are not the public's.
    context["steps"] = [
        (State(event.to_state).label, event.at) for event in order.events.order_by("at", "pk")
    ]
    return render(request, "workorders/follow.html", context)


# --- staff pages --------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> tuple[User, WorkOrderScope]:
    user = request.user
    scope = work_order_scope(user)
    if scope is None or not isinstance(user, User):
        raise PermissionDenied(
            _("Work orders are for the hall manager, their departments and the supervisors.")
        )
    return user, scope


@login_required
@require_GET
def work_order_list(request: HttpRequest) -> HttpResponse:
    _user, scope = _scope(request)
    today = timezone.localdate()
    orders = work_orders_for(scope)
    state, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    department = request.GET.get("department", "")
    overdue = request.GET.get("overdue") == "1"
    if state in State.values:
        orders = orders.filter(state=state)
    if kind in Kind.values:
        orders = orders.filter(kind=kind)
    if department.isdigit() and len(department) < 12:
        orders = orders.filter(department_id=int(department))
    if overdue:
        orders = orders.overdue(today)
    departments = Department.objects.filter(center_id=scope.center_id).order_by("sort_order", "pk")
    rows = [
        {"order": order, "overdue": order.is_overdue(today), "who": complainant_masked(order)}
        for order in orders[:200]
    ]
    return render(
        request,
        "workorders/list.html",
        {
            "rows": rows,
            "scope": scope,
            "states": State.choices,
            "kinds": Kind.choices,
            "departments": departments,
            "state": state,
            "kind": kind,
            "department": department,
            "overdue": overdue,
        },
    )


def _link_lookups(request: HttpRequest, center_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The case, counter and staff member an entry names, by case number, counter number and
    badge number; each one not found is an error on its field."""
    post = request.POST
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    case_number = post.get("case", "").strip().upper()[:20]
    if case_number:
        found["case"] = Case.objects.filter(center_id=center_id, number=case_number).first()
        if found["case"] is None:
            errors["case"] = _("There is no case %(number)s in this center.") % {
                "number": case_number
            }
    counter = post.get("counter", "").strip()
    if counter:
        found["counter"] = (
            Counter.objects.filter(center_id=center_id, number=int(counter)).first()
            if counter.isdigit() and len(counter) < 5
            else None
        )
        if found["counter"] is None:
            errors["counter"] = _("There is no counter %(number)s in this center.") % {
                "number": counter[:10]
            }
    badge = post.get("badge", "").strip()[:20]
    if badge:
        profile = StaffProfile.objects.filter(center_id=center_id, badge_number=badge).first()
        found["staff"] = profile.user if profile is not None else None
        if profile is None:
            errors["badge"] = _("Nobody on the staff has badge number %(badge)s.") % {
                "badge": badge
            }
    return found, errors


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    """Staff entry of an order from the suggestion box, the supervision phone or a 12345 call."""
    user, scope = _scope(request)
    if not scope.dispatches:
        raise PermissionDenied(_("Only the hall manager's office takes in work orders."))
    context: dict[str, Any] = {
        "kinds": Kind.choices,
        "channels": [(c.value, c.label) for c in STAFF_CHANNELS],
        "errors": {},
        "data": request.POST if request.method == "POST" else {},
    }
    if request.method == "GET":
        return render(request, "workorders/staff_new.html", context)
    channel = request.POST.get("channel", "")
    if channel not in {c.value for c in STAFF_CHANNELS}:
        channel = ""
    links, link_errors = _link_lookups(request, scope.center_id)
    given = services.WorkOrderInput(
        **{**_public_input(request, channel).__dict__, **links},
    )
    try:
        if link_errors:
            raise ValidationError(link_errors)
        received = services.work_order_receive(
            center=StaffProfile.objects.get(user=user).center, given=given, actor=user
        )
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "workorders/staff_new.html", context, status=422)
    order = received.work_order
    if received.created:
        messages.success(
            request, _("Work order %(number)s is taken in.") % {"number": order.number}
        )
    else:
        messages.info(
            request,
            _("12345 order %(id)s was already taken in as %(number)s.")
            % {"id": order.hotline_id, "number": order.number},
        )
    return redirect("workorders:detail", number=order.number)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """The import of a 12345 export (CSV or Excel): all rows or none."""
    user, scope = _scope(request)
    if not scope.dispatches:
        raise PermissionDenied(_("Only the hall manager's office imports work orders."))
    context: dict[str, Any] = {}
    if request.method == "GET":
        return render(request, "workorders/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a .csv or .xlsx file to import.")
        return render(request, "workorders/import.html", context, status=422)
    try:
        result = work_orders_import(
            center=StaffProfile.objects.get(user=user).center,
            actor=user,
            name=upload.name or "",
            data=upload.read(MAX_BYTES + 1),
        )
    except ImportRefused as exc:
        context["error"] = exc.messages[0]
        context["rows"] = exc.rows
        return render(request, "workorders/import.html", context, status=422)
    context["result"] = result
    return render(request, "workorders/import.html", context)


def _detail_context(
    order: WorkOrder, scope: WorkOrderScope, who: Complainant | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    handles = scope.handles(order)
    return {
        "order": order,
        "scope": scope,
        "who": who or complainant_masked(order),
        "may_reveal": scope.sees_identity(order) and who is None and not order.anonymous,
        "events": work_order_events(order),
        "overdue": order.is_overdue(today),
        "departments": Department.objects.filter(center_id=order.center_id).order_by(
            "sort_order", "pk"
        ),
        "satisfactions": Satisfaction.choices,
        "may": {
            "dispatch": scope.dispatches and order.state in (State.RECEIVED, State.RETURNED),
            "sign": handles and order.state == State.DISPATCHED,
            "return": handles and order.state in (State.DISPATCHED, State.SIGNED),
            "handle": handles and order.state == State.SIGNED,
            "reply": handles and order.state == State.HANDLING,
            "conclude": scope.dispatches and order.state == State.REPLIED,
            "visit": scope.dispatches and order.state == State.CONCLUDED,
            "rate": scope.dispatches and order.state == State.VISITED,
            "finding": scope.dispatches
            and order.kind == Kind.COMPLAINT
            and order.state in CONCLUDED_STATES
            and not order.finding,
        },
        "findings": ComplaintFinding.choices,
        "errors": {},
    }


def _action(request: HttpRequest, user: User, order: WorkOrder) -> tuple[Callable[[], object], str]:
    post = request.POST
    action = post.get("action", "")
    note = post.get("note", "")
    if action == "dispatch":
        department_id = post.get("department", "")
        department = (
            Department.objects.filter(center_id=order.center_id, pk=int(department_id)).first()
            if department_id.isdigit() and len(department_id) < 12
            else None
        )
        if department is None:
            raise ValidationError({"department": _("Choose the department to send it to.")})
        return (
            lambda: services.work_order_dispatch(
                work_order=order, actor=user, department=department, note=note
            ),
            _("The work order is dispatched to %(department)s.") % {"department": department.name},
        )
    simple: dict[str, tuple[Callable[[], object], str]] = {
        "sign": (
            lambda: services.work_order_sign(work_order=order, actor=user),
            _("You signed for the work order."),
        ),
        "return": (
            lambda: services.work_order_return(work_order=order, actor=user, reason=note),
            _("The work order is sent back to the dispatcher."),
        ),
        "handle": (
            lambda: services.work_order_handle(work_order=order, actor=user, note=note),
            _("The work order is being handled."),
        ),
        "reply": (
            lambda: services.work_order_reply(
                work_order=order, actor=user, reply=post.get("reply", "")
            ),
            _("The reply is recorded."),
        ),
        "conclude": (
            lambda: services.work_order_conclude(
                work_order=order, actor=user, note=note, finding=post.get("finding", "")
            ),
            _("The work order is concluded."),
        ),
        "finding": (
            lambda: services.work_order_finding_record(
                work_order=order, actor=user, finding=post.get("finding", "")
            ),
            _("The complaint's finding is recorded."),
        ),
        "visit": (
            lambda: services.work_order_visit(work_order=order, actor=user, note=note),
            _("The call-back is recorded."),
        ),
        "rate": (
            lambda: services.work_order_rate(
                work_order=order,
                actor=user,
                satisfaction=int(post.get("satisfaction", "0"))
                if post.get("satisfaction", "").isdigit()
                else 0,
            ),
            _("The complainant's satisfaction is recorded."),
        ),
    }
    if action not in simple:
        raise PermissionDenied(_("Unknown action."))
    return simple[action]


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user, scope = _scope(request)
    order = work_order_get_for(scope, number)
    context = _detail_context(order, scope)
    if request.method == "GET":
        return render(request, "workorders/detail.html", context)
    try:
        run, done = _action(request, user, order)
        run()
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "workorders/detail.html", context, status=422)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, "workorders/detail.html", context, status=409)
    messages.success(request, done)
    return redirect("workorders:detail", number=order.number)


@login_required
@require_POST
def identity(request: HttpRequest, number: str) -> HttpResponse:
    """Show the complainant's identity to a handler of the order; the read is logged."""
    user, scope = _scope(request)
    order = work_order_get_for(scope, number)
    who = services.work_order_identity_reveal(work_order=order, user=user, ip=request_ip(request))
    return render(request, "workorders/detail.html", _detail_context(order, scope, who))
