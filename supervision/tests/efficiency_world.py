"""The efficiency tables' world: a center with a market and a health department, their clerks,
heads and supervisors, and cases handled through the real services on given days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseStatus, StageStatus, SuspensionKind
from cases.services import (
    Applicant,
    Decision,
    case_accept,
    case_decide,
    case_resume,
    case_submit,
    case_suspend,
    stage_complete,
)
from catalog.models import Center, Counter, Department, ServiceItem
from catalog.tests.factories import (
    make_center,
    make_counter,
    make_department,
    make_item,
    make_staff,
    make_user,
)
from govhall.identifiers import resident_id_with_check
from workdays.services import calendar_seed


def moment(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(
        tzinfo=timezone.get_fixed_timezone(8 * 60)
    )


@dataclass
class Hall:
    center: Center
    market: Department
    health: Department
    counter: Counter
    item: ServiceItem
    health_item: ServiceItem
    clerk: User
    health_clerk: User
    head: User
    health_head: User
    supervisor: User
    administrator: User
    citizen: User
    other_supervisor: User


@pytest.fixture
def hall(db: None) -> Iterator[Hall]:
    with time_machine.travel(moment("2026-09-01"), tick=False):
        calendar_seed(first_year=2025, last_year=2027)
        center = make_center()
        market, health = make_department(center), make_department(center)
        counter = make_counter(center, market)
        item = make_item(
            market, status=ServiceItem.Status.PUBLISHED, promised_days=5, statutory_days=20
        )
        health_item = make_item(
            health, status=ServiceItem.Status.PUBLISHED, promised_days=3, statutory_days=10
        )

        def staff(role: Role, department: Department | None = None, **fields: object) -> User:
            user = make_user(full_name=f"{role.value} of {department or center}")
            make_staff(user, center, role, department=department, **fields)
            return user

        other_supervisor = make_user()
        make_staff(other_supervisor, make_center(), Role.SUPERVISOR)
        yield Hall(
            center=center,
            market=market,
            health=health,
            counter=counter,
            item=item,
            health_item=health_item,
            clerk=staff(Role.CLERK, market, counter=counter),
            health_clerk=staff(Role.CLERK, health),
            head=staff(Role.DEPARTMENT_HEAD, market),
            health_head=staff(Role.DEPARTMENT_HEAD, health),
            supervisor=staff(Role.SUPERVISOR),
            administrator=staff(Role.ADMINISTRATOR),
            citizen=make_user(),
            other_supervisor=other_supervisor,
        )


_keys = iter(range(10**6))


def handled(
    hall: Hall,
    *,
    item: ServiceItem | None = None,
    accepted: str,
    concluded: str,
    suspended: tuple[str, str] | None = None,
    outcome: CaseStatus = CaseStatus.CONCLUDED_APPROVED,
) -> Case:
    """A case submitted and accepted on `accepted`, its stages done and decided on `concluded`."""
    item = item or hall.item
    market = item.department_id == hall.market.pk
    clerk, head = (hall.clerk, hall.head) if market else (hall.health_clerk, hall.health_head)
    case, _created = case_submit(
        user=hall.citizen,
        item=item,
        applicant=Applicant(
            kind="person", name="张小三", id_number=resident_id_with_check("11010519491231002")
        ),
        form_data={},
        idempotency_key=f"k{next(_keys)}",
        now=moment(accepted, 9),
    )
    case = case_accept(case=case, staff=clerk, now=moment(accepted))
    if suspended is not None:
        with time_machine.travel(moment(suspended[0]), tick=False):
            case_suspend(
                case=case,
                staff=head,
                kind=SuspensionKind.EXPERT_REVIEW,
                reason="专家评审",
                expected_days=5,
            )
        with time_machine.travel(moment(suspended[1]), tick=False):
            case_resume(case=Case.objects.get(pk=case.pk), staff=head, result="评审通过")
    case = Case.objects.get(pk=case.pk)
    with time_machine.travel(moment(concluded), tick=False):
        while stage := case.stages.filter(status=StageStatus.ACTIVE).first():
            stage_complete(stage=stage, staff=head, result="同意")
        case_decide(
            case=Case.objects.get(pk=case.pk),
            staff=head,
            decision=Decision(outcome=outcome, reason="不符合条件"),
        )
    return Case.objects.get(pk=case.pk)
