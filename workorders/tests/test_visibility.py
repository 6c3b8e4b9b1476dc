"""Who sees which work order, and the complainant's identity masked for all but its handlers."""

from __future__ import annotations

from audit.models import AuditEntry
from workorders import services
from workorders.tests.conftest import ID_NUMBER, People, complaint, login


def test_another_departments_order_is_not_found(people: People) -> None:
    order = complaint(people)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    assert login(people.head).get(f"/workorders/{order.number}/").status_code == 200
    assert login(people.other_head).get(f"/workorders/{order.number}/").status_code == 404
    listed = login(people.other_head).get("/workorders/")
    assert order.number not in listed.content.decode()


def test_clerks_citizens_and_other_centers_see_no_work_order(people: People) -> None:
    order = complaint(people)
    for outsider in (people.clerk, people.world.citizen):
        assert login(outsider).get("/workorders/").status_code == 403
        assert login(outsider).get(f"/workorders/{order.number}/").status_code == 403
    assert login(people.world.outsider_staff).get("/workorders/").status_code == 403


def test_the_supervisor_reads_every_order_masked_and_may_not_reveal(people: People) -> None:
    order = complaint(people)
    page = login(people.world.supervisor).get(f"/workorders/{order.number}/").content.decode()
    assert "李*四" in page and "139****0002" in page and "李小四" not in page
    assert ID_NUMBER not in page
    assert "Show the complainant" not in page
    refused = login(people.world.supervisor).post(f"/workorders/{order.number}/identity/")
    assert refused.status_code == 403


def test_a_handler_sees_the_identity_on_request_and_the_read_is_logged(people: People) -> None:
    order = complaint(people)
    services.work_order_dispatch(work_order=order, actor=people.manager, department=people.market)
    client = login(people.reviewer)
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "李*四" in page and "李小四" not in page
    shown = client.post(f"/workorders/{order.number}/identity/").content.decode()
    assert "李小四" in shown and "13900000002" in shown and ID_NUMBER in shown
    read = AuditEntry.objects.get(action="personal_data.read", target_id=order.number)
    assert read.actor_id == people.reviewer.pk
    assert ID_NUMBER not in str(read.data) and "李小四" not in str(read.data)


def test_the_list_filters_by_state_kind_department_and_overdue(people: People) -> None:
    first = complaint(people)
    second = complaint(people, kind="suggestion", content="增加母婴室")
    services.work_order_dispatch(work_order=first, actor=people.manager, department=people.market)
    client = login(people.manager)
    page = client.get("/workorders/?state=dispatched").content.decode()
    assert first.number in page and second.number not in page
    page = client.get("/workorders/?kind=suggestion").content.decode()
    assert second.number in page and first.number not in page
    page = client.get(f"/workorders/?department={people.health.pk}").content.decode()
    assert first.number not in page
    page = client.get("/workorders/?overdue=1").content.decode()
    assert first.number not in page and "No work order." in page


def test_actions_run_from_the_page(people: People) -> None:
    order = complaint(people)
    manager = login(people.manager)
    missing = manager.post(
        f"/workorders/{order.number}/", {"action": "dispatch", "department": "x"}
    )
    assert missing.status_code == 422 and "Choose the department" in missing.content.decode()
    dispatched = manager.post(
        f"/workorders/{order.number}/", {"action": "dispatch", "department": people.market.pk}
    )
    assert dispatched.status_code == 302
    head = login(people.head)
    assert head.post(f"/workorders/{order.number}/", {"action": "sign"}).status_code == 302
    again = head.post(f"/workorders/{order.number}/", {"action": "sign"})
    assert again.status_code == 409 and "no longer at that step" in again.content.decode()
    assert head.post(f"/workorders/{order.number}/", {"action": "handle"}).status_code == 302
    empty = head.post(f"/workorders/{order.number}/", {"action": "reply", "reply": " "})
    assert empty.status_code == 422 and "Write the reply" in empty.content.decode()
