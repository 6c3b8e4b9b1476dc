"""The hall's screens: the hall display, the voice of calls, counter screens, pads, manager board.

Who may open them:
- The hall display and the call audio are public and read-only: they show only ticket numbers,
  counter numbers, queue names and notices, as the screens in the hall do anyway.
- A counter screen and a pad show a staff member's name, badge and photo and record ratings, so
  they open for a counter device (a token the administrator creates, passed once in the link as
  `?device=…` and then kept in an HttpOnly cookie) or for a signed-in staff member of the center.
  The pad's rating is a form POST with Django's CSRF token, like every browser form here.
- The manager board is for the center's hall managers and administrators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from ninja import Schema

from accounts.models import User
from accounts.roles import Role
from catalog.models import Center, Counter, StaffProfile
from catalog.search import center_get
from hall import hooks
from hall.auth import device_for_token
from hall.models import (
    CounterPause,
    CounterState,
    Device,
    HallAlert,
    PadRating,
    Ticket,
    TicketEvent,
)
from hall.selectors import CategoryLoad, category_loads, display_snapshot, served_today_average_wait
from hall.services.tickets import (
    HallConflictError,
    pad_rate,
    pad_rating_indicators_add,
    policy_for,
)
from hall.voice import VoiceError, announcement_text, event_announcement, voice_render

DISPLAY_CACHE_SECONDS = 1
DEVICE_COOKIE = "govhall_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
# A pad asks for a rating only shortly after the service: later the person has gone.
PAD_PROMPT_MINUTES = 5
PHOTO_PLACEHOLDER = "hall/screens/photo-placeholder.svg"
# The on-site indicators the pad asks after the level, in the order of PAD_INDICATORS.
PAD_INDICATOR_LABELS = {
    "efficiency": gettext_lazy("Efficiency"),
    "service_level": gettext_lazy("Service level"),
    "attitude": gettext_lazy("Attitude"),
}


# The hall display ---------------------------------------------------------------------------


class DisplayCallOut(Schema):
    id: int
    number: str
    counter: int | None
    recall: bool
    at: dt.datetime
    text: str
    speech: str
    audio: str


class DisplayCounterOut(Schema):
    number: int
    status: str
    status_label: str
    ticket: str | None
    pause_reason: str
    pause_reason_label: str


class DisplayQueueOut(Schema):
    letter: str
    name: str
    waiting: int
    longest_wait_minutes: int
    counters_open: int


class DisplayOut(Schema):
    """What the hall screen shows: the latest calls first, open counters, queues, notices."""

    center: str
    at: dt.datetime
    calls: list[DisplayCallOut]
    counters: list[DisplayCounterOut]
    queues: list[DisplayQueueOut]
    notices: list[str]


def display_data(center: Center) -> dict[str, Any]:
    """The display snapshot with what the screen needs besides: spoken text, audio, labels."""
    snapshot = display_snapshot(center)
    policy = policy_for(center)
    for call in cast(list[dict[str, Any]], snapshot["calls"]):
        call["speech"] = announcement_text(policy, number=call["number"], counter=call["counter"])
        call["audio"] = reverse("hall:voice", args=[call["id"]])
    for counter in cast(list[dict[str, Any]], snapshot["counters"]):
        counter["pause_reason_label"] = CounterPause.reason_label(counter["pause_reason"])
    return snapshot


def display_json(slug: str) -> bytes | None:
    """The display's JSON for the center, from a one-second cache; None for an unknown center.

    Every screen of the hall polls each second: they share one rendering per center, language
    and second, so a call shows within two seconds while the database sees one read a second.
    """
    # The key names the second itself, so the answer turns over on the clock whatever the
    # cache backend's own expiry does (Redis keeps time by its own clock).
    key = f"hall:display:{get_language()}:{slug}:{int(time.time())}"
    body = cast(bytes | None, cache.get(key))
    if body is None:
        center = Center.objects.filter(slug=slug).first()
        if center is None:
            return None
        body = json.dumps(display_data(center), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        cache.set(key, body, DISPLAY_CACHE_SECONDS + 1)
    return body


def display_response(slug: str) -> HttpResponse:
    body = display_json(slug)
    if body is None:
        raise Http404(_("There is no service center with the code %(code)s.") % {"code": slug})
    return HttpResponse(body, content_type="application/json")


@require_GET
def display_screen(request: HttpRequest, center: str) -> HttpResponse:
    """The big screen of the hall (1920×1080): calls, counters, queues and notices."""
    the_center = center_get(center)
    return render(
        request,
        "hall/screens/display.html",
        {
            "center": the_center,
            "display_url": f"{reverse('api:hall_display')}?center={the_center.slug}",
        },
    )


@require_GET
def call_voice(request: HttpRequest, event_id: int) -> FileResponse | JsonResponse:
    """The spoken announcement of one of today's calls or recalls, as WAV.

    Only calls are spoken, and only today's: the texts that can reach the synthesiser are the
    ones the hall made, never a visitor's.
    """
    event = get_object_or_404(
        TicketEvent.objects.select_related("ticket__center", "counter"),
        pk=event_id,
        kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED],
        ticket__service_date=timezone.localdate(),
    )
    try:
        path = voice_render(event_announcement(event, policy_for(event.ticket.center)))
    except VoiceError:
        return JsonResponse(
            {"message": _("The announcement cannot be spoken now: the screen shows it.")},
            status=503,
        )
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Counter screens and pads -------------------------------------------------------------------


def _counter_device(counter: Counter, token: str) -> Device | None:
    device = device_for_token(token) if token else None
    if (
        device is None
        or device.kind != Device.Kind.COUNTER
        or device.center_id != counter.center_id
        or device.counter_id not in (None, counter.pk)
    ):
        return None
    return device


def _counter_for(request: HttpRequest, counter_id: int) -> Counter:
    """The counter, if this browser is its device or a signed-in staff member of its center."""
    counter = get_object_or_404(Counter.objects.select_related("center"), pk=counter_id)
    if _counter_device(counter, request.COOKIES.get(DEVICE_COOKIE, "")) is not None:
        return counter
    profile = getattr(request.user, "staff_profile", None)
    if profile is not None and profile.center_id == counter.center_id:
        return counter
    raise PermissionDenied(
        _("Open this screen with its counter device link, or sign in as staff of the center.")
    )


def _device_link(request: HttpRequest, counter_id: int) -> HttpResponse | None:
    """Keep the token of a device link in a cookie and drop it from the address."""
    token = request.GET.get("device", "")
    if not token:
        return None
    counter = get_object_or_404(Counter, pk=counter_id)
    if _counter_device(counter, token) is None:
        raise PermissionDenied(
            _("This device link is not valid for this counter: ask the administrator.")
        )
    response = HttpResponseRedirect(request.path)
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        path="/hall/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


def counter_screen_data(counter: Counter) -> dict[str, Any]:
    """What the screen above the counter shows: the counter, its staff member and its ticket."""
    state = (
        CounterState.objects.filter(counter=counter)
        .select_related("staff__staff_profile", "ticket")
        .first()
    )
    status = state.status if state else CounterState.Status.CLOSED
    staff: dict[str, Any] | None = None
    if state is not None and state.staff is not None and status != CounterState.Status.CLOSED:
        profile = getattr(state.staff, "staff_profile", None)
        staff = {
            "name": state.staff.full_name or state.staff.get_username(),
            "badge_number": profile.badge_number if profile else "",
            "title": profile.title if profile else "",
            "party_member": bool(profile and profile.party_member),
            "photo": _photo_url(counter, profile) if profile else static(PHOTO_PLACEHOLDER),
            # An unsigned commitment is a draft: the public sees only a signed one.
            "commitment": profile.commitment if profile and profile.commitment_signed_on else "",
            "commitment_signed_on": profile.commitment_signed_on.isoformat()
            if profile and profile.commitment_signed_on
            else "",
        }
    return {
        "number": counter.number,
        "name": counter.name,
        "status": status,
        "status_label": str(CounterState.Status(status).label),
        "pause_reason_label": CounterPause.reason_label(state.pause_reason) if state else "",
        "ticket": state.ticket.number if state and state.ticket else None,
        "staff": staff,
        "titles": [
            text
            for titles in hooks.counter_screen_titles
            for text in titles(counter, state.staff if staff is not None and state else None)
        ],
    }


@require_GET
def counter_screen(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The screen above a counter (窗口屏)."""
    redirect = _device_link(request, counter_id)
    if redirect is not None:
        return redirect
    counter = _counter_for(request, counter_id)
    return render(
        request,
        "hall/screens/counter.html",
        {
            "center": counter.center,
            "counter": counter,
            "screen": counter_screen_data(counter),
            "state_url": reverse("hall:counter_screen_state", args=[counter.pk]),
        },
    )


@require_GET
def counter_screen_state(request: HttpRequest, counter_id: int) -> JsonResponse:
    return JsonResponse(counter_screen_data(_counter_for(request, counter_id)))


# The image types a staff photo is served as, by the stored file's suffix.
PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def _photo_url(counter: Counter, profile: StaffProfile) -> str:
    if not profile.photo or Path(profile.photo.name).suffix.lower() not in PHOTO_TYPES:
        return static(PHOTO_PLACEHOLDER)
    # The stored name in the address: another photo or another person is a new image to fetch.
    version = hashlib.sha256(profile.photo.name.encode()).hexdigest()[:12]
    return f"{reverse('hall:counter_photo', args=[counter.pk])}?v={version}"


@require_GET
def counter_photo(request: HttpRequest, counter_id: int) -> FileResponse:
    """The photo of the staff member serving at the counter (亮明身份), for its screen.

    Uploads are not served as public files: the photo is shown only to whoever may open the
    counter's screen, and only while its person is signed in at the counter.
    """
    counter = _counter_for(request, counter_id)
    state = (
        CounterState.objects.filter(counter=counter, staff__isnull=False)
        .exclude(status=CounterState.Status.CLOSED)
        .select_related("staff__staff_profile")
        .first()
    )
    profile = getattr(state.staff, "staff_profile", None) if state and state.staff else None
    content_type = PHOTO_TYPES.get(Path(profile.photo.name).suffix.lower()) if profile else None
    if profile is None or not profile.photo or content_type is None:
        raise Http404(_("Nobody with a photo is serving at this counter now."))
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError:
        raise Http404(_("Nobody with a photo is serving at this counter now.")) from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


def awaiting_rating(counter: Counter, now: dt.datetime | None = None) -> Ticket | None:
    """The counter's service that the pad should ask about: just finished and not yet rated.

    None once the counter has called the next person or the prompt has stood a few minutes.
    """
    now = now or timezone.now()
    if CounterState.objects.filter(counter=counter, ticket__isnull=False).exists():
        return None
    return (
        Ticket.objects.filter(
            counter=counter,
            status=Ticket.Status.DONE,
            service_date=timezone.localdate(now),
            finished_at__gte=now - dt.timedelta(minutes=PAD_PROMPT_MINUTES),
            pad_rating__isnull=True,
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


@require_GET
def pad(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The rating pad at a counter (评价器): five levels after each service."""
    redirect = _device_link(request, counter_id)
    if redirect is not None:
        return redirect
    counter = _counter_for(request, counter_id)
    return render(
        request,
        "hall/screens/pad.html",
        {
            "center": counter.center,
            "counter": counter,
            "levels": list(reversed(PadRating.Level.choices)),
            "indicators": list(PAD_INDICATOR_LABELS.items()),
            "state_url": reverse("hall:pad_state", args=[counter.pk]),
            "rate_url": reverse("hall:pad_rate", args=[counter.pk]),
            "indicators_url": reverse("hall:pad_indicators", args=[counter.pk]),
        },
    )


@require_GET
def pad_state(request: HttpRequest, counter_id: int) -> JsonResponse:
    ticket = awaiting_rating(_counter_for(request, counter_id))
    return JsonResponse(
        {"ticket": {"id": ticket.pk, "number": ticket.number} if ticket is not None else None}
    )


@require_POST
def pad_rate_view(request: HttpRequest, counter_id: int) -> JsonResponse:
    """Record the rating of one of this counter's services: 201, or 409 with the reason."""
    counter = _counter_for(request, counter_id)
    try:
        ticket_id = int(request.POST.get("ticket", ""))
        level = int(request.POST.get("level", ""))
    except ValueError:
        return JsonResponse({"message": _("Choose one of the five levels.")}, status=400)
    ticket = Ticket.objects.filter(pk=ticket_id, counter=counter).first()
    if ticket is None:
        return JsonResponse(
            {"message": _("This service was not served at this counter.")}, status=404
        )
    try:
        pad_rate(ticket=ticket, level=level)
    except HallConflictError as exc:
        return JsonResponse({"message": exc.message}, status=409)
    return JsonResponse({"message": _("Thank you for your rating!")}, status=201)


def _level_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return 0  # not a level: the service refuses it with its message


@require_POST
def pad_indicators_view(request: HttpRequest, counter_id: int) -> JsonResponse:
    """The optional indicators (efficiency, service level, attitude) asked after the level."""
    counter = _counter_for(request, counter_id)
    rating = PadRating.objects.filter(
        ticket_id=_level_or_none(request.POST.get("ticket")) or 0, counter=counter
    ).first()
    if rating is None:
        return JsonResponse(
            {"message": _("This service was not rated at this counter.")}, status=404
        )
    indicators = {name: _level_or_none(request.POST.get(name)) for name in PAD_INDICATOR_LABELS}
    try:
        pad_rating_indicators_add(rating=rating, indicators=indicators)
    except HallConflictError as exc:
        return JsonResponse({"message": exc.message}, status=409)
    return JsonResponse({"message": _("Thank you for your rating!")}, status=200)


# The hall manager's board -------------------------------------------------------------------


@dataclass(frozen=True)
class CounterRow:
    number: int
    status: str
    status_label: str
    staff: str
    ticket: str | None
    pause_reason: str
    minutes_in_state: int


@dataclass(frozen=True)
class ManagerBoard:
    queues: list[CategoryLoad]
    counters: list[CounterRow]
    closed_counters: int
    served_today: int
    mean_wait_minutes: float | None
    alerts: list[HallAlert]


def manager_board(center: Center, now: dt.datetime | None = None) -> ManagerBoard:
    """Queues, open counters, the day's figures and the open alerts of the center."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    states = (
        CounterState.objects.filter(counter__center=center)
        .exclude(status=CounterState.Status.CLOSED)
        .select_related("counter", "staff", "ticket")
        .order_by("counter__number")
    )
    rows = [
        CounterRow(
            number=state.counter.number,
            status=state.status,
            status_label=state.get_status_display(),
            staff=(state.staff.full_name or state.staff.get_username()) if state.staff else "",
            ticket=state.ticket.number if state.ticket else None,
            pause_reason=CounterPause.reason_label(state.pause_reason),
            minutes_in_state=max(0, int((now - state.since).total_seconds() // 60)),
        )
        for state in states
    ]
    open_numbers = [row.number for row in rows]
    return ManagerBoard(
        queues=category_loads(center, now),
        counters=rows,
        closed_counters=Counter.objects.filter(center=center)
        .exclude(number__in=open_numbers)
        .count(),
        served_today=Ticket.objects.filter(
            center=center, service_date=day, status=Ticket.Status.DONE
        ).count(),
        mean_wait_minutes=served_today_average_wait(center, day),
        alerts=list(
            HallAlert.objects.filter(center=center, resolved_at__isnull=True)
            .select_related("category")
            .order_by("raised_at", "pk")
        ),
    )


def _managed_center(request: HttpRequest) -> Center:
    user = request.user
    profile = getattr(user, "staff_profile", None)
    if (
        not isinstance(user, User)
        or profile is None
        or not (user.has_role(Role.HALL_MANAGER) or user.has_role(Role.ADMINISTRATOR))
    ):
        raise PermissionDenied(_("The hall board is for the center's hall managers."))
    return cast(Center, profile.center)


@login_required
@require_GET
def manager(request: HttpRequest) -> HttpResponse:
    """The hall manager's live board (大厅管理)."""
    center = _managed_center(request)
    return render(
        request,
        "hall/screens/manager.html",
        {"center": center, "board": manager_board(center)},
    )


@login_required
@require_GET
def manager_board_part(request: HttpRequest) -> HttpResponse:
    """The board alone, which the page fetches every few seconds to stay current."""
    center = _managed_center(request)
    return render(request, "hall/screens/_manager_board.html", {"board": manager_board(center)})
