"""A clerk opens a case from the ticket being served at their counter."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from cases.models import Channel
from cases.services import Applicant, CaseConflictError, case_open_at_counter
from cases.tests.conftest import USCC, World, login
from catalog.models import QueueCategory
from catalog.tests.factories import make_counter
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_issue


def test_a_counter_case_starts_from_the_ticket_being_served(world: World) -> None:
    counter = make_counter(world.center, world.item.department)
    category = QueueCategory.objects.create(center=world.center, letter="A", name="综合")
    counter.categories.add(category)
    applicant = Applicant(kind="legal", name="某某公司", uscc=USCC)
    with pytest.raises(CaseConflictError):
        case_open_at_counter(
            staff=world.clerk, counter=counter, item=world.item, applicant=applicant, form_data={}
        )
    ticket_issue(category=category, mobile="13900000000")
    counter_sign_in(counter=counter, staff=world.clerk)
    ticket = ticket_call_next(counter=counter, staff=world.clerk)
    with pytest.raises(PermissionDenied):
        case_open_at_counter(
            staff=world.clerk,
            counter=counter,
            item=world.other_item,
            applicant=applicant,
            form_data={},
        )
    case = case_open_at_counter(
        staff=world.clerk,
        counter=counter,
        item=world.item,
        applicant=applicant,
        form_data={"shop": "店", "kind": "零售"},
    )
    assert case.channel == Channel.COUNTER
    assert case.ticket == ticket
    assert case.mobile == "13900000000"
    assert case.uscc == USCC
    profile = world.clerk.staff_profile
    profile.counter = counter
    profile.save()
    page = login(world.clerk).get(f"/cases/new/?item={world.item.implementation_code}")
    assert page.status_code == 200
    assert login(world.citizen).get("/cases/new/").status_code == 403
