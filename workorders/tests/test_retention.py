"""Personal-data retention of work orders: concluded orders past FEEDBACK_RETENTION_YEARS lose the
person who complained, and the complaint figures stay; open orders keep everything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from govhall.retention import ANONYMISED
from workorders import services
from workorders.models import ComplaintFinding, WorkOrder
from workorders.retention import work_orders_anonymise_expired
from workorders.selectors import complaint_figures
from workorders.tests.conftest import People, complaint
from workorders.tests.test_complaint_finding import _replied

pytestmark = pytest.mark.usefixtures("_english")


def test_old_concluded_orders_lose_the_complainant_and_the_figures_stay(people: People) -> None:
    concluded = services.work_order_conclude(
        work_order=_replied(people, complaint(people)),
        actor=people.manager,
        finding=ComplaintFinding.UPHELD,
    )
    services.work_order_visit(work_order=concluded, actor=people.manager, note="李先生表示满意")
    still_open = complaint(people, mobile="13900000009")
    today = timezone.localdate()
    center_id = people.world.center.pk
    before = complaint_figures(center_id=center_id, start=today, end=today)
    later = timezone.now() + dt.timedelta(days=3 * 365 + 2)

    run = work_orders_anonymise_expired(now=later)

    assert run is not None and run[1] == 1
    concluded.refresh_from_db()
    assert (concluded.complainant_name, concluded.complainant_mobile) == (ANONYMISED, "")
    assert (concluded.complainant_id_number, concluded.complainant_user) == ("", None)
    assert concluded.visit_note == ""
    assert (concluded.content, concluded.reply) == ("窗口工作人员态度生硬", "已核实并整改")
    assert concluded.finding == ComplaintFinding.UPHELD
    still_open.refresh_from_db()
    assert (still_open.complainant_name, still_open.complainant_mobile) == (
        "李小四",
        "13900000009",
    )
    assert complaint_figures(center_id=center_id, start=today, end=today) == before
    assert WorkOrder.objects.count() == 2
    assert work_orders_anonymise_expired(now=later) == (run[0], 0)
    runs = AuditEntry.objects.filter(action="work_order.personal_data_removed").order_by("pk")
    assert [entry.data["work_orders"] for entry in runs] == [1, 0]
    assert work_orders_anonymise_expired(now=later, years=0) is None
