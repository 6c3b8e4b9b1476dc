"""The rules of supervision during handling (事中): each a small function returning its findings.

State rules look at a center's cases as they stand today, through the indexed date columns;
event rules look at the case events written since the last sweep. Neither writes: the sweep turns
findings into violations, one per rule per case or stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.models import (
    AWAITING_ACCEPTANCE,
    CONCLUDED,
    Case,
    CaseEvent,
    CaseFee,
    CaseStage,
    CaseStatus,
    CaseSuspension,
    Channel,
    Light,
    StageStatus,
)
from cases.services import VIOLATION_SECOND_CORRECTION
from catalog.models import Center, StaffProfile
from supervision.models import Rule, Severity
from workdays.calendar import Calendar, OutOfCalendar, add_working_days


@dataclass(frozen=True)
class Finding:
    """What a rule found: enough to record a violation."""

    rule: Rule
    severity: Severity
    center_id: int
    case_id: int | None
    department_id: int
    detail: str
    stage_id: int | None = None
    person_id: int | None = None
    subject: str = ""  # for a finding without a case: what it is about (see Violation.subject)


StateRule = Callable[[Center, dt.date, Calendar], list[Finding]]
EventRule = Callable[[Sequence[CaseEvent]], list[Finding]]


def overdue_cases(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Running cases past their promised date (red) or their statutory date (severe)."""
    findings: list[Finding] = []
    for light, severity in ((Light.RED, Severity.SERIOUS), (Light.SEVERE, Severity.GRAVE)):
        cases = (
            Case.objects.filter(center=center)
            .lit(light, today)
            .values_list("pk", "department_id", "handled_by_id", "promised_due")
        )
        for pk, department, handler, due in cases:
            findings.append(
                Finding(
                    rule=Rule.CASE_OVERDUE,
                    severity=severity,
                    center_id=center.pk,
                    case_id=pk,
                    department_id=department,
                    person_id=handler,
                    detail=_("Promised due %(due)s, still open on %(today)s.")
                    % {"due": due, "today": today},
                )
            )
    return findings


def overdue_stages(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Running stages past their due date."""
    stages = (
        CaseStage.objects.filter(department__center=center)
        .lit(Light.RED, today)
        .values_list("pk", "case_id", "department_id", "assignee_id", "name", "due")
    )
    return [
        Finding(
            rule=Rule.STAGE_OVERDUE,
            severity=Severity.MINOR,
            center_id=center.pk,
            case_id=case,
            stage_id=pk,
            department_id=department,
            person_id=assignee,
            detail=_("Stage %(stage)s was due %(due)s, still open on %(today)s.")
            % {"stage": name, "due": due, "today": today},
        )
        for pk, case, department, assignee, name, due in stages
    ]


def acceptance_late(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Online applications without an acceptance decision past the five working days."""
    cases = Case.objects.filter(
        center=center,
        status__in=AWAITING_ACCEPTANCE,
        acceptance_due__lt=today,
        channel=Channel.ONLINE,
    ).values_list("pk", "department_id", "handled_by_id", "acceptance_due")
    return [
        Finding(
            rule=Rule.ACCEPTANCE_LATE,
            severity=Severity.SERIOUS,
            center_id=center.pk,
            case_id=pk,
            department_id=department,
            person_id=handler,
            detail=_("Acceptance was to be decided by %(due)s.") % {"due": due},
        )
        for pk, department, handler, due in cases
    ]


def suspensions_too_long(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Special procedures still under way after the working days they were expected to last."""
    suspensions = CaseSuspension.objects.filter(
        case__center=center, case__status=CaseStatus.SPECIAL_START, ended_at__isnull=True
    ).select_related("case")
    findings: list[Finding] = []
    for suspension in suspensions:
        try:
            expected_end = add_working_days(
                calendar, suspension.start_day, suspension.expected_days
            )
        except OutOfCalendar:
            continue  # a date past the calendar's years is not overdue yet
        if expected_end < today:
            findings.append(
                Finding(
                    rule=Rule.SUSPENSION_TOO_LONG,
                    severity=Severity.MINOR,
                    center_id=center.pk,
                    case_id=suspension.case_id,
                    department_id=suspension.case.department_id,
                    person_id=suspension.started_by_id,
                    detail=_("Expected to end by %(end)s (%(days)s working days).")
                    % {"end": expected_end, "days": suspension.expected_days},
                )
            )
    return findings


def fees_on_free_items(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Fees charged on a case whose item the catalog listed as free of charge (乱收费); one
    finding per case, naming every such fee and the person who charged the first."""
    charges = (
        CaseFee.objects.filter(item_free=True, case__center=center)
        .order_by("charged_at", "pk")
        .values_list("case_id", "case__department_id", "charged_by_id", "name", "amount")
    )
    by_case: dict[int, tuple[int, int, list[str]]] = {}
    for case, department, person, name, amount in charges:
        _department, _person, fees = by_case.setdefault(case, (department, person, []))
        fees.append(_("%(name)s %(amount)s yuan") % {"name": name, "amount": amount})
    return [
        Finding(
            rule=Rule.FEE_ON_FREE_ITEM,
            severity=Severity.GRAVE,
            center_id=center.pk,
            case_id=case,
            department_id=department,
            person_id=person,
            detail=_("Charged on an item free of charge: %(fees)s.") % {"fees": "; ".join(fees)},
        )
        for case, (department, person, fees) in by_case.items()
    ]


def _from_event(
    event: CaseEvent, rule: Rule, severity: Severity, detail: str, department_id: int | None = None
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        center_id=event.case.center_id,
        case_id=event.case_id,
        department_id=department_id or event.case.department_id,
        person_id=event.actor_id,
        detail=detail,
    )


def second_corrections(events: Sequence[CaseEvent]) -> list[Finding]:
    """A second correction request breaks the one-time rule (行政许可法 art. 32), even when a
    supervisor allowed it: cases record that allowance in the event's note."""
    return [
        _from_event(
            event,
            Rule.SECOND_CORRECTION,
            Severity.SERIOUS,
            event.note[:500],
        )
        for event in events
        if event.to_status == CaseStatus.CORRECTION_START
        and (event.note.startswith(VIOLATION_SECOND_CORRECTION) or event.case.corrections_count > 1)
    ]


def refusals_without_reason(events: Sequence[CaseEvent]) -> list[Finding]:
    """Not accepted or refused with no reason for the applicant."""
    return [
        _from_event(
            event,
            Rule.REFUSAL_WITHOUT_REASON,
            Severity.SERIOUS,
            _("%(state)s without a reason.") % {"state": CaseStatus(event.to_status).label},
        )
        for event in events
        if event.to_status in (CaseStatus.NOT_ACCEPTED, CaseStatus.REFUSED)
        and not event.note.strip()
    ]


def denials_without_reason(events: Sequence[CaseEvent]) -> list[Finding]:
    """Concluded as denied with no reason for the applicant."""
    return [
        _from_event(
            event, Rule.DENIAL_WITHOUT_REASON, Severity.SERIOUS, _("Denied without a reason.")
        )
        for event in events
        if event.to_status == CaseStatus.CONCLUDED_DENIED and not event.note.strip()
    ]


def conclusions_without_stages(events: Sequence[CaseEvent]) -> list[Finding]:
    """Concluded while a stage was not done, or with no stage at all; on-the-spot items (promised
    0 days) conclude at the counter without stages by design."""
    concluded = [
        event
        for event in events
        if event.to_status in CONCLUDED and event.case.item.promised_days > 0
    ]
    if not concluded:
        return []
    stages: dict[int, list[tuple[str, str]]] = {}
    for case_id, name, status in CaseStage.objects.filter(
        case_id__in={event.case_id for event in concluded}
    ).values_list("case_id", "name", "status"):
        stages.setdefault(case_id, []).append((name, status))
    findings: list[Finding] = []
    for event in concluded:
        case_stages = stages.get(event.case_id, [])
        missing = [name for name, status in case_stages if status != StageStatus.DONE]
        if case_stages and not missing:
            continue
        detail = (
            _("Concluded before these stages were done: %(names)s.") % {"names": ", ".join(missing)}
            if missing
            else _("Concluded without any approval stage.")
        )
        findings.append(_from_event(event, Rule.CONCLUDED_WITHOUT_STAGE, Severity.GRAVE, detail))
    return findings


def suspensions_without_reason(events: Sequence[CaseEvent]) -> list[Finding]:
    """A special procedure started without telling the applicant why."""
    started = [event for event in events if event.to_status == CaseStatus.SPECIAL_START]
    if not started:
        return []
    blank = {
        case_id
        for case_id, reason in CaseSuspension.objects.filter(
            case_id__in={event.case_id for event in started}
        ).values_list("case_id", "reason")
        if not reason.strip()
    }
    return [
        _from_event(
            event,
            Rule.SUSPENSION_WITHOUT_REASON,
            Severity.SERIOUS,
            _("Special procedure started without a reason."),
        )
        for event in started
        if event.case_id in blank
    ]


def outside_actors(events: Sequence[CaseEvent]) -> list[Finding]:
    """Staff of a department that has no part in the case (neither the item's department nor a
    stage's) acting on it; staff without a department (综合窗口, supervisors) act center-wide."""
    actors = {event.actor_id for event in events if event.actor_id is not None}
    if not actors:
        return []
    departments: dict[int, int] = {
        user: department
        for user, department in StaffProfile.objects.filter(
            user_id__in=actors, department__isnull=False
        ).values_list("user_id", "department_id")
        if department is not None
    }
    acting = [
        (event, departments[event.actor_id])
        for event in events
        if event.actor_id is not None and event.actor_id in departments
    ]
    if not acting:
        return []
    involved: dict[int, set[int]] = {}
    for case_id, department in CaseStage.objects.filter(
        case_id__in={event.case_id for event, _department in acting}
    ).values_list("case_id", "department_id"):
        involved.setdefault(case_id, set()).add(department)
    findings: list[Finding] = []
    for event, department in acting:
        case = event.case
        own = involved.get(case.pk, set()) | {case.department_id}
        if department not in own:
            findings.append(
                _from_event(
                    event,
                    Rule.OUTSIDE_ACTOR,
                    Severity.SERIOUS,
                    _("%(state)s by staff of another department.")
                    % {"state": CaseStatus(event.to_status).label},
                    # The actor's department answers for its member's action.
                    department_id=department,
                )
            )
    return findings


STATE_RULES: list[StateRule] = [
    overdue_cases,
    overdue_stages,
    acceptance_late,
    suspensions_too_long,
    fees_on_free_items,
]
EVENT_RULES: tuple[EventRule, ...] = (
    second_corrections,
    refusals_without_reason,
    denials_without_reason,
    conclusions_without_stages,
    suspensions_without_reason,
    outside_actors,
)


def register_state_rule(rule: StateRule) -> None:
    """The hook for an app above supervision to add a state rule of its own (feedback's late
    rectifications, late work orders): called once from that app's `AppConfig.ready`."""
    if rule not in STATE_RULES:
        STATE_RULES.append(rule)
