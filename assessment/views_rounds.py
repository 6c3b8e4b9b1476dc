"""Pages of third-party assessment rounds (第三方评议): the managers' round list, opening,
invitations, results and their Excel export; the assessor's rounds and score sheets; and the
administrator's record of signed service commitments (承诺书)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import Role
from assessment import services
from assessment.models import AssessorKind, ScoreSheet
from assessment.selectors import (
    assessors_of,
    center_staff,
    invitation_of,
    is_assessor,
    may_manage_rounds,
    round_get_for,
    round_results,
    rounds_visible_to,
    scoring_form,
)
from assessment.views import XLSX_CONTENT_TYPE, _staff
from audit.services import audit_record, request_ip
from catalog.models import Center, Counter, StaffProfile
from govhall.errors import ConflictError, form_errors


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text.strip())
    except ValueError:
        return None


def _manager(request: HttpRequest) -> tuple[User, Center]:
    user, center = _staff(request)
    if not may_manage_rounds(user):
        raise PermissionDenied(
            _("Only the center's administrator and hall manager run assessment rounds.")
        )
    return user, center


def _pk(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """The center's rounds for their managers; the rounds one is invited to for an assessor."""
    user, center = _staff(request)
    manages = may_manage_rounds(user)
    if not manages and not is_assessor(user):
        raise PermissionDenied(
            _("Only the administrator, the hall manager and invited assessors see the rounds.")
        )
    return render(
        request,
        "assessment/rounds.html",
        {
            "center": center,
            "rounds": rounds_visible_to(user).order_by("-starts_on", "-pk"),
            "manages": manages,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    user, center = _manager(request)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "center": center,
        "criteria": scoring_form(center),
        "errors": {},
        "data": request.POST
        if request.method == "POST"
        else {"period": f"{today:%Y-%m}", "closes_on": (today + dt.timedelta(days=14)).isoformat()},
    }
    if request.method == "POST":
        post = request.POST
        try:
            opened = services.round_open(
                actor=user,
                name=post.get("name", ""),
                period=post.get("period", ""),
                closes_on=_date(post.get("closes_on", "")),
            )
        except ValidationError as exc:
            context["errors"] = form_errors(exc)
            return render(request, "assessment/round_new.html", context, status=400)
        messages.success(request, _("The round is open: invite its assessors."))
        return redirect("assessment:round", pk=opened.pk)
    return render(request, "assessment/round_new.html", context)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round: for its managers the invitations and results; for an invited assessor the
    counters to score and their own sheets."""
    user, center = _staff(request)
    assessment_round = round_get_for(user=user, pk=pk)
    context: dict[str, Any] = {"center": center, "round": assessment_round}
    if may_manage_rounds(user):
        invited = assessment_round.assessors.select_related("assessor")
        context.update(
            manages=True,
            invited=invited,
            candidates=assessors_of(center).exclude(
                pk__in=invited.values_list("assessor_id", flat=True)
            ),
            kinds=AssessorKind.choices,
            results=round_results(assessment_round),
            errors={},
        )
    invitation = invitation_of(assessment_round, user)
    if invitation is not None:
        sheets = {sheet.counter_id: sheet for sheet in invitation.sheets.all()}
        context.update(
            invitation=invitation,
            counters=[
                (counter, sheets.get(counter.pk))
                for counter in Counter.objects.filter(center=center).order_by("number")
            ],
        )
    return render(request, "assessment/round.html", context)


@login_required
@require_POST
def round_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, center = _manager(request)
    assessment_round = round_get_for(user=user, pk=pk)
    assessor_pk = _pk(request.POST.get("assessor", ""))
    assessor = assessors_of(center).filter(pk=assessor_pk).first() if assessor_pk else None
    try:
        if assessor is None:
            raise ValidationError(_("Choose one of the center's third-party assessors."))
        services.round_invite(
            assessment_round=assessment_round,
            actor=user,
            assessor=assessor,
            kind=request.POST.get("kind", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": assessor})
    return redirect("assessment:round", pk=assessment_round.pk)


@login_required
@require_POST
def round_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, _center = _manager(request)
    assessment_round = round_get_for(user=user, pk=pk)
    try:
        services.round_close(assessment_round=assessment_round, actor=user)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The round is closed; its results count in the scores."))
    return redirect("assessment:round", pk=assessment_round.pk)


@login_required
@require_GET
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    user, center = _manager(request)
    assessment_round = round_get_for(user=user, pk=pk)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = assessment_round.period
    kinds = AssessorKind.choices
    sheet.append(
        [_("Counter"), _("Name"), _("Sheets"), *(str(label) for _kind, label in kinds), _("Score")]
    )
    for result in round_results(assessment_round):
        sheet.append(
            [
                result.counter.number,
                result.counter.name,
                result.sheets,
                *(result.by_kind.get(kind) for kind, _label in kinds),
                result.mean,
            ]
        )
    audit_record(
        action="export",
        actor=user,
        target_type="assessment.round",
        target_id=str(assessment_round.pk),
        center_id=center.pk,
        ip=request_ip(request),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="round-{assessment_round.pk}-{assessment_round.period}.xlsx"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sheet_view(request: HttpRequest, pk: int, counter: int) -> HttpResponse:
    """An invited assessor scores one counter against the round's form: save to change later,
    or submit, which freezes the sheet."""
    user, center = _staff(request)
    assessment_round = round_get_for(user=user, pk=pk)
    invitation = invitation_of(assessment_round, user)
    scored = Counter.objects.filter(center=center, pk=counter).first() if counter < 2**63 else None
    if invitation is None or scored is None:
        raise Http404(_("There is no such counter in a round you are invited to."))
    sheet = ScoreSheet.objects.filter(invitation=invitation, counter=scored).first()
    context: dict[str, Any] = {
        "center": center,
        "round": assessment_round,
        "counter": scored,
        "sheet": sheet,
        "invitation": invitation,
        "errors": {},
    }
    given = request.POST if request.method == "POST" else (sheet.points if sheet else {})
    status = 200
    if request.method == "POST":
        try:
            services.sheet_save(
                assessment_round=assessment_round,
                assessor=user,
                counter=scored,
                points={key: str(value) for key, value in request.POST.items()},
                note=request.POST.get("note", ""),
                submit=request.POST.get("submit") == "1",
            )
        except ValidationError as exc:
            context["errors"], status = form_errors(exc), 400
        except ConflictError as exc:
            context["errors"], status = {"form": [exc.message]}, 409
        else:
            if request.POST.get("submit") == "1":
                messages.success(request, _("The score sheet is submitted."))
                return redirect("assessment:round", pk=assessment_round.pk)
            messages.success(request, _("The score sheet is saved; submit it when it is final."))
            return redirect("assessment:sheet", pk=assessment_round.pk, counter=scored.pk)
    context["note"] = (
        request.POST.get("note", "") if request.method == "POST" else (sheet.note if sheet else "")
    )
    context["rows"] = [
        (criterion, given.get(criterion["key"], ""), context["errors"].get(criterion["key"], []))
        for criterion in assessment_round.criteria
    ]
    context["editable"] = assessment_round.is_open and (sheet is None or not sheet.is_submitted)
    return render(request, "assessment/sheet.html", context, status=status)


# --- service commitments -------------------------------------------------------------------------


def _administrator(request: HttpRequest) -> tuple[User, Center]:
    user, center = _staff(request)
    if not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only the center's administrator records signed commitments."))
    return user, center


@login_required
@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    """The center's counter staff with their commitments and the day each was signed."""
    _user, center = _administrator(request)
    return render(
        request,
        "assessment/commitments.html",
        {
            "center": center,
            "staff": center_staff(center).select_related("staff_profile__commitment_recorded_by"),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
@require_POST
def commitment_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, center = _administrator(request)
    profile = StaffProfile.objects.filter(center=center, user_id=pk).first() if pk < 2**63 else None
    if profile is None:
        raise Http404(_("There is no such staff member in this center."))
    try:
        services.commitment_sign(
            profile=profile, actor=user, signed_on=_date(request.POST.get("signed_on", ""))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The commitment of %(name)s is recorded as signed.") % {"name": profile.user}
        )
    return redirect(reverse("assessment:commitments"))
