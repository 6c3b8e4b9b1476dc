"""Pages of the queue floor: taking a ticket, the printed ticket, the phone page that follows it,
and the counter workstation where clerks call and serve."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.models import Counter, QueueCategory
from catalog.search import center_get
from govhall.errors import ConflictError
from hall.auth import phone_cookie_set, phone_id
from hall.hooks import ticket_actions
from hall.models import CounterPause, CounterState, PriorityGroup, Ticket
from hall.selectors import category_loads, ticket_progress
from hall.services import tickets as services
from portal.context_processors import KIOSK_COOKIE


def _source(request: HttpRequest) -> str:
    if request.user.is_authenticated and hasattr(request.user, "staff_profile"):
        return Ticket.Source.RECEPTION
    if request.COOKIES.get(KIOSK_COOKIE) == "1":
        return Ticket.Source.KIOSK
    return Ticket.Source.REMOTE


@require_http_methods(["GET", "POST"])
def take_ticket(request: HttpRequest, center: str) -> HttpResponse:
    """Choose a queue and take its next number (kiosk, reception, or a phone by QR code)."""
    the_center = center_get(center)
    categories = QueueCategory.objects.filter(center=the_center)
    source = _source(request)
    phone, new_phone = phone_id(request) if source == Ticket.Source.REMOTE else ("", False)
    response: HttpResponse | None = None
    if request.method == "POST":
        category = categories.filter(letter=request.POST.get("category", "")).first()
        group = request.POST.get("priority_group", "")
        if category is None or group not in PriorityGroup.values:
            messages.error(request, _("Choose one of the queues shown."))
        elif source == Ticket.Source.REMOTE and not services.remote_ticket_allowed(
            phone=phone, address=request.META.get("REMOTE_ADDR", "")
        ):
            messages.error(request, _("Too many tickets from this phone: please ask at reception."))
        else:
            ticket = services.ticket_issue(category=category, source=source, priority_group=group)
            if source == Ticket.Source.REMOTE:
                response = redirect("hall:ticket", key=ticket.access_key)
            else:
                printed = reverse("hall:ticket_print", kwargs={"key": ticket.access_key})
                response = HttpResponseRedirect(f"{printed}?print=1")
    if response is None:
        loads = {load.category.pk: load for load in category_loads(the_center)}
        response = render(
            request,
            "hall/take_ticket.html",
            {
                "center": the_center,
                "queues": [(category, loads.get(category.pk)) for category in categories],
                "groups": [(value, label) for value, label in PriorityGroup.choices if value],
            },
        )
    if new_phone:
        phone_cookie_set(request, response, phone)
    return response


def _ticket(key: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("center", "category", "counter")
        .filter(access_key=key)
        .first()
    )
    if ticket is None:
        raise Http404(_("There is no such ticket."))
    return ticket


def _qr(request: HttpRequest, ticket: Ticket) -> str:
    url = request.build_absolute_uri(reverse("hall:ticket", kwargs={"key": ticket.access_key}))
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=1))


@require_GET
def ticket_print(request: HttpRequest, key: str) -> HttpResponse:
    """The ticket for a 58 mm or 80 mm thermal printer, with the QR code of its phone page."""
    ticket = _ticket(key)
    width = "80" if request.GET.get("width") == "80" else "58"
    return render(
        request,
        "hall/ticket_print.html",
        {
            "ticket": ticket,
            "center": ticket.center,
            "progress": ticket_progress(ticket),
            "qr": _qr(request, ticket),
            "width": width,
        },
    )


@require_GET
def ticket_page(request: HttpRequest, key: str) -> HttpResponse:
    """The phone page of a ticket: place, expected wait and the call, updating itself."""
    ticket = _ticket(key)
    return render(
        request,
        "hall/ticket.html",
        {"ticket": ticket, "center": ticket.center, "progress": ticket_progress(ticket)},
    )


@require_POST
def ticket_action(request: HttpRequest, key: str) -> HttpResponse:
    """The holder cancels a waiting ticket or brings a missed one back to the queue."""
    ticket = _ticket(key)
    try:
        if request.POST.get("action") == "cancel":
            services.ticket_cancel(ticket=ticket)
            messages.success(request, _("Your ticket is cancelled."))
        elif request.POST.get("action") == "rejoin":
            services.ticket_rejoin(ticket=ticket)
            messages.success(request, _("You are back in the queue."))
    except ConflictError as exc:
        messages.error(request, exc.message)
    return redirect("hall:ticket", key=key)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not hasattr(user, "staff_profile"):
        raise PermissionDenied(_("The workstation is for the center's staff."))
    return user


def _workstation_counter(request: HttpRequest, staff: User) -> Counter | None:
    """The counter the clerk works at: the one chosen this session, else their usual one."""
    centre_counters = Counter.objects.filter(center=staff.staff_profile.center)
    chosen = request.session.get("workstation_counter")
    if chosen is not None:
        return centre_counters.filter(pk=chosen).first()
    return staff.staff_profile.counter


@login_required
@require_GET
def workstation(request: HttpRequest) -> HttpResponse:
    """The counter workstation (窗口工作台): the current ticket and every action on it."""
    staff = _staff(request)
    counter = _workstation_counter(request, staff)
    context: dict[str, Any] = {
        "center": staff.staff_profile.center,
        "counter": counter,
        "counters": Counter.objects.filter(center=staff.staff_profile.center),
        "pause_reasons": CounterPause.Reason.choices,
    }
    if counter is not None:
        state, _created = CounterState.objects.select_related("ticket__category").get_or_create(
            counter=counter, defaults={"since": timezone.now()}
        )
        served_categories = set(counter.categories.values_list("pk", flat=True))
        context.update(
            {
                "state": state,
                "ticket_actions": [
                    action
                    for hook in ticket_actions
                    if state.ticket is not None and (action := hook(state.ticket)) is not None
                ],
                "pause_label": CounterPause.reason_label(state.pause_reason),
                "mine": state.staff_id == staff.pk,
                "queues": [
                    load
                    for load in category_loads(counter.center)
                    if load.category.pk in served_categories
                ],
                "categories": QueueCategory.objects.filter(center=counter.center),
                "served_today": Ticket.objects.filter(
                    counter=counter,
                    status=Ticket.Status.DONE,
                    service_date=timezone.localdate(),
                ).count(),
            }
        )
    return render(request, "hall/workstation.html", context)


@login_required
@require_POST
def workstation_act(request: HttpRequest) -> HttpResponse:
    """One action of the workstation; a refused action is shown, never a server error."""
    staff = _staff(request)
    action = request.POST.get("action", "")
    if action == "choose":
        chosen = get_object_or_404(
            Counter, center=staff.staff_profile.center, pk=request.POST.get("counter") or 0
        )
        request.session["workstation_counter"] = chosen.pk
        return HttpResponseRedirect(reverse("hall:workstation"))
    counter = _workstation_counter(request, staff)
    if counter is None:
        messages.error(request, _("Choose your counter first."))
        return HttpResponseRedirect(reverse("hall:workstation"))
    try:
        _act(request, action, counter, staff)
    except ConflictError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("hall:workstation"))


def _act(request: HttpRequest, action: str, counter: Counter, staff: User) -> None:
    simple = {
        "sign-in": services.counter_sign_in,
        "sign-out": services.counter_sign_out,
        "recall": services.ticket_recall,
        "missed": services.ticket_mark_missed,
        "start": services.ticket_start_service,
        "finish": services.ticket_finish,
        "resume": services.counter_resume,
    }
    if action in simple:
        simple[action](counter=counter, staff=staff)
    elif action == "call-next":
        if services.ticket_call_next(counter=counter, staff=staff) is None:
            messages.info(request, _("Nobody is waiting for this counter."))
    elif action == "pause":
        services.counter_pause(
            counter=counter,
            staff=staff,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", "")[:200],
        )
    elif action == "transfer":
        target = request.POST.get("target", "")
        kind, _sep, value = target.partition(":")
        if kind == "category":
            category = get_object_or_404(QueueCategory, center=counter.center, pk=value or 0)
            services.ticket_transfer(counter=counter, staff=staff, category=category)
        elif kind == "counter":
            to_counter = get_object_or_404(Counter, center=counter.center, pk=value or 0)
            services.ticket_transfer(counter=counter, staff=staff, to_counter=to_counter)
        else:
            messages.error(request, _("Choose a queue or a counter to transfer to."))
    else:
        messages.error(request, _("Unknown action."))
