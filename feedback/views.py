"""Pages of feedback: the applicant rates a case, the SMS link page, and the department's
rectification worklist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from cases.models import CONCLUDED
from feedback import services
from feedback.models import FixView, Level, RatingChannel, RectificationState
from feedback.selectors import (
    RectificationScope,
    case_ratings,
    own_concluded_case,
    rectification_get_for,
    rectification_scope,
    rectifications_for,
)
from govhall.errors import ConflictError
from govhall.identifiers import mask_mobile, mask_name

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


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(value) for key, value in exc.message_dict.items()}
    return {"form": list(exc.messages)}


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
    try:
        action()
    except ValidationError as exc:
        context["errors"] = _errors(exc)
        return render(request, template, context, status=422)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, template, context, status=409)
    messages.success(request, done)
    return back


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

    try:
        services.rating_give_by_link(token=token, given=_given(request))
    except ValidationError as exc:
        context["errors"] = _errors(exc)
        return render(request, "feedback/link.html", context, status=422)
    except ConflictError as exc:
        context["conflict"] = exc.message
        return render(request, "feedback/link.html", context, status=409)
    context["done"] = True
    return render(request, "feedback/link.html", context)


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
        {"rows": rows[:200], "states": RectificationState.choices, "state": state},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _scope(request)
    rectification = rectification_get_for(scope, pk)
    rating = rectification.rating
    context: dict[str, Any] = {
        "rectification": rectification,
        "rating": rating,
        "case": rating.case,
        "applicant": mask_name(rating.case.applicant_name),
        "mobile": mask_mobile(rating.case.mobile) if rating.case.mobile else "",
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "feedback/rectification.html", context)
    action = request.POST.get("action", "")
    if action == "call_back":

        def run() -> object:
            return services.rectification_call_back(
                rectification=rectification, staff=user, note=request.POST.get("note", "")
            )

        done = _("The call back is recorded.")
    elif action == "rectify":

        def run() -> object:
            return services.rectification_rectify(
                rectification=rectification, staff=user, fix=request.POST.get("fix", "")
            )

        done = _("The fix is recorded; the rater is asked for a view.")
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
