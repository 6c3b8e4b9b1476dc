"""A violation's life: open → explained by its department → closed or upheld by a supervisor."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from cases.tests.conftest import accept, submit
from supervision.models import Rule, Violation, ViolationState
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
