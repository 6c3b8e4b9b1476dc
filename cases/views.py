"""Pages of cases: apply online, my cases, the case page with its stages, clock and decision,
intake, the departments' work list, counter cases, public query."""

from __future__ import annotations

import unicodedata
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import Role
from cases import services
from cases.hooks import case_panels_render
from cases.models import (
    CONCLUDED,
    IN_PROCESS,
    OPEN_AFTER_ACCEPTANCE,
    BundleApplication,
    Case,
    CaseCertificate,
    CaseDecision,
    CaseDraft,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
    ExtensionStatus,
    StageStatus,
    SuspensionKind,
)
from cases.pdf import acceptance_notice_pdf, correction_notice_pdf, decision_pdf
from cases.selectors import (
    QueryThrottled,
    bundle_application_cases,
    bundle_application_get_for,
    case_deadline_explain,
    case_get_for,
    case_public_lookup,
    case_stages,
    case_timeline,
    intake_list,
    staff_may_act,
    staff_scope,
    stage_worklist,
)
from catalog.models import Bundle, Counter, MaterialSpec, ServiceItem
from catalog.search import BundleForm, bundle_form, bundle_get_published, center_get
from govhall.errors import ConflictError, form_errors
from govhall.identifiers import mask_id, mask_name
from hall.models import CounterState
from workdays.calendar import OutOfCalendar
from workdays.selectors import calendar_current

APPLICANT_KEYS = ("applicant_kind", "applicant_name", "id_number", "uscc", "mobile")
# Kept in the draft with the applicant's data, but no field of the form.
CHOICE_KEYS = ("person_requested",)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _applicant(data: dict[str, Any]) -> services.Applicant:
    return services.Applicant(
        kind=str(data.get("applicant_kind", "")),
        name=str(data.get("applicant_name", "")),
        id_number=str(data.get("id_number", "")),
        uscc=str(data.get("uscc", "")),
        mobile=str(data.get("mobile", "")),
    )


def _field_values(item: ServiceItem, data: dict[str, Any]) -> dict[str, Any]:
    return {field.key: data.get(f"field-{field.key}", "") for field in item.fields.all()}


def _form_context(item: ServiceItem, data: dict[str, Any], errors: dict[str, list[str]]) -> Any:
    return {
        "item": item,
        "center": item.center,
        "data": data,
        "errors": errors,
        "fields": [
            {"field": field, "name": f"field-{field.key}", "value": data.get(f"field-{field.key}")}
            for field in item.fields.all()
        ],
        "materials": list(item.materials.all()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """网上申报: the item's form and materials; drafts are kept, a double submit makes one case."""
    user = _user(request)
    item = get_object_or_404(
        ServiceItem.objects.published().select_related("center"), implementation_code=code
    )
    token = request.POST.get("token") or request.GET.get("draft")
    draft = None
    if token:
        try:
            draft = CaseDraft.objects.filter(token=token, user=user, item=item).first()
        except ValidationError:
            draft = None
    if draft is not None and draft.case_id is not None:
        return redirect("cases:detail", number=draft.case.number)  # type: ignore[union-attr]
    if request.method == "GET":
        context = _form_context(item, draft.data if draft else {}, {})
        context["token"] = draft.token if draft else ""
        return render(request, "cases/apply.html", context)
    data = {
        key: value
        for key, value in request.POST.items()
        if key in APPLICANT_KEYS or key in CHOICE_KEYS or key.startswith("field-")
    }
    draft = services.case_draft_save(user=user, item=item, data=data, draft=draft)
    if request.POST.get("action") != "submit":
        messages.success(request, _("Your draft is saved."))
        return redirect(f"{request.path}?draft={draft.token}")
    try:
        case, created = services.case_submit(
            user=user,
            item=item,
            applicant=_applicant(data),
            form_data=_field_values(item, data),
            idempotency_key=f"draft:{draft.token}",
            materials=[
                (spec, upload)
                for spec in item.materials.all()
                for upload in request.FILES.getlist(f"material-{spec.pk}")
            ],
            draft=draft,
            person_requested=bool(data.get("person_requested")),
        )
    except ValidationError as exc:
        context = _form_context(item, data, form_errors(exc))
        context["token"] = draft.token
        return render(request, "cases/apply.html", context, status=422)
    if created:
        services.case_auto_decide(case=case)
        messages.success(
            request, _("Your application %(number)s is submitted.") % {"number": case.number}
        )
    return redirect("cases:detail", number=case.number)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = Case.objects.filter(applicant_user=user).select_related("item").order_by("-number")
    drafts = CaseDraft.objects.filter(user=user, case__isnull=True).select_related("item")
    bundles = BundleApplication.objects.filter(applicant_user=user).select_related("bundle")
    return render(
        request,
        "cases/mine.html",
        {"cases": cases[:200], "drafts": drafts[:50], "bundles": bundles.order_by("-number")[:50]},
    )


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    services.case_access_record(case=case, user=user, what="page")
    is_applicant = case.applicant_user_id == user.pk
    may_act = staff_may_act(user, case)
    context = {
        "case": case,
        "center": case.center,
        "status_label": CaseStatus(case.status).label,
        "events": case_timeline(case),
        "materials": case.materials.select_related("spec"),
        "notices": case.correction_notices.all(),
        "specs": case.item.materials.all(),
        "is_applicant": is_applicant,
        "may_act": may_act and case.awaits_acceptance,
        "may_conclude": may_act
        and case.awaits_acceptance
        and case.item.is_instant
        and services.may_conclude_on_the_spot(user, case),
        "may_upload": (is_applicant and case.status in (1, 6, 7))
        or (may_act and case.status in (1, 3, 6, 7)),
        "may_withdraw": is_applicant and case.status in (1, 6, 7),
        "correcting": is_applicant and case.status == CaseStatus.CORRECTION_START,
    }
    context.update(_processing_context(user, case, may_act=may_act))
    context["certificate"] = CaseCertificate.objects.filter(case=case).first()
    context["rule_checks"] = list(case.rule_checks.all())
    context["light"] = case.light(timezone.localdate())
    context["panels"] = case_panels_render(request, case)
    return render(request, "cases/detail.html", context)


def _processing_context(user: User, case: Case, *, may_act: bool) -> dict[str, Any]:
    """The stage panel, the clock's explanation and the forms of the approval."""
    stages = case_stages(case)
    today = timezone.localdate()
    rows = []
    for stage in stages:
        may_assign = may_act and services.may_assign_stage(user, stage)
        rows.append(
            {
                "stage": stage,
                "light": stage.light(today),
                "may_work": may_act
                and case.status in IN_PROCESS
                and stage.status == StageStatus.ACTIVE
                and services.may_work_stage(user, stage),
                "may_assign": may_assign and stage.status != StageStatus.DONE,
                "colleagues": User.objects.filter(
                    staff_profile__department_id=stage.department_id, is_active=True
                ).order_by("username")
                if may_assign
                else [],
            }
        )
    deadline = None
    if case.clock_start is not None:
        try:
            deadline = case_deadline_explain(case, calendar_current())
        except OutOfCalendar:
            deadline = None
    processor = may_act and bool(
        set(user.role_names()) & {role.value for role in services.PROCESSING_ROLES}
    )
    decision = CaseDecision.objects.filter(case=case).first()
    return {
        "stages": rows,
        "deadline": deadline,
        "decision": decision,
        "may_process": processor and case.status in OPEN_AFTER_ACCEPTANCE,
        "may_decide": processor
        and case.status in IN_PROCESS
        and all(stage.status == StageStatus.DONE for stage in stages),
        "may_decide_extension": processor and user.has_role(Role.DEPARTMENT_HEAD),
        "may_deliver": may_act
        and case.status in CONCLUDED
        and decision is not None
        and decision.delivered_at is None,
        "fees": case.fees.select_related("charged_by"),
        "may_charge": may_act and case.status in services.FEE_STATES,
        "item_fees": case.item.fees.all(),
        "pending_extensions": case.extensions.filter(status=ExtensionStatus.REQUESTED),
        "extension_allowance": services.extension_allowance(),
        "suspension_kinds": SuspensionKind.choices,
        "delivery_methods": DeliveryMethod.choices,
    }


def _amount(text: str) -> Decimal:
    """An amount in yuan as typed (full-width digits and a 元 or ¥ allowed)."""
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("元").lstrip("¥").strip()
    try:
        amount = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationError(
            _("Give the amount in yuan as a number, for example 50 or 12.50, not “%(value)s”.")
            % {"value": text[:20]}
        )
    return amount


def _act_on_approval(request: HttpRequest, case: Case, user: User, action: str) -> bool:
    """The approval's actions of the case page; False for an action that is not one of them."""
    post = request.POST
    if action in ("stage-complete", "stage-assign"):
        stage_id = post.get("stage", "")
        stage = case.stages.filter(pk=int(stage_id)).first() if stage_id.isdigit() else None
        if stage is None:
            raise ValidationError(_("Choose a stage of this case."))
        if action == "stage-complete":
            services.stage_complete(stage=stage, staff=user, result=post.get("result", ""))
        else:
            assignee_id = post.get("assignee", "")
            assignee = (
                User.objects.filter(pk=int(assignee_id)).first() if assignee_id.isdigit() else None
            )
            if assignee is None:
                raise ValidationError(_("Choose the colleague to assign the stage to."))
            services.stage_assign(stage=stage, staff=user, assignee=assignee)
    elif action == "suspend":
        days = post.get("expected_days", "")
        services.case_suspend(
            case=case,
            staff=user,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
            expected_days=int(days) if days.isdigit() else 0,
        )
    elif action == "resume":
        services.case_resume(case=case, staff=user, result=post.get("result", ""))
    elif action == "extension":
        days = post.get("days", "")
        services.extension_request(
            case=case,
            staff=user,
            days=int(days) if days.isdigit() else 0,
            reason=post.get("reason", ""),
        )
    elif action in ("extension-approve", "extension-refuse"):
        extension_id = post.get("extension", "")
        extension = (
            case.extensions.filter(pk=int(extension_id)).first() if extension_id.isdigit() else None
        )
        if extension is None:
            raise ValidationError(_("Choose an extension of this case."))
        if action == "extension-approve":
            services.extension_approve(extension=extension, staff=user)
        else:
            services.extension_refuse(extension=extension, staff=user)
    elif action == "decide":
        outcome = post.get("outcome", "")
        try:
            gaps_due = parse_date(post.get("gaps_due", ""))
        except ValueError:
            gaps_due = None
        services.case_decide(
            case=case,
            staff=user,
            decision=services.Decision(
                outcome=CaseStatus(int(outcome))
                if outcome in ("11", "12", "13")
                else CaseStatus(1),
                reason=post.get("reason", ""),
                gaps=post.get("gaps", ""),
                gaps_due=gaps_due,
            ),
        )
    elif action == "deliver":
        services.case_deliver(
            case=case,
            staff=user,
            method=post.get("method", ""),
            tracking_number=post.get("tracking_number", ""),
        )
    elif action == "fee":
        fee_id = post.get("fee", "")
        fee = case.item.fees.filter(pk=int(fee_id)).first() if fee_id.isdigit() else None
        if fee_id and fee is None:
            raise ValidationError(_("Choose one of this item's fees."))
        services.case_fee_charge(
            case=case,
            staff=user,
            amount=_amount(post.get("amount", "")),
            fee=fee,
            name=post.get("name", ""),
            receipt_number=post.get("receipt_number", ""),
            note=post.get("note", ""),
            free_item_confirmed=post.get("free_item_confirmed") == "1",
        )
    else:
        return False
    return True


@login_required
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    """Every action of the case page: one service each."""
    user = _user(request)
    case = case_get_for(user=user, number=number)
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            services.case_accept(case=case, staff=user)
        elif action == "refuse":
            services.case_refuse(case=case, staff=user, reason=request.POST.get("reason", ""))
        elif action == "correction":
            marks = [
                services.CorrectionMark(
                    spec_id=int(spec_id), reason=request.POST.get(f"reason-{spec_id}", "")
                )
                for spec_id in request.POST.getlist("spec")
                if spec_id.isdigit()
            ]
            if request.POST.get("other_name", "").strip():
                marks.append(
                    services.CorrectionMark(
                        name=request.POST["other_name"],
                        reason=request.POST.get("other_reason", ""),
                    )
                )
            services.case_request_correction(
                case=case, staff=user, marks=marks, note=request.POST.get("note", "")
            )
        elif action == "conclude":
            services.case_conclude_on_the_spot(case=case, staff=user)
        elif action == "withdraw":
            services.case_withdraw(case=case, user=user, reason=request.POST.get("reason", ""))
        elif action == "upload":
            spec_id = request.POST.get("spec", "")
            spec = (
                MaterialSpec.objects.filter(pk=int(spec_id), item_id=case.item_id).first()
                if spec_id.isdigit()
                else None
            )
            uploads = request.FILES.getlist("file")
            if not uploads:
                raise ValidationError(_("Choose a file to upload."))
            for upload in uploads:
                services.material_upload(case=case, user=user, upload=upload, spec=spec)
        elif action == "correction-done":
            services.case_correction_submit(case=case, user=user)
        elif not _act_on_approval(request, case, user, action):
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (ConflictError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:detail", number=case.number)


@login_required
@require_GET
def material(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A material, only to the applicant and staff who may see the case; the read is logged."""
    user = _user(request)
    case = case_get_for(user=user, number=number)
    upload = get_object_or_404(case.materials, pk=pk)
    services.case_access_record(case=case, user=user, what=f"material {pk}")
    response = FileResponse(
        upload.file.open("rb"), content_type=upload.content_type, as_attachment=True
    )
    response["Content-Disposition"] = f'attachment; filename="material-{pk}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def correction_pdf(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    notice = get_object_or_404(CorrectionNotice.objects.select_related("case"), case=case, pk=pk)
    services.case_access_record(case=case, user=user, what="correction notice")
    return _pdf_response(correction_notice_pdf(notice=notice), f"correction-{number}-{pk}.pdf")


@login_required
@require_GET
def acceptance_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    if case.accepted_at is None:
        raise Http404(_("This case has not been accepted."))
    services.case_access_record(case=case, user=user, what="acceptance notice")
    return _pdf_response(acceptance_notice_pdf(case=case), f"acceptance-{number}.pdf")


@login_required
@require_GET
def decision_notice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = case_get_for(user=user, number=number)
    decision = CaseDecision.objects.filter(case=case).select_related("case").first()
    if decision is None:
        raise Http404(_("This case has not been decided."))
    services.case_access_record(case=case, user=user, what="decision")
    return _pdf_response(decision_pdf(decision=decision), f"decision-{number}.pdf")


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if staff_scope(user) is None:
        raise PermissionDenied(_("The intake pages are for the center's staff."))
    return user


@login_required
@require_GET
def intake(request: HttpRequest) -> HttpResponse:
    """The clerk's intake list: personal data masked."""
    user = _staff(request)
    rows = [
        {
            "case": case,
            "applicant": mask_name(case.applicant_name),
            "identifier": mask_id(case.identifier),
            "status_label": CaseStatus(case.status).label,
        }
        for case in intake_list(user=user)[:200]
    ]
    return render(request, "cases/intake.html", {"rows": rows, "center": user.staff_profile.center})


@login_required
@require_GET
def work(request: HttpRequest) -> HttpResponse:
    """The department's work list: active stages by due date, personal data masked."""
    user = _staff(request)
    today = timezone.localdate()
    rows = [
        {
            "stage": stage,
            "applicant": mask_name(stage.case.applicant_name),
            "light": stage.light(today),
        }
        for stage in stage_worklist(user=user)[:200]
    ]
    return render(request, "cases/work.html", {"rows": rows, "center": user.staff_profile.center})


@login_required
@require_http_methods(["GET", "POST"])
def new_at_counter(request: HttpRequest) -> HttpResponse:
    """A clerk opens a case for the ticket being served at their counter."""
    user = _staff(request)
    profile = user.staff_profile
    chosen = request.session.get("workstation_counter")
    counter = (
        Counter.objects.filter(center=profile.center, pk=chosen).first()
        if chosen is not None
        else profile.counter
    )
    state = CounterState.objects.select_related("ticket").filter(counter=counter).first()
    if counter is None or state is None or state.staff_id != user.pk or state.ticket is None:
        messages.error(request, _("Call a ticket at your counter first."))
        return redirect("hall:workstation")
    items = ServiceItem.objects.published().filter(center=profile.center)
    if profile.department_id is not None:
        items = items.filter(department_id=profile.department_id)
    code = request.POST.get("item") or request.GET.get("item")
    item = items.filter(implementation_code=code).first() if code else None
    if item is None:
        return render(
            request,
            "cases/new.html",
            {"items": items, "ticket": state.ticket, "center": profile.center},
        )
    if request.method == "GET":
        context = _form_context(item, {}, {})
        context.update({"ticket": state.ticket, "counter_case": True})
        return render(request, "cases/apply.html", context)
    data = {
        key: value
        for key, value in request.POST.items()
        if key in APPLICANT_KEYS or key.startswith("field-")
    }
    try:
        case = services.case_open_at_counter(
            staff=user,
            counter=counter,
            item=item,
            applicant=_applicant(data),
            form_data=_field_values(item, data),
        )
    except ValidationError as exc:
        context = _form_context(item, data, form_errors(exc))
        context.update({"ticket": state.ticket, "counter_case": True})
        return render(request, "cases/apply.html", context, status=422)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("hall:workstation")
    return redirect("cases:detail", number=case.number)


@require_GET
def query(request: HttpRequest) -> HttpResponse:
    """公开查询: number and the ID's last four characters; status and timeline only."""
    number = request.GET.get("number", "").strip()[:20]
    id_tail = request.GET.get("id_tail", "").strip()[:4]
    context: dict[str, Any] = {"number": number, "id_tail": id_tail}
    status = 200
    if number or id_tail:
        try:
            found = case_public_lookup(
                number=number, id_tail=id_tail, address=request.META.get("REMOTE_ADDR", "")
            )
        except QueryThrottled:
            context["error"] = _("Too many failed queries: try again in an hour.")
            status = 429
        else:
            context["found"] = found
            if found is None:
                context["error"] = _("No case matches this number and ID ending.")
                status = 404
    return render(request, "cases/query.html", context, status=status)


# --- bundles (一件事一次办) ------------------------------------------------------------------


def _bundle_context(
    bundle: Bundle, form: BundleForm, data: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    return {
        "bundle": bundle,
        "form": form,
        "center": bundle.center,
        "data": data,
        "errors": errors,
        "fields": [
            {"field": field, "name": f"field-{field.key}", "value": data.get(f"field-{field.key}")}
            for field in form.fields
        ],
        "documents": [
            {"name": f"document-{index}", "material": document}
            for index, document in enumerate(form.materials)
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def bundle_apply(request: HttpRequest, center: str, code: str) -> HttpResponse:
    """一件事: one form and one set of documents for all the bundle's items."""
    user = _user(request)
    bundle = bundle_get_published(code=code, center=center_get(center))
    form = bundle_form(bundle)
    if request.method == "GET":
        context = _bundle_context(bundle, form, {}, {})
        context["token"] = uuid.uuid4().hex
        return render(request, "cases/bundle_apply.html", context)
    token = request.POST.get("token", "")[:64] or uuid.uuid4().hex
    data = {
        key: value
        for key, value in request.POST.items()
        if key in APPLICANT_KEYS or key.startswith("field-")
    }
    uploads = {
        document.key: request.FILES.getlist(f"document-{index}")
        for index, document in enumerate(form.materials)
    }
    try:
        application, created = services.bundle_submit(
            user=user,
            bundle=bundle,
            applicant=_applicant(data),
            form_data={
                field.key: data[f"field-{field.key}"]
                for field in form.fields
                if f"field-{field.key}" in data
            },
            idempotency_key=f"form:{token}",
            uploads=uploads,
        )
    except ValidationError as exc:
        context = _bundle_context(bundle, form, data, form_errors(exc))
        context["token"] = token
        return render(request, "cases/bundle_apply.html", context, status=422)
    if created:
        messages.success(
            request,
            _("Your bundle application %(number)s is submitted: one case for each item.")
            % {"number": application.number},
        )
    return redirect("cases:bundle_detail", number=application.number)


@login_required
@require_GET
def bundle_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The bundle application and the states of its linked cases."""
    user = _user(request)
    application = bundle_application_get_for(user=user, number=number)
    rows = [
        {"case": case, "status_label": CaseStatus(case.status).label}
        for case in bundle_application_cases(application)
    ]
    return render(
        request,
        "cases/bundle_detail.html",
        {"application": application, "rows": rows, "center": application.center},
    )
