"""The work order's lifecycle: each step by its role, guarded, with its event and audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Message
from audit.models import AuditEntry
from govhall.errors import ConflictError
from workorders import services
from workorders.models import Kind, Satisfaction, State, WorkOrderPolicy
from workorders.tests.conftest import People, complaint


def test_a_complaint_goes_from_receipt_to_the_complainants_rating(people: People) -> None:
    order = complaint(people)
    assert order.number.startswith("GD20260928-")
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    assert Message.objects.filter(user=people.head, kind="work_order.dispatched").exists()
    services.work_order_sign(work_order=order, actor=people.reviewer)
    services.work_order_handle(work_order=order, actor=people.reviewer, note="调取录像")
    services.work_order_reply(work_order=order, actor=people.head, reply="已批评教育当事人")
    assert Message.objects.filter(user=people.manager, kind="work_order.replied").exists()
    services.work_order_conclude(work_order=order, actor=people.manager)
    services.work_order_visit(work_order=order, actor=people.manager, note="投诉人认可处理结果")
    order = services.work_order_rate(
        work_order=order, actor=people.manager, satisfaction=Satisfaction.SATISFIED
    )
    assert order.state == State.RATED
    assert order.on_time() is True
    steps = list(order.events.values_list("from_state", "to_state"))
    assert steps == [
        ("", "received"),
        ("received", "dispatched"),
        ("dispatched", "signed"),
        ("signed", "handling"),
        ("handling", "replied"),
        ("replied", "concluded"),
        ("concluded", "visited"),
        ("visited", "rated"),
    ]
    actions = set(
        AuditEntry.objects.filter(target_id=order.number).values_list("action", flat=True)
    )
    assert {"work_order.receive", "work_order.dispatched", "work_order.rated"} <= actions


def test_a_step_out_of_order_is_refused(people: People) -> None:
    order = complaint(people)
    with pytest.raises(ConflictError):
        services.work_order_conclude(work_order=order, actor=people.manager)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    services.work_order_sign(work_order=order, actor=people.head)
    with pytest.raises(ConflictError):
        services.work_order_sign(work_order=order, actor=people.reviewer)
    assert order.events.filter(to_state=State.SIGNED).count() == 1


def test_a_stale_copy_cannot_move_the_order_twice(people: People) -> None:
    order = complaint(people)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    stale = type(order).objects.get(pk=order.pk)
    services.work_order_sign(work_order=order, actor=people.head)
    with pytest.raises(ConflictError):
        services.work_order_sign(work_order=stale, actor=people.reviewer)


def test_a_misdirected_order_is_sent_back_and_dispatched_again(people: People) -> None:
    order = complaint(people)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.health)
    with pytest.raises(ValidationError):
        services.work_order_return(work_order=order, actor=people.other_head, reason=" ")
    order = services.work_order_return(
        work_order=order, actor=people.other_head, reason="属市场监管职责"
    )
    assert order.state == State.RETURNED and order.department is None
    assert Message.objects.filter(user=people.manager, kind="work_order.returned").exists()
    order = services.work_order_dispatch(
        work_order=order, actor=people.manager, department=people.market
    )
    assert order.state == State.DISPATCHED and order.department == people.market
    assert order.events.filter(to_state=State.RETURNED, note="属市场监管职责").exists()


def test_only_the_dispatched_department_works_the_order(people: People) -> None:
    order = complaint(people)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    with pytest.raises(PermissionDenied):
        services.work_order_sign(work_order=order, actor=people.other_head)
    with pytest.raises(PermissionDenied):
        services.work_order_sign(work_order=order, actor=people.manager)
    with pytest.raises(Http404):
        services.work_order_sign(work_order=order, actor=people.clerk)
    with pytest.raises(Http404):
        services.work_order_sign(work_order=order, actor=people.world.outsider_staff)


def test_only_the_hall_manager_dispatches_and_concludes(people: People) -> None:
    order = complaint(people)
    with pytest.raises(PermissionDenied):
        services.work_order_dispatch(work_order=order, actor=people.head, department=people.market)
    with pytest.raises(PermissionDenied):
        services.work_order_dispatch(
            work_order=order, actor=people.world.supervisor, department=people.market
        )


def test_due_dates_count_working_days_by_kind_and_the_centers_policy(people: People) -> None:
    # Received Monday 2026-09-28; 1-7 October are the National Day holidays and Saturday
    # 10 October a make-up working day.
    assert complaint(people, kind=Kind.CONSULTATION).due == dt.date(2026, 10, 8)
    assert complaint(people).due == dt.date(2026, 10, 21)
    WorkOrderPolicy.objects.create(center=people.world.center, complaint_days=5)
    assert complaint(people).due == dt.date(2026, 10, 10)


def test_bad_entries_are_refused_field_by_field(people: People) -> None:
    with pytest.raises(ValidationError) as refused:
        complaint(people, id_number="110105194912310021", content=" ", name="")
    assert set(refused.value.message_dict) == {"id_number", "content", "name"}
    with pytest.raises(ValidationError) as refused:
        complaint(people, anonymous=True)
    assert "anonymous" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        complaint(people, kind="praise", mobile="call me")
    assert set(refused.value.message_dict) == {"kind", "mobile"}


def test_only_the_hall_manager_enters_orders(people: People) -> None:
    with pytest.raises(PermissionDenied):
        services.work_order_receive(
            center=people.world.center,
            given=services.WorkOrderInput(
                kind=Kind.SUGGESTION, channel="box", content="加座椅", anonymous=True
            ),
            actor=people.head,
        )
