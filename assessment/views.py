"""Pages of the assessment: recording and reading findings, the daily bulletin (page and PDF), a
staff member's monthly record, and the rankings with their Excel export and the month's close."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import Role
from assessment import services
from assessment.models import Category, MonthlyScore, Title
from assessment.selectors import (
    bulletin,
    center_staff,
    deduction_scale,
    finding_get_for,
    findings_visible_to,
    is_assessor,
    may_read_rankings,
    may_record_findings,
    month_record,
    ranking,
    rounds_open_over,
    staff_center,
    titles_of,
)
from audit.services import audit_record, request_ip
from catalog.models import Center, Counter
from catalog.pdf import template_pdf
from feedback.stats import NamedPeriod, month_of, period_parse
from govhall.errors import ConflictError, form_errors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TERM_LABELS = {
    "base": gettext_lazy("Starting score"),
    "deductions": gettext_lazy("Inspection deductions"),
    "praise": gettext_lazy("Praise"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "bad_ratings": gettext_lazy("Bad ratings"),
    "on_time": gettext_lazy("On-time cases"),
    "workload": gettext_lazy("Workload"),
    "complaints": gettext_lazy("Upheld complaints"),
    "third_party": gettext_lazy("Third-party scores"),
}


def _staff(request: HttpRequest) -> tuple[User, Center]:
    user = request.user
    center = staff_center(user)
    if not isinstance(user, User) or center is None:
        raise PermissionDenied(_("Only the center's staff see the assessment."))
    return user, center


def _day(request: HttpRequest) -> dt.date:
    text = request.GET.get("day", "")
    if not text:
        return timezone.localdate()
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(_("Write the day as YYYY-MM-DD, for example 2026-11-26."))
    return day


def _period(request: HttpRequest, default: NamedPeriod) -> NamedPeriod:
    text = request.GET.get("period", "")
    return period_parse(text) if text else default


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Where the assessment starts for the reader's role."""
    user, _center = _staff(request)
    if may_read_rankings(user):
        return redirect("assessment:ranking")
    if may_record_findings(user):
        return redirect("assessment:findings")
    if is_assessor(user):
        return redirect("assessment:rounds")
    return redirect("assessment:mine")


# --- findings ------------------------------------------------------------------------------------


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    user, center = _staff(request)
    findings = findings_visible_to(user).select_related("staff", "counter", "inspector")[:300]
    return render(
        request,
        "assessment/findings.html",
        {"center": center, "findings": findings, "may_record": may_record_findings(user)},
    )


def _choice(model_rows: Any, text: str) -> Any:
    if not text:
        return None
    if not text.isdigit() or int(text) >= 2**63:
        raise ValidationError(_("Choose from the list."))
    return model_rows.filter(pk=int(text)).first()


@login_required
@require_http_methods(["GET", "POST"])
def finding_new(request: HttpRequest) -> HttpResponse:
    """The inspector's form: a deduction or praise, with a note and up to three photos."""
    user, center = _staff(request)
    if not may_record_findings(user):
        raise PermissionDenied(_("Only the center's inspectors record findings."))
    staff_rows = center_staff(center)
    counter_rows = Counter.objects.filter(center=center)
    context: dict[str, Any] = {
        "center": center,
        "staff": staff_rows,
        "counters": counter_rows,
        "categories": Category.choices,
        "scale": deduction_scale(center),
        "errors": {},
        "data": request.POST if request.method == "POST" else {},
    }
    if request.method == "POST":
        post = request.POST
        try:
            try:
                staff = _choice(staff_rows, post.get("staff", ""))
                counter = _choice(counter_rows, post.get("counter", ""))
            except ValidationError as exc:
                raise ValidationError({"staff": exc.messages}) from None
            finding = services.finding_record(
                inspector=user,
                kind=post.get("kind", ""),
                category=post.get("category", ""),
                staff=staff,
                counter=counter,
                points=post.get("points", ""),
                note=post.get("note", ""),
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            context["errors"] = form_errors(exc)
            return render(request, "assessment/finding_new.html", context, status=400)
        messages.success(request, _("The finding was recorded."))
        return redirect("assessment:finding", pk=finding.pk)
    return render(request, "assessment/finding_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding with its photos; the person it is about answers it here, once."""
    user, center = _staff(request)
    finding = finding_get_for(user=user, pk=pk)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            services.finding_answer(finding=finding, user=user, text=request.POST.get("answer", ""))
        except ValidationError as exc:
            errors, status = form_errors(exc), 400
        except ConflictError as exc:
            errors, status = {"form": [exc.message]}, 409
        else:
            messages.success(request, _("Your answer was recorded."))
            return redirect("assessment:finding", pk=finding.pk)
    return render(
        request,
        "assessment/finding.html",
        {
            "center": center,
            "finding": finding,
            "photos": list(finding.photos.all()),
            "may_answer": finding.staff_id == user.pk and finding.answered_at is None,
            "errors": errors,
        },
        status=status,
    )


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of a finding, only to those who may read the finding; the read is logged."""
    user, center = _staff(request)
    finding = finding_get_for(user=user, pk=pk)
    picture = get_object_or_404(finding.photos, pk=photo)
    audit_record(
        action="assessment.photo.read",
        actor=user,
        target_type="finding",
        target_id=str(finding.pk),
        center_id=center.pk,
        data={"photo": picture.pk},
        ip=request_ip(request),
    )
    response = FileResponse(picture.file.open("rb"), content_type=picture.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the daily bulletin --------------------------------------------------------------------------


@login_required
@require_GET
def bulletin_page(request: HttpRequest) -> HttpResponse:
    """每日通报 for the hall broadcast: any member of the center's staff reads it."""
    _user, center = _staff(request)
    try:
        day = _day(request)
    except ValidationError as exc:
        return render(
            request,
            "assessment/bulletin.html",
            {"center": center, "error": " ".join(exc.messages)},
            status=400,
        )
    return render(
        request,
        "assessment/bulletin.html",
        {"center": center, "bulletin": bulletin(center=center, day=day)},
    )


@login_required
@require_GET
def bulletin_pdf(request: HttpRequest) -> HttpResponse:
    _user, center = _staff(request)
    try:
        day = _day(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    pdf = template_pdf(
        "assessment/bulletin_pdf.html", {"bulletin": bulletin(center=center, day=day)}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{day}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- records and rankings ------------------------------------------------------------------------


def _terms(terms: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(str(TERM_LABELS.get(name, name)), value) for name, value in terms.items()]


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的考核: a staff member's month: findings, pauses and the score."""
    user, center = _staff(request)
    context: dict[str, Any] = {"center": center}
    try:
        period = _period(request, month_of(timezone.localdate()))
        if len(period.period.months()) != 1:
            raise ValidationError(_("Choose a month, for example 2026-11."))
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "assessment/mine.html", context, status=400)
    record = month_record(user=user, period=period)
    terms: dict[str, Any] = {}
    if record.closed is not None:
        terms = record.closed.terms.get("terms", {})
    elif record.current is not None:
        terms = record.current.terms
    context.update(record=record, terms=_terms(terms), profile=user.staff_profile)
    return render(request, "assessment/mine.html", context)


def _ranking_reader(request: HttpRequest) -> tuple[User, Center]:
    user, center = _staff(request)
    if not may_read_rankings(user):
        raise PermissionDenied(
            _("Only the hall manager, supervisors and the administrator see the rankings.")
        )
    return user, center


def _last_month() -> NamedPeriod:
    return month_of(timezone.localdate().replace(day=1) - dt.timedelta(days=1))


def _subject(request: HttpRequest) -> str:
    subject = request.GET.get("subject", MonthlyScore.Subject.STAFF)
    return subject if subject in MonthlyScore.Subject.values else MonthlyScore.Subject.STAFF


@login_required
@require_GET
def ranking_page(request: HttpRequest) -> HttpResponse:
    user, center = _ranking_reader(request)
    context: dict[str, Any] = {
        "center": center,
        "subject": _subject(request),
        "subjects": MonthlyScore.Subject.choices,
        "may_close": user.has_role(Role.ADMINISTRATOR),
        "close_month": f"{_last_month().start:%Y-%m}",
        # A round still open when its month is closed does not count in that month's scores.
        "open_rounds": rounds_open_over(center=center, period=_last_month().period),
    }
    try:
        period = _period(request, _last_month())
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "assessment/ranking.html", context, status=400)
    context["ranking"] = ranking(center=center, period=period, subject=context["subject"])
    context["titles"] = titles_of(center=center, period=period)
    return render(request, "assessment/ranking.html", context)


@login_required
@require_POST
def month_close_view(request: HttpRequest) -> HttpResponse:
    user, center = _ranking_reader(request)
    text = request.POST.get("month", "")
    try:
        period = period_parse(text)
        if len(period.period.months()) != 1:
            raise ValidationError(_("Choose a month, for example 2026-11."))
        services.month_close(center=center, month=period.start, actor=user)
    except (ValidationError, ConflictError) as exc:
        message = exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)
        messages.error(request, message)
        return redirect("assessment:ranking")
    messages.success(request, _("%(month)s is closed; its scores are kept.") % {"month": text})
    return redirect(f"{reverse('assessment:ranking')}?period={period.code}")


@login_required
@require_GET
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    user, center = _ranking_reader(request)
    try:
        period = _period(request, _last_month())
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    subject = _subject(request)
    table = ranking(center=center, period=period, subject=subject)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = period.code
    sheet.append([_("Rank"), _("Name"), _("Score"), _("Months")])
    for row in table.rows:
        sheet.append([row.rank, row.label, float(row.score), row.months])
    audit_record(
        action="export",
        actor=user,
        target_type="assessment.ranking",
        center_id=center.pk,
        data={"query": request.GET.urlencode()},
        ip=request_ip(request),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ranking-{subject}-{period.code}.xlsx"'
    return response


@login_required
@require_POST
def titles_propose_view(request: HttpRequest) -> HttpResponse:
    user, center = _ranking_reader(request)
    text = request.POST.get("period", "")
    try:
        period = period_parse(text)
        services.titles_propose(center=center, period=period, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:ranking")
    messages.success(request, _("Titles are proposed for %(period)s.") % {"period": period.code})
    return redirect(f"{reverse('assessment:ranking')}?period={period.code}")


@login_required
@require_POST
def title_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, center = _ranking_reader(request)
    title = get_object_or_404(Title, pk=pk, center=center)
    try:
        services.title_decide(title=title, actor=user, approve=request.POST.get("approve") == "1")
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The title is %(state)s.") % {"state": title.get_state_display()}
        )
    return redirect(f"{reverse('assessment:ranking')}?period={title.period}")
