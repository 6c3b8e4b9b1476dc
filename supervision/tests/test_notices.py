"""Supervision notices (督办单): issued by a supervisor, answered by the department head, closed;
a notice not answered in time is marked late and escalated once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Message
from audit.models import AuditEntry
from cases.tests.conftest import accept, submit
from supervision.models import NoticeState, SupervisionNotice
from supervision.selectors import supervision_scope
from supervision.services import (
    SupervisionConflictError,
    notice_answer,
    notice_close,
    notice_issue,
    notices_escalate,
)
from supervision.tests.conftest import People


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def issue(people: People, days: int = 3) -> SupervisionNotice:
    world = people.world
    case = accept(world, submit(world))
    return notice_issue(
        scope=supervision_scope(world.supervisor),
        user=world.supervisor,
        department=people.market,
        subject="Overdue case",
        request="Conclude the case and explain the delay.",
        days=days,
        case=case,
    )


def test_a_notice_is_due_in_working_days_across_the_holidays_and_reaches_the_head(
    people: People, frozen: time_machine.Traveller
) -> None:
    notice = issue(people)  # Monday 28 September, 3 working days: 29, 30 September, 8 October
    assert notice.answer_due == dt.date(2026, 10, 8)
    assert notice.state == NoticeState.ISSUED
    (message,) = Message.objects.filter(user=people.head, kind="notice.issued")
    assert message.link == f"/supervision/notices/{notice.pk}/"
    assert AuditEntry.objects.filter(
        action="notice.issued", target_type="supervision.notice", target_id=str(notice.pk)
    ).exists()


def test_the_head_answers_and_the_supervisor_closes(
    people: People, frozen: time_machine.Traveller
) -> None:
    notice = issue(people)
    head_scope = supervision_scope(people.head)
    notice = notice_answer(
        notice=notice, scope=head_scope, user=people.head, answer="Concluded today."
    )
    assert (notice.state, notice.late, notice.answered_by) == (
        NoticeState.ANSWERED,
        False,
        people.head,
    )
    assert Message.objects.filter(user=people.world.supervisor, kind="notice.answered").exists()
    with pytest.raises(SupervisionConflictError):
        notice_answer(notice=notice, scope=head_scope, user=people.head, answer="Again.")
    world = people.world
    notice = notice_close(
        notice=notice, scope=supervision_scope(world.supervisor), user=world.supervisor
    )
    assert notice.state == NoticeState.CLOSED
    actions = set(
        AuditEntry.objects.filter(
            target_type="supervision.notice", target_id=str(notice.pk)
        ).values_list("action", flat=True)
    )
    assert {"notice.issued", "notice.answered", "notice.closed"} <= actions


def test_only_the_head_of_the_department_answers_and_only_a_supervisor_issues_and_closes(
    people: People, frozen: time_machine.Traveller
) -> None:
    notice = issue(people)
    with pytest.raises(PermissionDenied):
        notice_answer(
            notice=notice,
            scope=supervision_scope(people.health_head),
            user=people.health_head,
            answer="Not ours.",
        )
    with pytest.raises(PermissionDenied):
        notice_answer(
            notice=notice,
            scope=supervision_scope(people.outsider_head),
            user=people.outsider_head,
            answer="Outsider.",
        )
    with pytest.raises(PermissionDenied):
        notice_issue(
            scope=supervision_scope(people.head),
            user=people.head,
            department=people.health,
            subject="x",
            request="y",
            days=3,
        )
    notice_answer(
        notice=notice, scope=supervision_scope(people.head), user=people.head, answer="ok"
    )
    with pytest.raises(PermissionDenied):
        notice_close(notice=notice, scope=supervision_scope(people.head), user=people.head)


def test_a_notice_needs_a_subject_a_request_and_a_sensible_deadline(
    people: People, frozen: time_machine.Traveller
) -> None:
    world = people.world
    with pytest.raises(ValidationError) as raised:
        notice_issue(
            scope=supervision_scope(world.supervisor),
            user=world.supervisor,
            department=people.market,
            subject=" ",
            request="",
            days=0,
        )
    assert set(raised.value.message_dict) == {"subject", "request", "days"}


def test_an_unanswered_notice_is_escalated_once_and_a_late_answer_is_marked_late(
    people: People, frozen: time_machine.Traveller
) -> None:
    notice = issue(people)
    frozen.move_to(at("2026-10-08"))
    assert notices_escalate() == 0
    frozen.move_to(at("2026-10-09"))
    assert notices_escalate() == 1
    assert notices_escalate() == 0
    notice.refresh_from_db()
    assert notice.late and notice.escalated_at is not None
    late = Message.objects.filter(kind="notice.late").values_list("user__username", flat=True)
    assert sorted(late) == ["head", "supervisor"]
    notice = notice_answer(
        notice=notice, scope=supervision_scope(people.head), user=people.head, answer="Sorry."
    )
    assert notice.late
