"""Writes of supervision: the sweep (light alerts, violations, late notices), the violations'
explanation and decision, and the supervision notices (督办单).

The sweep is safe to run in several workers at once: each alert is claimed by an UPDATE
conditioned on the level it read, the event cursor by an UPDATE conditioned on its old position,
a late notice by an UPDATE conditioned on it not being escalated yet, and a violation by its
unique constraint; the row count decides who goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import message_send
from audit.services import audit_record
from cases.models import (
    IN_PROCESS,
    OPEN_AFTER_ACCEPTANCE,
    Case,
    CaseEvent,
    CaseStage,
    Light,
    StageStatus,
)
from catalog.models import Center, Department, StaffProfile
from govhall.errors import ConflictError
from hall.sms import send_sms
from supervision.efficiency import EfficiencyRow, Period, efficiency_tally
from supervision.models import (
    LIGHT_LEVELS,
    Dimension,
    EfficiencyRollup,
    LightAlert,
    LightWatch,
    NoticeState,
    RollupMonth,
    SupervisionNotice,
    SweepCursor,
    Violation,
    ViolationState,
)
from supervision.rules import EVENT_RULES, STATE_RULES, Finding
from supervision.selectors import SupervisionScope
from workdays.calendar import add_working_days
from workdays.selectors import calendar_current

logger = logging.getLogger(__name__)

EVENT_CURSOR = "case_events"
# Events read per sweep: a backlog is worked off over several minutes, never in one long run.
EVENT_BATCH = 5000
MAX_NOTICE_DAYS = 30
LIGHTS_BY_LEVEL = {level: Light(light) for light, level in LIGHT_LEVELS.items()}


class SupervisionConflictError(ConflictError):
    """The violation or notice is no longer in the state the action needs."""


# --- notification ---------------------------------------------------------------------------


def _alert(*, user: User, subject: str, body: str, link: str, kind: str) -> None:
    """The notification interface: the site inbox and a text message, both with the work."""
    message_send(user=user, subject=subject, body=body, link=link, kind=kind)
    if user.mobile:
        send_sms(mobile=user.mobile, text=f"{subject} {body}".strip()[:300])


def _active_staff(role: Role, *, center_id: int, department_id: int | None = None) -> list[User]:
    profiles = StaffProfile.objects.filter(center_id=center_id, user__is_active=True).filter(
        user__groups__name=role.value
    )
    if department_id is not None:
        profiles = profiles.filter(department_id=department_id)
    return list(User.objects.filter(staff_profile__in=profiles).order_by("pk"))


def supervisors_of(center_id: int) -> list[User]:
    return _active_staff(Role.SUPERVISOR, center_id=center_id)


def heads_of(department: Department) -> list[User]:
    """The department's heads; without one, its chief representative answers for it."""
    heads = _active_staff(
        Role.DEPARTMENT_HEAD, center_id=department.center_id, department_id=department.pk
    )
    if heads or department.chief_representative is None:
        return heads
    return [department.chief_representative]


# --- lights and escalation --------------------------------------------------------------------


@dataclass
class _Recipients:
    """Who hears of which light, looked up once per sweep."""

    cache: dict[tuple[str, int], list[User]] = field(default_factory=dict)

    def _cached(self, key: tuple[str, int], load: Iterable[User]) -> list[User]:
        if key not in self.cache:
            self.cache[key] = list(load)
        return self.cache[key]

    def reviewers(self, department: Department) -> list[User]:
        return self._cached(
            ("reviewers", department.pk),
            _active_staff(
                Role.REVIEWER, center_id=department.center_id, department_id=department.pk
            ),
        )

    def heads(self, department: Department) -> list[User]:
        if ("heads", department.pk) not in self.cache:
            self.cache[("heads", department.pk)] = heads_of(department)
        return self.cache[("heads", department.pk)]

    def supervisors(self, center_id: int) -> list[User]:
        if ("supervisors", center_id) not in self.cache:
            self.cache[("supervisors", center_id)] = supervisors_of(center_id)
        return self.cache[("supervisors", center_id)]

    def for_light(self, light: Light, case: Case, stage: CaseStage | None) -> list[User]:
        """The escalation ladder: the handler at yellow, the department head at red, the
        center's supervisors at severe."""
        department = stage.department if stage is not None else case.item.department
        if light == Light.YELLOW:
            handler = (stage.assignee if stage is not None else None) or case.handled_by
            if handler is not None and handler.is_active:
                return [handler]
            return self.reviewers(department)
        if light == Light.RED:
            return self.heads(department)
        return self.supervisors(case.center_id)


def _light_text(light: Light, case: Case, stage: CaseStage | None) -> tuple[str, str]:
    if stage is not None:
        subject = _("%(light)s: stage %(stage)s of case %(number)s") % {
            "light": light.label,
            "stage": stage.name,
            "number": case.number,
        }
        body = _("%(item)s. The stage is due %(due)s.") % {"item": case.item.name, "due": stage.due}
    else:
        subject = _("%(light)s: case %(number)s") % {"light": light.label, "number": case.number}
        body = _("%(item)s. Promised due %(promised)s, statutory due %(statutory)s.") % {
            "item": case.item.name,
            "promised": case.promised_due,
            "statutory": case.statutory_due,
        }
    return subject, body


def _send_light_alerts(
    *,
    case: Case,
    stage: CaseStage | None,
    old: int,
    new: int,
    now: dt.datetime,
    recipients: _Recipients,
) -> int:
    """Alert each level climbed, from the one after `old` up to `new`: a case that jumped from
    green to red still reminds its handler."""
    sent = 0
    link = reverse("cases:detail", args=[case.number])
    for level in range(old + 1, new + 1):
        light = LIGHTS_BY_LEVEL[level]
        subject, body = _light_text(light, case, stage)
        for user in recipients.for_light(light, case, stage):
            _alert(user=user, subject=subject, body=body, link=link, kind=f"light.{light.value}")
            LightAlert.objects.create(
                case=case, stage=stage, light=light, recipient=user, sent_at=now
            )
            sent += 1
    return sent


def _watch_filter(case_id: int, stage_id: int | None) -> Q:
    if stage_id is None:
        return Q(case_id=case_id, stage__isnull=True)
    return Q(stage_id=stage_id)


def _claim_and_alert(
    *,
    center: Center,
    case_id: int,
    stage_id: int | None,
    old: int,
    new: int,
    now: dt.datetime,
    recipients: _Recipients,
) -> int:
    """Move the watch from `old` to `new`; if this worker moved it, send the alerts."""
    with transaction.atomic():
        if old == 0:
            # The row may exist already (another worker); the conditional update below decides.
            LightWatch.objects.bulk_create(
                [
                    LightWatch(
                        center=center, case_id=case_id, stage_id=stage_id, level=0, changed_at=now
                    )
                ],
                ignore_conflicts=True,
            )
        claimed = (
            LightWatch.objects.filter(_watch_filter(case_id, stage_id), level=old).update(
                level=new, changed_at=now
            )
            == 1
        )
        if not claimed:
            return 0
        case = Case.objects.select_related(
            "item__department__chief_representative", "handled_by"
        ).get(pk=case_id)
        stage = (
            CaseStage.objects.select_related("department__chief_representative", "assignee").get(
                pk=stage_id
            )
            if stage_id is not None
            else None
        )
        return _send_light_alerts(
            case=case, stage=stage, old=old, new=new, now=now, recipients=recipients
        )


def _release_quiet_watches(watches: dict[tuple[int, int | None], tuple[int, int]]) -> None:
    """Forget the watches of cases and stages that are green again or over, so they may alert
    anew; a suspended case keeps its watch (its light is only paused)."""
    if not watches:
        return
    case_status = dict(
        Case.objects.filter(pk__in={case for case, _ in watches}).values_list("pk", "status")
    )
    stage_status = dict(
        CaseStage.objects.filter(
            pk__in={stage for _, stage in watches if stage is not None}
        ).values_list("pk", "status")
    )
    for (case_id, stage_id), (pk, level) in watches.items():
        status = case_status.get(case_id)
        paused = status is not None and status in OPEN_AFTER_ACCEPTANCE and status not in IN_PROCESS
        if stage_id is not None and stage_status.get(stage_id) != StageStatus.ACTIVE:
            paused = False
        if not paused:
            LightWatch.objects.filter(pk=pk, level=level).delete()


def lights_sweep(*, now: dt.datetime | None = None) -> int:
    """Alert the light changes of every center's running cases and stages; the alerts sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    recipients = _Recipients()
    sent = 0
    for center in Center.objects.all():
        lit: dict[tuple[int, int | None], int] = {}
        # Only rows at yellow or worse, through the indexed warning day: green ones are the many.
        for pk, light in (
            Case.objects.filter(center=center)
            .running()
            .filter(warn_on__lte=today)
            .annotate_light(today)
            .values_list("pk", "light")
        ):
            lit[(pk, None)] = LIGHT_LEVELS[light]
        departments = list(Department.objects.filter(center=center).values_list("pk", flat=True))
        for pk, case_id, light in (
            CaseStage.objects.filter(department_id__in=departments)
            .running()
            .filter(warn_on__lte=today)
            .annotate_light(today)
            .values_list("pk", "case_id", "light")
        ):
            lit[(case_id, pk)] = LIGHT_LEVELS[light]
        watched: dict[tuple[int, int | None], tuple[int, int]] = {
            (case_id, stage_id): (pk, level)
            for pk, case_id, stage_id, level in LightWatch.objects.filter(
                center=center
            ).values_list("pk", "case_id", "stage_id", "level")
        }
        for (case_id, stage_id), level in lit.items():
            old = watched.get((case_id, stage_id), (0, 0))[1]
            if level > old:
                sent += _claim_and_alert(
                    center=center,
                    case_id=case_id,
                    stage_id=stage_id,
                    old=old,
                    new=level,
                    now=now,
                    recipients=recipients,
                )
        _release_quiet_watches({key: value for key, value in watched.items() if key not in lit})
    return sent


# --- violations -------------------------------------------------------------------------------


def _key(
    case_id: int | None, stage_id: int | None, subject: str, rule: str
) -> tuple[int | None, int | None, str, str]:
    return (case_id, stage_id, "" if case_id is not None else subject, rule)


@transaction.atomic
def violations_record(*, findings: Sequence[Finding], now: dt.datetime) -> list[Violation]:
    """Record each finding not recorded yet (one per rule per case or stage); the new ones."""
    if not findings:
        return []
    existing = {
        _key(case, stage, subject, rule)
        for case, stage, subject, rule in Violation.objects.filter(
            Q(case_id__in={finding.case_id for finding in findings if finding.case_id})
            | Q(subject__in={finding.subject for finding in findings if not finding.case_id}),
            rule__in={finding.rule for finding in findings},
        ).values_list("case_id", "stage_id", "subject", "rule")
    }
    persons = {finding.person_id for finding in findings if finding.person_id is not None}
    counters = dict(
        StaffProfile.objects.filter(user_id__in=persons, counter__isnull=False).values_list(
            "user_id", "counter_id"
        )
    )
    created: list[Violation] = []
    for finding in findings:
        key = _key(finding.case_id, finding.stage_id, finding.subject, finding.rule)
        if key in existing:
            continue
        existing.add(key)
        violation = Violation(
            center_id=finding.center_id,
            rule=finding.rule,
            severity=finding.severity,
            case_id=finding.case_id,
            subject="" if finding.case_id else finding.subject[:40],
            stage_id=finding.stage_id,
            department_id=finding.department_id,
            person_id=finding.person_id,
            counter_id=counters.get(finding.person_id) if finding.person_id else None,
            detail=finding.detail[:2000],
            detected_at=now,
        )
        try:
            with transaction.atomic():
                violation.save()
        except IntegrityError:
            continue  # another sweep recorded it a moment ago
        audit_record(
            action="violation.detected",
            target_type="supervision.violation",
            target_id=str(violation.pk),
            center_id=violation.center_id,
            data={
                "rule": violation.rule,
                "case": violation.case_id,
                "stage": violation.stage_id,
                "subject": violation.subject,
            },
        )
        created.append(violation)
    return created


def _claim_events(*, now: dt.datetime) -> list[CaseEvent]:
    """The next batch of case events after the cursor, claimed by moving the cursor past them;
    empty when another worker moved it first."""
    cursor, _created = SweepCursor.objects.get_or_create(name=EVENT_CURSOR)
    events = list(
        CaseEvent.objects.filter(pk__gt=cursor.last_id)
        .select_related("case__item")
        .order_by("pk")[:EVENT_BATCH]
    )
    if not events:
        return []
    moved = SweepCursor.objects.filter(name=EVENT_CURSOR, last_id=cursor.last_id).update(
        last_id=events[-1].pk
    )
    return events if moved == 1 else []


def violations_detect(*, now: dt.datetime | None = None) -> list[Violation]:
    """Run every rule: the state rules on each center, the event rules on the new events."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_current()
    findings: list[Finding] = []
    for center in Center.objects.all():
        for state_rule in STATE_RULES:
            findings.extend(state_rule(center, today, calendar))
    with transaction.atomic():
        # Claiming the events and recording what they show commit together: a crash between
        # the two cannot lose events.
        events = _claim_events(now=now)
        for event_rule in EVENT_RULES:
            findings.extend(event_rule(events))
        return violations_record(findings=findings, now=now)


def _require_scope(scope: SupervisionScope | None, center_id: int) -> SupervisionScope:
    if scope is None or scope.center.pk != center_id:
        raise PermissionDenied(_("Only the center's supervisors and department heads may do this."))
    return scope


def _transition(
    model: type[Violation] | type[SupervisionNotice],
    pk: int,
    old: str,
    new: str,
    message: str,
    **changes: object,
) -> None:
    if model.objects.filter(pk=pk, state=old).update(state=new, **changes) != 1:
        raise SupervisionConflictError(message)


@transaction.atomic
def violation_explain(
    *,
    violation: Violation,
    scope: SupervisionScope | None,
    user: User,
    explanation: str,
    ip: str = "",
) -> Violation:
    """The department answers for the violation (说明)."""
    scope = _require_scope(scope, violation.center_id)
    if not scope.answers_for(violation.department_id):
        raise PermissionDenied(
            _("Only the head of %(name)s explains this violation.")
            % {"name": violation.department.name}
        )
    explanation = explanation.strip()
    if not explanation:
        raise ValidationError({"explanation": _("Write the department's explanation.")})
    now = timezone.now()
    _transition(
        Violation,
        violation.pk,
        ViolationState.OPEN,
        ViolationState.EXPLAINED,
        _("This violation is no longer open: reload the page."),
        explanation=explanation[:4000],
        explained_by=user,
        explained_at=now,
    )
    violation.refresh_from_db()
    audit_record(
        action="violation.explained",
        actor=user,
        ip=ip,
        target_type="supervision.violation",
        target_id=str(violation.pk),
        center_id=violation.center_id,
    )
    link = reverse("supervision:violation", args=[violation.pk])
    for supervisor in supervisors_of(violation.center_id):
        _alert(
            user=supervisor,
            subject=_("Violation explained: %(about)s") % {"about": violation.about},
            body=explanation[:500],
            link=link,
            kind="violation.explained",
        )
    return violation


@transaction.atomic
def violation_decide(
    *,
    violation: Violation,
    scope: SupervisionScope | None,
    user: User,
    upheld: bool,
    note: str = "",
    ip: str = "",
) -> Violation:
    """The supervisor closes the violation (the explanation holds) or upholds it."""
    scope = _require_scope(scope, violation.center_id)
    if not scope.supervises:
        raise PermissionDenied(_("Only a supervisor closes or upholds a violation."))
    state = violation.state
    if state not in (ViolationState.OPEN, ViolationState.EXPLAINED):
        raise SupervisionConflictError(_("This violation has already been decided."))
    note = note.strip()
    if upheld and not note:
        raise ValidationError({"note": _("Say why the violation is upheld.")})
    new = ViolationState.UPHELD if upheld else ViolationState.CLOSED
    _transition(
        Violation,
        violation.pk,
        state,
        new,
        _("This violation has already been decided: reload the page."),
        decision_note=note[:4000],
        decided_by=user,
        decided_at=timezone.now(),
    )
    violation.refresh_from_db()
    audit_record(
        action=f"violation.{new}",
        actor=user,
        ip=ip,
        target_type="supervision.violation",
        target_id=str(violation.pk),
        center_id=violation.center_id,
        data={"from": state},
    )
    return violation


# --- supervision notices (督办单) ---------------------------------------------------------------


@transaction.atomic
def notice_issue(
    *,
    scope: SupervisionScope | None,
    user: User,
    department: Department,
    subject: str,
    request: str,
    days: int,
    case: Case | None = None,
    violation: Violation | None = None,
    ip: str = "",
) -> SupervisionNotice:
    """A supervisor sends a notice to a department, to be answered within `days` working days."""
    scope = _require_scope(scope, department.center_id)
    if not scope.supervises:
        raise PermissionDenied(_("Only a supervisor issues supervision notices."))
    errors: dict[str, str] = {}
    subject, request = subject.strip(), request.strip()
    if not subject:
        errors["subject"] = _("Give the notice a subject.")
    if not request:
        errors["request"] = _("Say what the department must do or explain.")
    if not 1 <= days <= MAX_NOTICE_DAYS:
        errors["days"] = _("Allow between 1 and %(max)s working days to answer.") % {
            "max": MAX_NOTICE_DAYS
        }
    if case is not None and case.center_id != department.center_id:
        errors["case"] = _("That case belongs to another center.")
    if violation is not None and violation.center_id != department.center_id:
        errors["violation"] = _("That violation belongs to another center.")
    if errors:
        raise ValidationError(errors)
    return _notice_create(
        department=department,
        subject=subject,
        request=request,
        days=days,
        case=case if case is not None else (violation.case if violation else None),
        violation=violation,
        issued_by=user,
        ip=ip,
        now=timezone.now(),
    )


@transaction.atomic
def notice_issue_automatic(
    *,
    department: Department,
    subject: str,
    request: str,
    days: int,
    now: dt.datetime,
    case: Case | None = None,
) -> SupervisionNotice:
    """A notice the electronic supervision issues by itself, for a deadline a rule watches
    (a work order left unanswered): no supervisor signs it, and any supervisor closes it."""
    return _notice_create(
        department=department,
        subject=subject,
        request=request,
        days=days,
        case=case,
        violation=None,
        issued_by=None,
        ip="",
        now=now,
    )


def _notice_create(
    *,
    department: Department,
    subject: str,
    request: str,
    days: int,
    case: Case | None,
    violation: Violation | None,
    issued_by: User | None,
    ip: str,
    now: dt.datetime,
) -> SupervisionNotice:
    notice = SupervisionNotice(
        center_id=department.center_id,
        department=department,
        case=case,
        violation=violation,
        subject=subject[:200],
        request=request[:4000],
        answer_days=days,
        answer_due=add_working_days(calendar_current(), timezone.localdate(now), days),
        issued_by=issued_by,
        issued_at=now,
    )
    notice.full_clean()
    notice.save()
    audit_record(
        action="notice.issued",
        actor=issued_by,
        ip=ip,
        target_type="supervision.notice",
        target_id=str(notice.pk),
        center_id=notice.center_id,
        data={"department": department.pk, "case": notice.case_id, "due": str(notice.answer_due)},
    )
    link = reverse("supervision:notice", args=[notice.pk])
    for head in heads_of(department):
        _alert(
            user=head,
            subject=_("Supervision notice %(reference)s: %(subject)s")
            % {"reference": notice.reference, "subject": notice.subject},
            body=_("Answer by %(due)s.") % {"due": notice.answer_due},
            link=link,
            kind="notice.issued",
        )
    return notice


@transaction.atomic
def notice_answer(
    *,
    notice: SupervisionNotice,
    scope: SupervisionScope | None,
    user: User,
    answer: str,
    ip: str = "",
) -> SupervisionNotice:
    """The department head answers; an answer after the deadline is marked late."""
    scope = _require_scope(scope, notice.center_id)
    if not scope.answers_for(notice.department_id):
        raise PermissionDenied(
            _("Only the head of %(name)s answers this notice.") % {"name": notice.department.name}
        )
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the department's answer.")})
    now = timezone.now()
    late = timezone.localdate(now) > notice.answer_due
    changes: dict[str, object] = {"answer": answer[:4000], "answered_by": user, "answered_at": now}
    if late:
        changes["late"] = True
    _transition(
        SupervisionNotice,
        notice.pk,
        NoticeState.ISSUED,
        NoticeState.ANSWERED,
        _("This notice has already been answered: reload the page."),
        **changes,
    )
    notice.refresh_from_db()
    audit_record(
        action="notice.answered",
        actor=user,
        ip=ip,
        target_type="supervision.notice",
        target_id=str(notice.pk),
        center_id=notice.center_id,
        data={"late": notice.late},
    )
    link = reverse("supervision:notice", args=[notice.pk])
    for supervisor in supervisors_of(notice.center_id):
        _alert(
            user=supervisor,
            subject=_("Supervision notice %(reference)s answered by %(department)s")
            % {"reference": notice.reference, "department": notice.department.name},
            body=answer[:500],
            link=link,
            kind="notice.answered",
        )
    return notice


@transaction.atomic
def notice_close(
    *,
    notice: SupervisionNotice,
    scope: SupervisionScope | None,
    user: User,
    note: str = "",
    ip: str = "",
) -> SupervisionNotice:
    """The supervisor accepts the answer and closes the notice."""
    scope = _require_scope(scope, notice.center_id)
    if not scope.supervises:
        raise PermissionDenied(_("Only a supervisor closes a supervision notice."))
    _transition(
        SupervisionNotice,
        notice.pk,
        NoticeState.ANSWERED,
        NoticeState.CLOSED,
        _("Only an answered notice can be closed: reload the page."),
        close_note=note.strip()[:4000],
        closed_by=user,
        closed_at=timezone.now(),
    )
    notice.refresh_from_db()
    audit_record(
        action="notice.closed",
        actor=user,
        ip=ip,
        target_type="supervision.notice",
        target_id=str(notice.pk),
        center_id=notice.center_id,
    )
    return notice


def notices_escalate(*, now: dt.datetime | None = None) -> int:
    """Mark the notices past their answer date late and alert the supervisors and the
    department's heads, once per notice; the number escalated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    escalated = 0
    overdue = SupervisionNotice.objects.filter(
        state=NoticeState.ISSUED, answer_due__lt=today, escalated_at__isnull=True
    ).select_related("department__chief_representative")
    for notice in overdue:
        with transaction.atomic():
            if (
                SupervisionNotice.objects.filter(
                    pk=notice.pk, state=NoticeState.ISSUED, escalated_at__isnull=True
                ).update(late=True, escalated_at=now)
                != 1
            ):
                continue
            audit_record(
                action="notice.late",
                target_type="supervision.notice",
                target_id=str(notice.pk),
                center_id=notice.center_id,
            )
            link = reverse("supervision:notice", args=[notice.pk])
            subject = _("Supervision notice %(reference)s not answered by %(due)s") % {
                "reference": notice.reference,
                "due": notice.answer_due,
            }
            people = {u.pk: u for u in supervisors_of(notice.center_id)}
            people.update({u.pk: u for u in heads_of(notice.department)})
            for person in people.values():
                _alert(
                    user=person,
                    subject=subject,
                    body=f"{notice.department.name}: {notice.subject}",
                    link=link,
                    kind="notice.late",
                )
            escalated += 1
    return escalated


@dataclass(frozen=True)
class SweepResult:
    alerts: int
    violations: int
    late_notices: int


def supervision_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """The minute's work: light alerts, new violations, late notices."""
    now = now or timezone.now()
    return SweepResult(
        alerts=lights_sweep(now=now),
        violations=len(violations_detect(now=now)),
        late_notices=notices_escalate(now=now),
    )


# --- efficiency rollups (事后) ---------------------------------------------------------------


def _rollup_row(
    header: RollupMonth, dimension: Dimension, department_id: int, figures: EfficiencyRow
) -> EfficiencyRollup:
    return EfficiencyRollup(
        month=header,
        dimension=dimension,
        department_id=department_id,
        key=figures.key,
        concluded=figures.concluded,
        on_time=figures.on_time,
        early=figures.early,
        suspensions=figures.suspensions,
        extensions=figures.extensions,
        days_used={str(days): n for days, n in sorted(figures.days_used.items())},
        days_promised={str(days): n for days, n in sorted(figures.days_promised.items())},
    )


@transaction.atomic
def efficiency_rollup_compute(
    *, center: Center, month: dt.date, now: dt.datetime | None = None
) -> RollupMonth | None:
    """Count the month's concluded cases (up to now, for a running month) into its rollup,
    replacing what it held; None for a month that has not begun.

    The month's row is locked first, so that two workers recomputing the same month one after
    the other each leave a whole rollup, never a mix of both.
    """
    now = now or timezone.now()
    period = Period.month_of(month)
    month_start, month_end = period.bounds()
    if now <= month_start:
        return None
    header, _created = RollupMonth.objects.get_or_create(
        center=center,
        month=period.start,
        defaults={"complete_until": month_start, "computed_at": now},
    )
    header = RollupMonth.objects.select_for_update().get(pk=header.pk)
    complete_until = min(now, month_end)
    tally = efficiency_tally(
        center=center, bounds=(month_start, complete_until), calendar=calendar_current()
    )
    header.rows.all().delete()
    EfficiencyRollup.objects.bulk_create(
        [
            _rollup_row(header, dimension, department_id, figures)
            for (dimension, department_id, _key), figures in tally.items()
        ],
        batch_size=1000,
    )
    header.complete_until = complete_until
    header.computed_at = now
    header.save(update_fields=["complete_until", "computed_at"])
    return header


def efficiency_rollup_refresh(*, now: dt.datetime | None = None) -> int:
    """The worker's round: every center's running and previous month (conclusions late in a
    month and revocations still move the previous one); the number of months computed."""
    now = now or timezone.now()
    this_month = Period.month_of(timezone.localdate(now)).start
    previous = Period.month_of(this_month - dt.timedelta(days=1)).start
    computed = 0
    for center in Center.objects.all():
        for month in (previous, this_month):
            computed += efficiency_rollup_compute(center=center, month=month, now=now) is not None
    return computed


def efficiency_rollup_rebuild(
    *, center: Center, first: dt.date | None = None, now: dt.datetime | None = None
) -> int:
    """Compute every month of the center from `first` (by default its first conclusion) to now,
    one transaction per month; the number of months computed."""
    now = now or timezone.now()
    if first is None:
        earliest = (
            Case.objects.filter(center=center, concluded_at__isnull=False)
            .order_by("concluded_at")
            .values_list("concluded_at", flat=True)
            .first()
        )
        if earliest is None:
            return 0
        first = timezone.localdate(earliest)
    month = Period.month_of(first)
    last = timezone.localdate(now)
    computed = 0
    while month.start <= last:
        computed += efficiency_rollup_compute(center=center, month=month.start, now=now) is not None
        month = Period.month_of(month.end + dt.timedelta(days=1))
    return computed
