"""Deadlines: the reminder the day before, the late notice and the violation after, each once."""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.models import Message
from supervision.models import Rule, SupervisionNotice, Violation
from supervision.services import violations_detect
from workorders import services
from workorders.models import Kind
from workorders.tests.conftest import People, complaint


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+08:00")


def test_the_department_is_reminded_once_the_working_day_before(
    people: People, frozen: time_machine.Traveller
) -> None:
    order = complaint(people, kind=Kind.CONSULTATION)  # due 2026-10-08
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    assert services.work_orders_remind(now=_at("2026-09-29")) == 0
    assert services.work_orders_remind(now=_at("2026-09-30")) == 1
    assert services.work_orders_remind(now=_at("2026-09-30")) == 0
    assert services.work_orders_remind(now=_at("2026-10-08")) == 0
    reminders = Message.objects.filter(kind="work_order.reminder")
    assert {m.user_id for m in reminders} == {people.head.pk, people.reviewer.pk}
    assert reminders.count() == 2


def test_an_undispatched_order_waits_for_its_department_to_be_reminded(people: People) -> None:
    order = complaint(people, kind=Kind.CONSULTATION)
    assert services.work_orders_remind(now=_at("2026-09-30")) == 0
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    assert services.work_orders_remind(now=_at("2026-09-30")) == 1


def test_a_late_order_is_notified_once_and_recorded_as_one_violation(
    people: People, frozen: time_machine.Traveller
) -> None:
    order = complaint(people, kind=Kind.CONSULTATION)  # due 2026-10-08
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    assert services.work_orders_late_notify(now=_at("2026-10-08")) == 0
    frozen.move_to(_at("2026-10-09"))
    assert services.work_orders_late_notify() == 1
    assert services.work_orders_late_notify() == 0
    late = Message.objects.filter(kind="work_order.late")
    assert {m.user_id for m in late} == {
        people.manager.pk,
        people.world.supervisor.pk,
        people.head.pk,
        people.reviewer.pk,
    }
    violations_detect()
    violations_detect()
    violation = Violation.objects.get(rule=Rule.WORK_ORDER_LATE)
    assert violation.subject == order.number and violation.case_id is None
    assert violation.department_id == people.market.pk
    # The department must answer a supervision notice that nobody had to issue by hand.
    notice = SupervisionNotice.objects.get()
    assert notice.department == people.market and notice.issued_by is None
    assert order.number in notice.subject
    # Two working days after Friday the 9th: Saturday the 10th is a make-up working day (调休).
    assert notice.answer_due == dt.date(2026, 10, 12)


def test_an_order_concluded_in_time_is_no_violation(
    people: People, frozen: time_machine.Traveller
) -> None:
    order = complaint(people, kind=Kind.CONSULTATION)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    services.work_order_sign(work_order=order, actor=people.head)
    services.work_order_handle(work_order=order, actor=people.head)
    services.work_order_reply(work_order=order, actor=people.head, reply="已答复")
    services.work_order_conclude(work_order=order, actor=people.manager)
    frozen.move_to(_at("2026-10-12"))
    assert services.work_orders_late_notify() == 0
    violations_detect()
    assert not Violation.objects.filter(rule=Rule.WORK_ORDER_LATE).exists()
