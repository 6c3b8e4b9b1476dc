"""Pages of bookings: book, view, cancel and reschedule; kiosk check-in; special services; the
demo SMS outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.models import Center, QueueCategory, ServiceItem
from catalog.search import center_get
from govhall.errors import ConflictError
from govhall.identifiers import mask_id, mask_mobile, mask_name
from hall.forms_booking import (
    AssignForm,
    BookingForm,
    CheckInForm,
    OutcomeForm,
    SlotSearchForm,
    SpecialServiceForm,
)
from hall.models import Appointment, OutboxMessage, SpecialServiceRequest
from hall.services import booking as services
from hall.sms import DEFAULT_BACKEND

OUTBOX_SHOWN = 50


def _staff_center(request: HttpRequest) -> Center:
    profile = getattr(request.user, "staff_profile", None)
    if profile is None:
        raise PermissionDenied(_("This page is for the center's staff."))
    center: Center = profile.center
    return center


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _slot_query(category: QueueCategory, day: dt.date, start: dt.time, item: str) -> str:
    query = {"category": category.letter, "date": day.isoformat(), "slot": start.strftime("%H:%M")}
    if item:
        query["item"] = item
    return urlencode(query)


@require_GET
def book_start(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    form = SlotSearchForm(request.GET or None, center=the_center)
    slots: list[services.Slot] = []
    searched = False
    if form.is_valid():
        category = form.cleaned_data["category"]
        item = form.cleaned_data["item"]
        try:
            slots = services.slots_for(category=category, day=form.cleaned_data["date"])
            searched = True
        except ValidationError as error:
            form.add_error("date", error)
        links = [
            (
                slot,
                _slot_query(
                    category,
                    form.cleaned_data["date"],
                    slot.start,
                    item.implementation_code if item else "",
                ),
            )
            for slot in slots
        ]
    else:
        links = []
    return render(
        request,
        "hall/booking/start.html",
        {"center": the_center, "form": form, "slots": links, "searched": searched},
    )


def _chosen_slot(
    request: HttpRequest, center: Center
) -> tuple[QueueCategory, dt.date, dt.time, ServiceItem | None]:
    """The slot chosen on the first step, from the address; 404 if it names nothing."""
    category = QueueCategory.objects.filter(
        center=center, letter=request.GET.get("category", "").upper()[:1]
    ).first()
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
        start = dt.time.fromisoformat(request.GET.get("slot", ""))
    except ValueError as exc:
        raise Http404(_("Choose a day and a slot first.")) from exc
    if category is None:
        raise Http404(_("Choose a queue first."))
    item = None
    if request.GET.get("item"):
        item = (
            ServiceItem.objects.published()
            .filter(center=center, implementation_code=request.GET["item"])
            .first()
        )
    return category, day, start, item


@require_http_methods(["GET", "POST"])
def book_form(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    category, day, start, item = _chosen_slot(request, the_center)
    user = request.user if isinstance(request.user, User) else None
    if request.method != "POST":
        initial = {"name": user.full_name, "mobile": user.mobile} if user else {}
        form = BookingForm(initial=initial)
    else:
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "send_code" in request.POST:
                try:
                    services.verification_code_send(mobile=data["mobile"])
                    messages.success(
                        request,
                        _("A verification code was sent to %(mobile)s.")
                        % {"mobile": mask_mobile(data["mobile"].strip())},
                    )
                except ValidationError as error:
                    form.add_error("mobile", error)
                except ConflictError as error:
                    messages.error(request, error.message)
            else:
                appointment = _book(request, form, category, day, start, item, user)
                if appointment is not None:
                    messages.success(request, _("Your booking is confirmed."))
                    return redirect("hall:booking", center=the_center.slug, code=appointment.code)
    return render(
        request,
        "hall/booking/form.html",
        {
            "center": the_center,
            "form": form,
            "category": category,
            "day": day,
            "start": start,
            "item": item,
            "logged_in": user is not None,
        },
    )


def _book(
    request: HttpRequest,
    form: BookingForm,
    category: QueueCategory,
    day: dt.date,
    start: dt.time,
    item: ServiceItem | None,
    user: User | None,
) -> Appointment | None:
    """Book from the form; None (with the form's errors or a message) when it cannot be done."""
    data = form.cleaned_data
    try:
        verification = None
        if user is None:
            if not data["verification_code"]:
                form.add_error(
                    "verification_code", _("Enter the verification code sent to your mobile.")
                )
                return None
            verification = services.verification_code_check(
                mobile=data["mobile"], code=data["verification_code"]
            )
        with transaction.atomic():
            appointment = services.appointment_book(
                category=category,
                day=day,
                slot_start=start,
                id_number=data["id_number"],
                name=data["name"],
                mobile=data["mobile"],
                item=item,
                user=user,
            )
            if verification is not None:
                services.verification_code_use(verification=verification)
    except ValidationError as error:
        form.add_error(None, _errors(error))
        return None
    except ConflictError as error:
        messages.error(request, error.message)
        return None
    return appointment


def _qr_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def _appointment(center: str, code: str) -> Appointment:
    the_center = center_get(center)
    appointment = services.appointment_by_code(code)
    if appointment.center_id != the_center.pk:
        raise Http404(_("There is no booking with the code %(code)s.") % {"code": code})
    return appointment


@require_GET
def booking_detail(request: HttpRequest, center: str, code: str) -> HttpResponse:
    appointment = _appointment(center, code)
    check_in_url = request.build_absolute_uri(
        reverse("hall:check_in", kwargs={"center": appointment.center.slug})
        + "?"
        + urlencode({"code": appointment.code})
    )
    return render(
        request,
        "hall/booking/detail.html",
        {
            "center": appointment.center,
            "appointment": appointment,
            "masked_name": mask_name(appointment.name),
            "masked_mobile": mask_mobile(appointment.mobile),
            "qr": _qr_data_uri(check_in_url),
            "open": appointment.status == Appointment.Status.BOOKED,
        },
    )


@require_POST
def booking_cancel(request: HttpRequest, center: str, code: str) -> HttpResponse:
    appointment = _appointment(center, code)
    try:
        services.appointment_cancel(appointment=appointment)
        messages.success(request, _("The booking is cancelled."))
    except ConflictError as error:
        messages.error(request, error.message)
    return redirect("hall:booking", center=appointment.center.slug, code=appointment.code)


@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, center: str, code: str) -> HttpResponse:
    appointment = _appointment(center, code)
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
            start = dt.time.fromisoformat(request.POST.get("slot", ""))
            services.appointment_reschedule(appointment=appointment, day=day, slot_start=start)
        except ValueError:
            messages.error(request, _("Choose a day and a slot."))
        except ValidationError as error:
            messages.error(request, _errors(error))
        except ConflictError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The booking has been moved."))
            return redirect("hall:booking", center=appointment.center.slug, code=appointment.code)
    slots: list[services.Slot] = []
    day_text = request.GET.get("date", "")
    if day_text:
        try:
            slots = services.slots_for(
                category=appointment.category, day=dt.date.fromisoformat(day_text)
            )
        except ValueError:
            messages.error(request, _("Enter a day as YYYY-MM-DD."))
        except ValidationError as error:
            messages.error(request, _errors(error))
    return render(
        request,
        "hall/booking/reschedule.html",
        {
            "center": appointment.center,
            "appointment": appointment,
            "day": day_text,
            "slots": slots,
            "searched": bool(day_text),
        },
    )


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, center: str) -> HttpResponse:
    """Check in at the kiosk, at reception or on one's own phone by the booking's QR code.

    The booking code is the secret: it turns its own booking into a ticket, on the booked day
    and within the check-in window, and only at the center it was booked for.
    """
    the_center = center_get(center)
    ticket = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                ticket = services.appointment_check_in(
                    code=form.cleaned_data["code"], center=the_center
                )
                form = CheckInForm()
            except Http404 as error:
                form.add_error("code", str(error))
            except PermissionDenied as error:
                form.add_error("code", str(error))
            except ConflictError as error:
                form.add_error("code", error.message)
    else:
        form = CheckInForm(initial={"code": request.GET.get("code", "")})
    return render(
        request,
        "hall/booking/check_in.html",
        {"center": the_center, "form": form, "ticket": ticket},
    )


@require_http_methods(["GET", "POST"])
def special_request(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    form = SpecialServiceForm(request.POST or None, center=the_center)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.special_service_request(center=the_center, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            return render(
                request, "hall/booking/special_done.html", {"center": the_center, "request": made}
            )
    return render(request, "hall/booking/special_form.html", {"center": the_center, "form": form})


def _managed_center(request: HttpRequest) -> Center:
    center = _staff_center(request)
    assert isinstance(request.user, User)
    if not services.may_manage_special_services(request.user, center):
        raise PermissionDenied(_("This page is for hall managers and administrators."))
    return center


@login_required
@require_GET
def special_list(request: HttpRequest) -> HttpResponse:
    center = _managed_center(request)
    status = request.GET.get("status", "")
    requests = SpecialServiceRequest.objects.filter(center=center).select_related(
        "item", "assigned_to"
    )
    if status in SpecialServiceRequest.Status.values:
        requests = requests.filter(status=status)
    rows: list[dict[str, Any]] = [
        {
            "request": row,
            "name": mask_name(row.name),
            "id_number": mask_id(row.id_number),
            "mobile": mask_mobile(row.mobile),
            "open": row.status
            in (SpecialServiceRequest.Status.REQUESTED, SpecialServiceRequest.Status.ASSIGNED),
        }
        for row in requests[:200]
    ]
    return render(
        request,
        "hall/booking/special_list.html",
        {
            "center": center,
            "rows": rows,
            "status": status,
            "statuses": SpecialServiceRequest.Status.choices,
            "assign_form": AssignForm(center=center),
            "outcome_form": OutcomeForm(),
        },
    )


@login_required
@require_POST
def special_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    center = _managed_center(request)
    assert isinstance(request.user, User)
    special = get_object_or_404(SpecialServiceRequest, pk=pk, center=center)
    try:
        if action == "assign":
            assign = AssignForm(request.POST, center=center)
            if not assign.is_valid():
                raise ValidationError(_("Choose a member of staff."))
            services.special_service_assign(
                request=special, staff=assign.cleaned_data["staff"], by=request.user
            )
        else:
            outcome = OutcomeForm(request.POST)
            if not outcome.is_valid():
                raise ValidationError(_("Write the outcome or the reason."))
            text = outcome.cleaned_data["text"]
            if action == "complete":
                services.special_service_complete(request=special, outcome=text, by=request.user)
            elif action == "decline":
                services.special_service_decline(request=special, reason=text, by=request.user)
            else:
                raise Http404
        messages.success(request, _("Request #%(number)s updated.") % {"number": special.pk})
    except ValidationError as error:
        messages.error(request, _errors(error))
    except ConflictError as error:
        messages.error(request, error.message)
    return redirect("hall:special_list")


@require_GET
def sms_outbox(request: HttpRequest) -> HttpResponse:
    """The local SMS backend's messages, for demos: staff only, or anyone in DEBUG."""
    if getattr(settings, "GOVHALL_SMS_BACKEND", DEFAULT_BACKEND) != DEFAULT_BACKEND:
        # A gateway delivers the texts (verification codes, signed links) to phones: they are
        # the recipients' alone, not the staff's of every center.
        raise Http404
    if not settings.DEBUG:
        if not request.user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        if not (request.user.is_staff or hasattr(request.user, "staff_profile")):
            raise PermissionDenied(_("This page is for the center's staff."))
    rows = [
        {"message": message, "mobile": mask_mobile(message.mobile)}
        for message in OutboxMessage.objects.all()[:OUTBOX_SHOWN]
    ]
    return render(request, "hall/booking/outbox.html", {"rows": rows})
