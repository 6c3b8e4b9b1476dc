"""A violation's life: open → explained by its department → closed or upheld by a supervisor."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from cases.tests.conftest import accept, submit
from supervision import rules
from supervision.models import Rule, Severity, Violation, ViolationState
from supervision.selectors import supervision_scope
from supervision.services import (
    SupervisionConflictError,
    violation_decide,
    violation_explain,
    violations_detect,
)
from supervision.tests.conftest import People


@pytest.fixture
def violation(people: People, frozen: time_machine.Traveller) -> Violation:
    accept(people.world, submit(people.world))
    frozen.move_to("2026-10-11T10:00:00+08:00")
    violations_detect()
    return Violation.objects.get(rule=Rule.CASE_OVERDUE)


def test_the_department_explains_and_the_supervisor_closes(
    people: People, violation: Violation
) -> None:
    violation = violation_explain(
        violation=violation,
        scope=supervision_scope(people.head),
        user=people.head,
        explanation="The applicant asked to wait for a site visit.",
    )
    assert violation.state == ViolationState.EXPLAINED
    supervisor = people.world.supervisor
    violation = violation_decide(
        violation=violation, scope=supervision_scope(supervisor), user=supervisor, upheld=False
    )
    assert violation.state == ViolationState.CLOSED
    with pytest.raises(SupervisionConflictError):
        violation_decide(
            violation=violation, scope=supervision_scope(supervisor), user=supervisor, upheld=True
        )
    actions = list(
        AuditEntry.objects.filter(target_type="supervision.violation", target_id=str(violation.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["violation.detected", "violation.explained", "violation.closed"]


def test_an_upheld_violation_says_why(people: People, violation: Violation) -> None:
    supervisor = people.world.supervisor
    with pytest.raises(ValidationError):
        violation_decide(
            violation=violation, scope=supervision_scope(supervisor), user=supervisor, upheld=True
        )
    violation = violation_decide(
        violation=violation,
        scope=supervision_scope(supervisor),
        user=supervisor,
        upheld=True,
        note="No reason for the delay.",
    )
    assert violation.state == ViolationState.UPHELD


def test_only_the_head_of_its_department_explains_and_only_a_supervisor_decides(
    people: People, violation: Violation
) -> None:
    for outsider in (people.health_head, people.outsider_head, people.world.supervisor):
        with pytest.raises(PermissionDenied):
            violation_explain(
                violation=violation,
                scope=supervision_scope(outsider),
                user=outsider,
                explanation="Not mine.",
            )
    with pytest.raises(PermissionDenied):
        violation_decide(
            violation=violation,
            scope=supervision_scope(people.head),
            user=people.head,
            upheld=False,
        )
    assert supervision_scope(people.world.clerk) is None
    assert supervision_scope(people.reviewer) is None


def test_a_registered_rule_records_a_violation_without_a_case_once(people: People) -> None:
    """An app above supervision adds its own rule; what it finds about a subject other than a
    case (here a work order's number) is recorded once however often the sweep runs."""
    world = people.world

    def late_work_order(center, today, calendar):  # type: ignore[no-untyped-def]
        return [
            rules.Finding(
                rule=Rule.WORK_ORDER_LATE,
                severity=Severity.SERIOUS,
                center_id=center.pk,
                case_id=None,
                department_id=people.market.pk,
                detail="Reply due yesterday.",
                subject="GD20261126-0001",
            )
        ]

    rules.register_state_rule(late_work_order)
    rules.register_state_rule(late_work_order)
    try:
        assert rules.STATE_RULES.count(late_work_order) == 1
        violations_detect()
        violations_detect()
    finally:
        rules.STATE_RULES.remove(late_work_order)
    violation = Violation.objects.get(rule=Rule.WORK_ORDER_LATE, center=world.center)
    assert violation.case is None
    assert violation.about == "GD20261126-0001"
    assert str(violation) == "GD20261126-0001 work_order_late"
