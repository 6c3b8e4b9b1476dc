"""Reads of cases: who sees which case, work lists, the art. 32 flag and the public query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import DEPARTMENT_ROLES, Role
from cases.models import (
    AWAITING_ACCEPTANCE,
    OPEN_AFTER_ACCEPTANCE,
    BundleApplication,
    Case,
    CaseCertificate,
    CaseEvent,
    CaseExtension,
    CaseMaterial,
    CaseRuleCheck,
    CaseStage,
    CaseStatus,
    CaseSuspension,
    Channel,
    ExtensionStatus,
    StageStatus,
)
from catalog.models import Center, ServiceItem
from govhall.db import rows
from govhall.throttle import attempt_count, attempts_counted
from workdays.calendar import Calendar, Explanation, count_working_days, explain_add

# Staff roles that see cases at all; the department roles see only their department's items.
CASE_ROLES = DEPARTMENT_ROLES | {Role.SUPERVISOR, Role.ADMINISTRATOR}
# Staff roles that take decisions on acceptance.
ACTING_ROLES = DEPARTMENT_ROLES


def staff_scope(user: User) -> Q | None:
    """The cases a member of staff may see, as a filter; None for someone who sees none.

    Department roles see their department's items and the cases with a stage in their department
    (并联审批); a clerk without a department (综合窗口) and the center-wide roles (supervisor,
    administrator) see the whole center.
    """
    profile = getattr(user, "staff_profile", None)
    if profile is None or not user.is_active:
        return None
    roles = set(user.role_names())
    if not roles & CASE_ROLES:
        return None
    scope = Q(center_id=profile.center_id)
    center_wide = roles & (CASE_ROLES - DEPARTMENT_ROLES)
    if profile.department_id is not None and not center_wide:
        department = profile.department_id
        scope &= Q(department_id=department) | Q(
            Exists(CaseStage.objects.filter(case=OuterRef("pk"), department_id=department))
        )
    return scope


# What the pages, notices and transitions of one case read besides the case itself.
CASE_RELATED = ("item", "item__department", "center")


def cases_visible_to(user: User, related: tuple[str, ...] = CASE_RELATED) -> QuerySet[Case]:
    """The applicant's own cases and, for staff, the cases of their scope."""
    if not user.is_authenticated:
        return Case.objects.none()
    visible = Q(applicant_user=user)
    scope = staff_scope(user)
    if scope is not None:
        visible |= scope
    return Case.objects.filter(visible).select_related(*related)


def case_get_for(*, user: User, number: str, related: tuple[str, ...] = CASE_RELATED) -> Case:
    """The case if the user may see it; otherwise 404, so that numbers cannot be probed.

    `related`: the relations loaded with it (the JSON API needs only the item).
    """
    # Most reads are the applicant's own: by number and applicant, without the staff scope,
    # whose profile and roles cost two queries.
    case = _own_case(user, number, related) if user.is_authenticated else None
    if case is None:
        visible = cases_visible_to(user, related).filter(number=number).order_by()[:1]
        case = next(iter(visible), None)
    if case is None:
        raise Http404(_("There is no case %(number)s among yours.") % {"number": number})
    return case


def _own_case(user: User, number: str, related: tuple[str, ...]) -> Case | None:
    """The user's own case by number, with `related` loaded."""
    if related not in ((), ("item",)):
        # The pages' relations in one join. The number is unique: no ordering needed.
        own = Case.objects.select_related(*related).filter(number=number, applicant_user_id=user.pk)
        return next(iter(own.order_by()[:1]), None)
    # The JSON API's reads and uploads: two hand-written statements (`govhall.db`) cost half
    # the ORM's join.
    case = next(iter(rows(Case, {"number": number, "applicant_user_id": user.pk})), None)
    if case is not None and related:
        case.item = rows(ServiceItem, {"id": case.item_id})[0]
    return case


def is_staff_reader(user: User, case: Case) -> bool:
    """Staff reading someone else's case: such reads of personal data are logged."""
    return case.applicant_user_id != user.pk and staff_may_see(user, case)


def staff_may_see(user: User, case: Case) -> bool:
    scope = staff_scope(user)
    return scope is not None and Case.objects.filter(scope, pk=case.pk).exists()


def staff_may_act(user: User, case: Case) -> bool:
    return bool(set(user.role_names()) & ACTING_ROLES) and staff_may_see(user, case)


def staff_worklist(
    *,
    user: User,
    status: int | None = None,
    department_id: int | None = None,
    due_before: dt.date | None = None,
) -> QuerySet[Case]:
    """Cases in the staff member's scope, by due date then number (an empty list for others)."""
    scope = staff_scope(user)
    if scope is None:
        return Case.objects.none()
    cases = Case.objects.filter(scope).select_related("item", "item__department")
    if status is not None:
        cases = cases.filter(status=status)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if due_before is not None:
        cases = cases.filter(promised_due__lt=due_before)
    return cases.order_by("promised_due", "number")


def stage_scope(user: User) -> Q | None:
    """The stages a member of staff may see: their department's, or the center's for the
    center-wide roles and clerks without a department; None for someone who sees none."""
    profile = getattr(user, "staff_profile", None)
    if profile is None or not user.is_active:
        return None
    roles = set(user.role_names())
    if not roles & CASE_ROLES:
        return None
    scope = Q(case__center_id=profile.center_id)
    if profile.department_id is not None and not roles & (CASE_ROLES - DEPARTMENT_ROLES):
        scope &= Q(department_id=profile.department_id)
    return scope


def stage_worklist(
    *,
    user: User,
    department_id: int | None = None,
    due_before: dt.date | None = None,
    status: StageStatus | None = StageStatus.ACTIVE,
) -> QuerySet[CaseStage]:
    """The stages of open cases the user's department works on, by due date (empty for others)."""
    scope = stage_scope(user)
    if scope is None:
        return CaseStage.objects.none()
    stages = CaseStage.objects.filter(scope, case__status__in=OPEN_AFTER_ACCEPTANCE).select_related(
        "case", "case__item", "department", "assignee"
    )
    if department_id is not None:
        stages = stages.filter(department_id=department_id)
    if due_before is not None:
        stages = stages.filter(due__lt=due_before)
    if status is not None:
        stages = stages.filter(status=status)
    return stages.order_by("due", "case__number", "pk")


def certificate_valid_for(*, identifier: str, name: str, today: dt.date) -> CaseCertificate | None:
    """A certificate named `name` held by `identifier` and valid on `today` (the latest)."""
    if not identifier:
        return None
    return (
        CaseCertificate.objects.filter(
            holder_identifier=identifier, name=name, issued_on__lte=today
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-issued_on", "-pk")
        .first()
    )


def case_stages(case: Case) -> list[CaseStage]:
    if case.accepted_at is None:
        # Stages are made when the case is accepted: nothing to read before.
        return []
    return list(case.stages.select_related("department", "assignee").order_by("step", "pk"))


def intake_list(*, user: User) -> QuerySet[Case]:
    """The cases awaiting a decision on acceptance or a correction, oldest first."""
    return (
        staff_worklist(user=user)
        .filter(status__in=(*AWAITING_ACCEPTANCE, CaseStatus.CORRECTION_START))
        .order_by("acceptance_due", "number")
    )


def cases_overdue_for_acceptance(*, center: Center, today: dt.date) -> QuerySet[Case]:
    """Online applications with no decision on acceptance after five working days (art. 32).

    They count as accepted from the day of receipt: `case_accept` then counts their limits from
    that day.
    """
    return Case.objects.filter(
        center=center,
        channel=Channel.ONLINE,
        status__in=AWAITING_ACCEPTANCE,
        acceptance_due__lt=today,
    ).order_by("acceptance_due", "number")


def case_timeline(case: Case, *, actors: bool = True) -> list[CaseEvent]:
    """The case's events in order; `actors` loads who acted (the JSON API does not show it)."""
    if not actors:
        return rows(CaseEvent, {"case_id": case.pk}, order=("at", "id"))
    return list(case.events.order_by("at", "pk").select_related("actor"))


def case_materials(case: Case) -> list[CaseMaterial]:
    """The case's materials in the order they came."""
    return rows(CaseMaterial, {"case_id": case.pk}, order=("uploaded_at", "id"))


def case_rule_checks(case: Case) -> list[CaseRuleCheck]:
    """The automatic approval (秒批) rules checked on the case, in the item's order."""
    return rows(CaseRuleCheck, {"case_id": case.pk}, order=("position", "id"))


@dataclass(frozen=True)
class PublicStep:
    status: str
    at: dt.datetime


@dataclass(frozen=True)
class PublicCase:
    """What anyone with the number and the ID's last four characters may see: no personal data."""

    number: str
    item: str
    status: int
    status_label: str
    promised_due: dt.date | None
    steps: list[PublicStep]


class QueryThrottled(Exception):  # noqa: N818 -- a state, not a failure of the code
    """Too many failed public queries from one address."""


def _failures_key(address: str) -> str:
    return f"cases:query-failures:{address}"


# The case's columns the public query shows or compares, then its events'.
PUBLIC_COLUMNS = (
    "number",
    "item__name",
    "status",
    "promised_due",
    "applicant_kind",
    "id_number",
    "uscc",
    "events__from_status",
    "events__to_status",
    "events__at",
)


def case_public_lookup(*, number: str, id_tail: str, address: str) -> PublicCase | None:
    """The case's status and timeline if the number and the identifier's tail match.

    Failed attempts are counted per address; past the limit every attempt is refused for a
    while, so that nobody can guess numbers or tails.
    """
    limit: int = getattr(settings, "GOVHALL_CASE_QUERY_FAILURES", 10)
    window: int = getattr(settings, "GOVHALL_CASE_QUERY_WINDOW_SECONDS", 3600)
    key = _failures_key(address)
    if attempts_counted(key) >= limit:
        raise QueryThrottled
    tail = id_tail.strip().upper()
    # One query: the case's columns repeat on each row of its events (a case has a handful),
    # and a case without events still gives one row.
    rows = (
        list(
            Case.objects.filter(number=number.strip().upper())
            .order_by("events__at", "events__pk")
            .values_list(*PUBLIC_COLUMNS)
        )
        if len(tail) == 4
        else []
    )
    if not rows:
        attempt_count(key, window)
        return None
    found, item_name, status, promised_due, kind, id_number, uscc = rows[0][:7]
    if not Case(applicant_kind=kind, id_number=id_number, uscc=uscc).identifier.endswith(tail):
        attempt_count(key, window)
        return None
    steps = [
        PublicStep(status=str(CaseStatus(to_status).label), at=at)
        for *_case, from_status, to_status, at in rows
        # Notes that change no state (a stage done, an extension asked) stay inside the center.
        if to_status is not None and from_status != to_status
    ]
    return PublicCase(
        number=found,
        item=item_name,
        status=status,
        status_label=str(CaseStatus(status).label),
        promised_due=promised_due,
        steps=steps,
    )


@dataclass(frozen=True)
class DeadlineExplanation:
    """How the case's due dates came about: start, limits, suspensions, extensions, holidays."""

    clock_start: dt.date
    promised_days: int
    statutory_days: int
    suspensions: list[CaseSuspension]
    suspended_days: int
    extensions: list[CaseExtension]
    extension_days: int
    promised: Explanation
    statutory: Explanation


def case_limits(case: Case) -> tuple[int, int]:
    """The promised and statutory limits the case was accepted under (the item's for old rows)."""
    promised = case.promised_days if case.promised_days is not None else case.item.promised_days
    statutory = case.statutory_days if case.statutory_days is not None else case.item.statutory_days
    return promised, statutory


def case_deadline_explain(case: Case, calendar: Calendar) -> DeadlineExplanation:
    """The due dates counted afresh: limit + the working days of ended suspensions + approved
    extensions, from the clock's start. Raises ValueError for a case whose clock has not started.
    """
    if case.clock_start is None:
        raise ValueError("The case's clock has not started.")
    promised_days, statutory_days = case_limits(case)
    suspensions = list(case.suspensions.filter(end_day__isnull=False).order_by("start_day", "pk"))
    suspended = sum(
        count_working_days(calendar, item.start_day, item.end_day)
        for item in suspensions
        if item.end_day is not None
    )
    extensions = list(case.extensions.filter(status=ExtensionStatus.APPROVED).order_by("pk"))
    extended = sum(extension.days for extension in extensions)
    return DeadlineExplanation(
        clock_start=case.clock_start,
        promised_days=promised_days,
        statutory_days=statutory_days,
        suspensions=suspensions,
        suspended_days=suspended,
        extensions=extensions,
        extension_days=extended,
        promised=explain_add(calendar, case.clock_start, promised_days + suspended + extended),
        statutory=explain_add(calendar, case.clock_start, statutory_days + suspended + extended),
    )


def bundle_application_get_for(*, user: User, number: str) -> BundleApplication:
    """The bundle application if the user applied for it or may see one of its cases; else 404."""
    application = (
        BundleApplication.objects.select_related("bundle", "center")
        .filter(number=number)
        .filter(Q(applicant_user_id=user.pk) | Q(cases__in=cases_visible_to(user)))
        .distinct()
        .first()
        if user.is_authenticated
        else None
    )
    if application is None:
        raise Http404(
            _("There is no bundle application %(number)s among yours.") % {"number": number}
        )
    return application


def bundle_application_cases(application: BundleApplication) -> list[Case]:
    """The linked cases in the bundle's order of items."""
    order = {
        item_id: position
        for position, item_id in enumerate(
            application.bundle.entries.order_by("position", "pk").values_list("item_id", flat=True)
        )
    }
    cases = application.cases.select_related("item", "item__department")
    return sorted(cases, key=lambda case: (order.get(case.item_id, len(order)), case.number))
