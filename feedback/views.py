"""Pages of feedback: the applicant rates a case, the SMS link pages, the public comment form,
the department's rectification worklist, and appeals against bad ratings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from cases.models import CONCLUDED
from catalog.models import ServiceItem
from catalog.search import center_get
from feedback import services
from feedback.models import (
    AppealReason,
    AppealState,
    CallBackOutcome,
    FixView,
    Level,
    RatingChannel,
    Rectification,
    RectificationState,
)
from feedback.selectors import (
    AppealScope,
    RectificationScope,
    appeal_get_for,
    appeal_scope,
    appeals_for,
    case_ratings,
    own_concluded_case,
    rectification_contact,
    rectification_get_for,
    rectification_scope,
    rectifications_appealable,
    rectifications_for,
)
from govhall.errors import ConflictError, form_errors
from govhall.identifiers import mask_mobile, mask_name
from govhall.throttle import attempt_count

INDICATOR_LABELS = {
    "efficiency": gettext_lazy("Efficiency"),
    "guide_accuracy": gettext_lazy("Accuracy of the guide"),
    "convenience": gettext_lazy("Convenience"),
    "ease_of_use": gettext_lazy("Ease of use"),
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _given(request: HttpRequest) -> services.RatingInput:
    return services.RatingInput(
        level=_int(request.POST.get("level")) or 0,
        indicators={name: _int(request.POST.get(name)) for name in services.INDICATORS},
        comment=request.POST.get("comment", ""),
    )


def _act(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    done: str,
    template: str,
    context: dict[str, Any],
    back: HttpResponse,
) -> HttpResponse:
    """Run a service for a form: back with a message, the form with its errors, or 409."""
    refused = _refusal(request, action, template=template, context=context)
    if refused is not None:
        return refused
    messages.success(request, done)
    return back


def _refusal(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    template: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """Run a service for a form: None when it went through, else the form again with the
    service's errors (422) or its conflict (409)."""
    try:
        action()
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, template, context, status=422)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, template, context, status=409)
    return None


def _done(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Run a service for a page without a log-in: the same page, saying it is done, or the
    refusal."""
    refused = _refusal(request, action, template=template, context=context)
    if refused is not None:
        return refused
    context["done"] = True
    return render(request, template, context)


def _form_context() -> dict[str, Any]:
    return {
        "levels": Level.choices,
        "indicators": list(INDICATOR_LABELS.items()),
        "errors": {},
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_feedback(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant's rating of a concluded case, its rectification and their view of the fix."""
    user = request.user
    assert isinstance(user, User)
    case = own_concluded_case(user=user, number=number)
    ratings = list(case_ratings(case))
    online = next((r for r in ratings if r.channel == RatingChannel.ONLINE), None)
    context = {
        **_form_context(),
        "case": case,
        "ratings": ratings,
        "may_rate": online is None and case.status in CONCLUDED,
        "fix_views": FixView.choices,
        "rectified": RectificationState.RECTIFIED,
    }
    if request.method == "GET":
        return render(request, "feedback/case.html", context)
    back = redirect("feedback:case", number=case.number)
    action = request.POST.get("action", "")
    if action == "rate":

        def run() -> object:
            return services.rating_give(
                case=case, channel=RatingChannel.ONLINE, given=_given(request), rater=user
            )

        done = _("Thank you for your rating.")
    elif action == "view":
        # With bad ratings through two channels, the one awaiting a view comes first.
        rectifications = sorted(
            (r.rectification for r in ratings if hasattr(r, "rectification")),
            key=lambda r: r.state != RectificationState.RECTIFIED,
        )
        rectification = rectifications[0] if rectifications else None
        if rectification is None:
            raise PermissionDenied(_("This case has no rectification to judge."))

        def run() -> object:
            return services.rectification_view_give(
                rectification=rectification, user=user, view=_int(request.POST.get("view")) or 0
            )

        done = _("Thank you: your view of the fix is recorded.")
    else:
        raise PermissionDenied(_("Unknown action."))
    return _act(request, run, done=done, template="feedback/case.html", context=context, back=back)


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the texted link: whoever holds it rates the case once, without logging in."""
    context: dict[str, Any] = {**_form_context(), "token": token}
    try:
        context["case"] = services.rating_link_case(token=token)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, "feedback/link.html", context, status=409)
    if request.method == "GET":
        return render(request, "feedback/link.html", context)

    return _done(
        request,
        lambda: services.rating_give_by_link(token=token, given=_given(request)),
        template="feedback/link.html",
        context=context,
    )


def _scope(request: HttpRequest) -> tuple[User, RectificationScope]:
    user = request.user
    scope = rectification_scope(user)
    if scope is None or not isinstance(user, User):
        raise PermissionDenied(_("Rectifications are worked by the department heads."))
    return user, scope


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    _user, scope = _scope(request)
    state = request.GET.get("state", "")
    rows = rectifications_for(scope)
    if state in RectificationState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "feedback/rectifications.html",
        {
            "rows": [(row, services.rectification_reference(row)) for row in rows[:200]],
            "states": RectificationState.choices,
            "state": state,
        },
    )


def _rated(rectification: Rectification) -> dict[str, Any]:
    """What the rectification's and the appeal's pages show of the rating, personal data masked."""
    contact = rectification_contact(rectification)
    rating, pad_rating = rectification.rating, rectification.pad_rating
    shown: dict[str, Any] = {
        "reference": services.rectification_reference(rectification),
        "rater": mask_name(contact.name) if contact.name else "",
        "mobile": mask_mobile(contact.mobile) if contact.mobile else "",
        "real_name": rectification.real_name,
    }
    if pad_rating is not None:
        ticket = pad_rating.ticket
        shown.update(
            level=pad_rating.get_level_display(),
            channel=_("Counter pad"),
            rated_at=pad_rating.created_at,
            item=ticket.item.name if ticket.item else "",
            counter=pad_rating.counter.number,
            staff=pad_rating.staff.full_name or pad_rating.staff.get_username(),
            indicators=[
                (_("Efficiency"), pad_rating.get_efficiency_display()),
                (_("Service level"), pad_rating.get_service_level_display()),
                (_("Attitude"), pad_rating.get_attitude_display()),
            ]
            if pad_rating.efficiency or pad_rating.service_level or pad_rating.attitude
            else [],
            comment="",
        )
    else:
        assert rating is not None
        item = rating.case.item if rating.case else ServiceItem.objects.get(pk=rating.item_id)
        shown.update(
            level=rating.get_level_display(),
            channel=rating.get_channel_display(),
            rated_at=rating.rated_at,
            item=item.name,
            case=rating.case,
            comment=rating.comment,
            indicators=[
                (label, Level(getattr(rating, name)).label)
                for name, label in INDICATOR_LABELS.items()
                if getattr(rating, name) is not None
            ],
        )
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _scope(request)
    rectification = rectification_get_for(scope, pk)
    context: dict[str, Any] = {
        "rectification": rectification,
        "rated": _rated(rectification),
        "fix_views": FixView.choices,
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "feedback/rectification.html", context)
    action = request.POST.get("action", "")
    view = _int(request.POST.get("view")) or 0
    if action in ("call_back", "no_contact"):
        outcome = CallBackOutcome.REACHED if action == "call_back" else CallBackOutcome.NO_CONTACT

        def run() -> object:
            return services.rectification_call_back(
                rectification=rectification,
                staff=user,
                note=request.POST.get("note", ""),
                outcome=outcome,
            )

        done = _("The call back is recorded.")
    elif action == "rectify":

        def run() -> object:
            return services.rectification_rectify(
                rectification=rectification, staff=user, fix=request.POST.get("fix", "")
            )

        done = _("The fix is recorded; the rater is asked for a view.")
    elif action == "view":

        def run() -> object:
            return services.rectification_view_record(
                rectification=rectification, staff=user, view=view
            )

        done = _("The rater's view is recorded; the rectification is closed.")
    elif action == "close":

        def run() -> object:
            return services.rectification_close(rectification=rectification, staff=user)

        done = _("The rectification is closed.")
    else:
        raise PermissionDenied(_("Unknown action."))
    return _act(
        request,
        run,
        done=done,
        template="feedback/rectification.html",
        context=context,
        back=redirect("feedback:rectification", pk=rectification.pk),
    )


@require_http_methods(["GET", "POST"])
def view_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the texted link: the rater of a pad or comment rating judges the fix, once."""
    context: dict[str, Any] = {"fix_views": FixView.choices, "errors": {}}
    try:
        rectification = services.view_link_rectification(token=token)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, "feedback/view_link.html", context, status=409)
    context["rectification"] = rectification
    context["reference"] = services.rectification_reference(rectification)
    if request.method == "GET":
        return render(request, "feedback/view_link.html", context)
    return _done(
        request,
        lambda: services.rectification_view_give_by_link(
            token=token, view=_int(request.POST.get("view")) or 0
        ),
        template="feedback/view_link.html",
        context=context,
    )


# The public comment form ----------------------------------------------------------------------

COMMENT_LIMIT = 10
COMMENT_WINDOW_SECONDS = 3600


@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, center: str) -> HttpResponse:
    """The public comment form (评价): anyone rates an item and its department, optionally a case
    by its number and the applicant's ID's last four characters, optionally by name."""
    the_center = center_get(center)
    items = (
        ServiceItem.objects.filter(center=the_center, status=ServiceItem.Status.PUBLISHED)
        .select_related("department")
        .order_by("department__name", "name")
    )
    chosen = request.POST.get("item") or request.GET.get("item", "")
    context: dict[str, Any] = {
        **_form_context(),
        "center": the_center,
        "items": items,
        "chosen": chosen,
        "posted": request.POST,
    }
    if request.method == "GET":
        return render(request, "feedback/comment.html", context)
    address = request.META.get("REMOTE_ADDR", "")
    if attempt_count(f"feedback-comment:{address}", COMMENT_WINDOW_SECONDS) > COMMENT_LIMIT:
        context["conflict"] = _("Too many ratings from this address: try again in an hour.")
        return render(request, "feedback/comment.html", context, status=429)
    item = items.filter(implementation_code=chosen).first()
    comment = services.CommentInput(
        item_id=item.pk if item is not None else None,
        case_number=request.POST.get("case_number", ""),
        id_tail=request.POST.get("id_tail", ""),
        name=request.POST.get("name", ""),
        mobile=request.POST.get("mobile", ""),
    )
    return _done(
        request,
        lambda: services.rating_comment_give(
            comment=comment, given=_given(request), address=address
        ),
        template="feedback/comment.html",
        context=context,
    )


# Appeals --------------------------------------------------------------------------------------


def _appeal_scope(request: HttpRequest) -> tuple[User, AppealScope]:
    user = request.user
    scope = appeal_scope(user)
    if scope is None or not isinstance(user, User):
        raise PermissionDenied(_("Appeals are for the center's staff."))
    return user, scope


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The clerk's and the head's bad ratings to appeal and their appeals; the supervisor's
    appeals to decide."""
    _user, scope = _appeal_scope(request)
    state = request.GET.get("state", AppealState.PENDING if scope.decides else "")
    appeals = appeals_for(scope)
    if state in AppealState.values:
        appeals = appeals.filter(state=state)
    appealable = [] if scope.decides else list(rectifications_appealable(scope)[:100])
    return render(
        request,
        "feedback/appeals.html",
        {
            "scope": scope,
            "appeals": appeals[:200],
            "appealable": [(row, services.rectification_reference(row)) for row in appealable],
            "states": AppealState.choices,
            "state": state,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, rectification_pk: int) -> HttpResponse:
    user, scope = _appeal_scope(request)
    rectification = rectifications_appealable(scope).filter(pk=rectification_pk).first()
    if rectification is None or scope.decides:
        raise Http404(_("There is no such bad rating for you to appeal."))
    context: dict[str, Any] = {
        "rectification": rectification,
        "rated": _rated(rectification),
        "reasons": AppealReason.choices,
        "posted": request.POST,
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "feedback/appeal_new.html", context)
    try:
        appeal = services.rating_appeal_file(
            rectification=rectification,
            user=user,
            reason=request.POST.get("reason", ""),
            explanation=request.POST.get("explanation", ""),
        )
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "feedback/appeal_new.html", context, status=422)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, "feedback/appeal_new.html", context, status=409)
    messages.success(request, _("The appeal is filed; a supervisor will decide."))
    return redirect("feedback:appeal", pk=appeal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _appeal_scope(request)
    appeal = appeal_get_for(scope, pk)
    rectification = Rectification.objects.select_related(
        "rating__case__item", "pad_rating__ticket__item", "pad_rating__counter", "pad_rating__staff"
    ).get(
        Q(pad_rating_id=appeal.pad_rating_id)
        if appeal.pad_rating_id is not None
        else Q(rating_id=appeal.rating_id)
    )
    context: dict[str, Any] = {
        "appeal": appeal,
        "rated": _rated(rectification),
        "decides": scope.decides,
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "feedback/appeal.html", context)
    if not scope.decides:
        raise PermissionDenied(_("Appeals are decided by the center's supervisors."))
    decision = request.POST.get("decision", "")
    if decision not in ("upheld", "rejected"):
        context["errors"] = {"decision": [_("Uphold or reject the appeal.")]}
        return render(request, "feedback/appeal.html", context, status=422)

    def run() -> object:
        return services.rating_appeal_decide(
            appeal=appeal,
            supervisor=user,
            upheld=decision == "upheld",
            note=request.POST.get("note", ""),
        )

    return _act(
        request,
        run,
        done=_("The decision is recorded."),
        template="feedback/appeal.html",
        context=context,
        back=redirect(reverse("feedback:appeals")),
    )
