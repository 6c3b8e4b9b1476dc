"""Pages of electronic supervision: the dashboard with the lights board, violations and notices,
each list exportable to Excel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from audit.services import audit_record, request_ip
from cases.models import Case, Light
from catalog.models import Department, ServiceItem
from govhall.errors import ConflictError, form_errors
from govhall.identifiers import mask_name
from supervision import services
from supervision.exports import xlsx_response
from supervision.models import NoticeState, Rule, SupervisionNotice, Violation, ViolationState
from supervision.selectors import (
    SupervisionScope,
    light_counts,
    lit_cases,
    notices_for,
    supervision_scope,
    violations_for,
)

PER_PAGE = 50
# An export holds the whole filtered list, up to this many rows.
EXPORT_LIMIT = 20000


def _scope(request: HttpRequest) -> tuple[User, SupervisionScope]:
    scope = supervision_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _("Electronic supervision is for the center's supervisors and department heads.")
        )
    user = request.user
    assert isinstance(user, User)
    return user, scope


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _export(
    request: HttpRequest,
    scope: SupervisionScope,
    *,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> HttpResponse:
    audit_record(
        action="export",
        actor=request.user,
        target_type=f"supervision.{name}",
        center_id=scope.center.pk,
        data={"query": request.GET.urlencode()},
        ip=request_ip(request),
    )
    filename = f"{name}-{scope.center.slug}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename=filename, title=name, columns=columns, rows=rows)


def _handler_name(user: User | None) -> str:
    return mask_name(user.full_name or user.get_username()) if user is not None else ""


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The lights board (counts and the filtered list), open violations and notices."""
    _user, scope = _scope(request)
    today = timezone.localdate()
    light = request.GET.get("light") or Light.RED.value
    if light not in Light.values:
        light = Light.RED.value
    department_id = _int(request.GET.get("department"))
    item_id = _int(request.GET.get("item"))
    cases = lit_cases(
        scope, today, light=Light(light), department_id=department_id, item_id=item_id
    )
    if request.GET.get("format") == "xlsx":
        return _export(
            request,
            scope,
            name="lights",
            columns=[
                _("Light"),
                _("Case number"),
                _("Service item"),
                _("Department"),
                _("Applicant"),
                _("Handled by"),
                _("Promised due date"),
                _("Statutory due date"),
            ],
            rows=(
                [
                    Light(light).label,
                    case.number,
                    case.item.name,
                    case.department.name,
                    mask_name(case.applicant_name),
                    _handler_name(case.handled_by),
                    case.promised_due,
                    case.statutory_due,
                ]
                for case in cases[:EXPORT_LIMIT]
            ),
        )
    departments = Department.objects.filter(center=scope.center)
    items = ServiceItem.objects.filter(center=scope.center)
    if scope.department_id is not None:
        departments = departments.filter(pk=scope.department_id)
        items = items.filter(department_id=scope.department_id)
    counts = light_counts(scope, today)
    page = _page(request, cases)
    context = {
        "center": scope.center,
        "scope": scope,
        "today": today,
        "lights": [{"light": choice, "count": counts[choice.value]} for choice in Light],
        "light": Light(light),
        "department_id": department_id,
        "item_id": item_id,
        "departments": departments,
        "items": items.order_by("department__sort_order", "name").only("pk", "name"),
        "page": page,
        "rows": [
            {"case": case, "applicant": mask_name(case.applicant_name)} for case in page.object_list
        ],
        "query": request.GET.copy(),
        "violations": violations_for(scope)[:10],
        "violations_open": violations_for(scope).count(),
        "notices": notices_for(scope, states=(NoticeState.ISSUED, NoticeState.ANSWERED))[:10],
    }
    return render(request, "supervision/dashboard.html", context)


@login_required
@require_GET
def violation_list(request: HttpRequest) -> HttpResponse:
    _user, scope = _scope(request)
    state = request.GET.get("state", "")
    states = (
        (state,)
        if state in ViolationState.values
        else (ViolationState.OPEN, ViolationState.EXPLAINED)
    )
    rule = request.GET.get("rule", "")
    violations = violations_for(
        scope,
        states=states,
        rule=rule if rule in Rule.values else "",
        department_id=_int(request.GET.get("department")),
    )
    if request.GET.get("format") == "xlsx":
        return _export(
            request,
            scope,
            name="violations",
            columns=[
                _("Detected"),
                _("Rule"),
                _("Severity"),
                _("Case number"),
                _("Stage"),
                _("Department"),
                _("Person"),
                _("Counter"),
                _("Finding"),
                _("State"),
                _("Explanation"),
            ],
            rows=(
                [
                    timezone.localtime(v.detected_at).replace(tzinfo=None),
                    v.get_rule_display(),
                    v.get_severity_display(),
                    v.about,
                    v.stage.name if v.stage else "",
                    v.department.name,
                    _handler_name(v.person),
                    str(v.counter) if v.counter else "",
                    v.detail,
                    v.get_state_display(),
                    v.explanation,
                ]
                for v in violations[:EXPORT_LIMIT]
            ),
        )
    departments = Department.objects.filter(center=scope.center)
    context = {
        "center": scope.center,
        "scope": scope,
        "page": _page(request, violations),
        "states": ViolationState.choices,
        "state": state,
        "rules": Rule.choices,
        "rule": rule,
        "departments": departments if scope.department_id is None else departments.none(),
        "department_id": _int(request.GET.get("department")),
        "query": request.GET.copy(),
    }
    return render(request, "supervision/violations.html", context)


def _act(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    done: str,
    template: str,
    context: dict[str, Any],
    back: HttpResponse,
) -> HttpResponse:
    """Run a service for a form: back to the page with a message, or the form with its errors."""
    try:
        action()
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, template, context, status=422)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, done)
    return back


@login_required
@require_http_methods(["GET", "POST"])
def violation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scope = _scope(request)
    violation = get_object_or_404(violations_for(scope, states=tuple(ViolationState.values)), pk=pk)
    context: dict[str, Any] = {
        "center": scope.center,
        "scope": scope,
        "violation": violation,
        "person": _handler_name(violation.person),
        "may_explain": violation.state == ViolationState.OPEN
        and scope.answers_for(violation.department_id),
        "may_decide": scope.supervises
        and violation.state in (ViolationState.OPEN, ViolationState.EXPLAINED),
        "notices": violation.notices.order_by("-issued_at"),
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "supervision/violation.html", context)
    action = request.POST.get("action", "")
    if action == "explain":

        def run() -> object:
            return services.violation_explain(
                ip=request_ip(request),
                violation=violation,
                scope=scope,
                user=user,
                explanation=request.POST.get("explanation", ""),
            )

        done = _("Your explanation is sent to the supervisors.")
    elif action in ("close", "uphold"):

        def run() -> object:
            return services.violation_decide(
                ip=request_ip(request),
                violation=violation,
                scope=scope,
                user=user,
                upheld=action == "uphold",
                note=request.POST.get("note", ""),
            )

        done = _("The violation is decided.")
    else:
        raise PermissionDenied(_("Unknown action."))
    return _act(
        request,
        run,
        done=done,
        template="supervision/violation.html",
        context=context,
        back=redirect("supervision:violation", pk=violation.pk),
    )


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    _user, scope = _scope(request)
    state = request.GET.get("state", "")
    states = (state,) if state in NoticeState.values else tuple(NoticeState.values)
    notices = notices_for(scope, states=states)
    if request.GET.get("format") == "xlsx":
        return _export(
            request,
            scope,
            name="notices",
            columns=[
                _("Notice"),
                _("Issued"),
                _("Department"),
                _("Case number"),
                _("Subject"),
                _("Answer due"),
                _("State"),
                _("Late"),
                _("Answer"),
            ],
            rows=(
                [
                    n.reference,
                    timezone.localtime(n.issued_at).replace(tzinfo=None),
                    n.department.name,
                    n.case.number if n.case else "",
                    n.subject,
                    n.answer_due,
                    n.get_state_display(),
                    _("yes") if n.late else _("no"),
                    n.answer,
                ]
                for n in notices[:EXPORT_LIMIT]
            ),
        )
    context = {
        "center": scope.center,
        "scope": scope,
        "page": _page(request, notices),
        "states": NoticeState.choices,
        "state": state,
        "query": request.GET.copy(),
    }
    return render(request, "supervision/notices.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    """A supervisor writes a notice, from a case of the lights board or from a violation."""
    user, scope = _scope(request)
    if not scope.supervises:
        raise PermissionDenied(_("Only a supervisor issues supervision notices."))
    data = request.POST if request.method == "POST" else request.GET
    violation_id = _int(data.get("violation"))
    violation = (
        Violation.objects.filter(center=scope.center, pk=violation_id).first()
        if violation_id is not None
        else None
    )
    number = data.get("case", "").strip() or (
        violation.case.number if violation and violation.case else ""
    )
    case = (
        Case.objects.filter(center=scope.center, number=number)
        .select_related("item__department")
        .first()
        if number
        else None
    )
    departments = Department.objects.filter(center=scope.center)
    default_department = (
        violation.department_id if violation else case.department_id if case else None
    )
    context: dict[str, Any] = {
        "center": scope.center,
        "scope": scope,
        "departments": departments,
        "violation": violation,
        "case": case,
        "values": {
            "department": _int(data.get("department")) or default_department,
            "case": number,
            "subject": data.get("subject", "")
            or (_("Overdue case %(number)s") % {"number": case.number} if case is not None else ""),
            "request": data.get("request", ""),
            "days": data.get("days", "3"),
        },
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "supervision/notice_form.html", context)
    errors: dict[str, list[str]] = {}
    department_id = _int(data.get("department"))
    department = departments.filter(pk=department_id).first() if department_id is not None else None
    if department is None:
        errors["department"] = [_("Choose the department that must answer.")]
    if number and case is None:
        errors["case"] = [_("There is no case %(number)s in this center.") % {"number": number}]
    days = _int(data.get("days"))
    if days is None:
        errors["days"] = [_("Give the working days to answer as a whole number.")]
    if errors:
        context["errors"] = errors
        return render(request, "supervision/notice_form.html", context, status=422)
    assert department is not None and days is not None
    try:
        notice = services.notice_issue(
            ip=request_ip(request),
            scope=scope,
            user=user,
            department=department,
            subject=data.get("subject", ""),
            request=data.get("request", ""),
            days=days,
            case=case,
            violation=violation,
        )
    except ValidationError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "supervision/notice_form.html", context, status=422)
    messages.success(
        request,
        _("Notice %(reference)s sent to %(department)s, to be answered by %(due)s.")
        % {
            "reference": notice.reference,
            "department": department.name,
            "due": notice.answer_due,
        },
    )
    return redirect("supervision:notice", pk=notice.pk)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user, scope = _scope(request)
    notice = get_object_or_404(notices_for(scope), pk=pk)
    return render(request, "supervision/notice.html", _notice_context(scope, notice))


def _notice_context(scope: SupervisionScope, notice: SupervisionNotice) -> dict[str, Any]:
    return {
        "center": scope.center,
        "scope": scope,
        "notice": notice,
        "may_answer": notice.state == NoticeState.ISSUED
        and scope.answers_for(notice.department_id),
        "may_close": notice.state == NoticeState.ANSWERED and scope.supervises,
        "errors": {},
    }


@login_required
@require_POST
def notice_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer (the department head) or close (the supervisor) a notice."""
    user, scope = _scope(request)
    notice = get_object_or_404(notices_for(scope), pk=pk)
    action = request.POST.get("action", "")
    if action == "answer":

        def run() -> object:
            return services.notice_answer(
                ip=request_ip(request),
                notice=notice,
                scope=scope,
                user=user,
                answer=request.POST.get("answer", ""),
            )

        done = _("Your answer is sent to the supervisors.")
    elif action == "close":

        def run() -> object:
            return services.notice_close(
                ip=request_ip(request),
                notice=notice,
                scope=scope,
                user=user,
                note=request.POST.get("note", ""),
            )

        done = _("The notice is closed.")
    else:
        raise PermissionDenied(_("Unknown action."))
    return _act(
        request,
        run,
        done=done,
        template="supervision/notice.html",
        context=_notice_context(scope, notice),
        back=redirect("supervision:notice", pk=notice.pk),
    )
