"""Whether a concluded complaint was upheld (属实 / 部分属实 / 不属实): recorded on conclusion or
once afterwards by the hall manager, with its audit entry; nobody else records it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from govhall.errors import ConflictError
from workorders import services
from workorders.models import ComplaintFinding, Kind, WorkOrder
from workorders.tests.conftest import People, complaint, login

pytestmark = pytest.mark.usefixtures("_english")


def _replied(people: People, order: WorkOrder) -> WorkOrder:
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    services.work_order_sign(work_order=order, actor=people.head)
    services.work_order_handle(work_order=order, actor=people.head)
    return services.work_order_reply(work_order=order, actor=people.head, reply="已核实并整改")


def test_the_finding_is_recorded_when_the_complaint_is_concluded(people: People) -> None:
    order = _replied(people, complaint(people))
    order = services.work_order_conclude(
        work_order=order, actor=people.manager, finding=ComplaintFinding.PARTLY_UPHELD
    )
    assert order.finding == ComplaintFinding.PARTLY_UPHELD
    assert order.finding_by == people.manager
    entry = AuditEntry.objects.get(action="work_order.finding", target_id=order.number)
    assert entry.data["finding"] == "partly"
    with pytest.raises(ConflictError):
        services.work_order_finding_record(
            work_order=order, actor=people.manager, finding=ComplaintFinding.NOT_UPHELD
        )


def test_the_hall_manager_records_the_finding_once_after_the_conclusion(people: People) -> None:
    order = _replied(people, complaint(people))
    with pytest.raises(ConflictError):
        services.work_order_finding_record(
            work_order=order, actor=people.manager, finding=ComplaintFinding.UPHELD
        )
    order = services.work_order_conclude(work_order=order, actor=people.manager)
    assert order.finding == ""
    with pytest.raises(PermissionDenied):
        services.work_order_finding_record(
            work_order=order, actor=people.head, finding=ComplaintFinding.UPHELD
        )
    with pytest.raises(ValidationError):
        services.work_order_finding_record(work_order=order, actor=people.manager, finding="yes")
    services.work_order_visit(work_order=order, actor=people.manager, note="投诉人认可")
    order = services.work_order_finding_record(
        work_order=order, actor=people.manager, finding=ComplaintFinding.UPHELD
    )
    assert order.finding == ComplaintFinding.UPHELD
    with pytest.raises(ConflictError):
        services.work_order_finding_record(
            work_order=order, actor=people.manager, finding=ComplaintFinding.NOT_UPHELD
        )


def test_only_a_complaint_gets_a_finding(people: People) -> None:
    order = _replied(people, complaint(people, kind=Kind.SUGGESTION))
    with pytest.raises(ValidationError, match="Only a complaint"):
        services.work_order_conclude(
            work_order=order, actor=people.manager, finding=ComplaintFinding.UPHELD
        )


def test_the_order_page_records_the_finding_for_the_hall_manager_only(people: People) -> None:
    order = _replied(people, complaint(people))
    manager = login(people.manager)
    page = manager.get(f"/workorders/{order.number}/").content.decode()
    assert "Was the complaint upheld?" in page
    concluded = manager.post(
        f"/workorders/{order.number}/", {"action": "conclude", "finding": ""}, follow=True
    )
    assert "Record the finding" in concluded.content.decode()
    refused = login(people.other_head).post(
        f"/workorders/{order.number}/", {"action": "finding", "finding": "upheld"}
    )
    assert refused.status_code == 404
    wrong = manager.post(f"/workorders/{order.number}/", {"action": "finding", "finding": ""})
    assert wrong.status_code == 422
    done = manager.post(
        f"/workorders/{order.number}/", {"action": "finding", "finding": "upheld"}, follow=True
    )
    assert "The complaint&#x27;s finding is recorded." in done.content.decode()
    order.refresh_from_db()
    assert order.finding == ComplaintFinding.UPHELD
