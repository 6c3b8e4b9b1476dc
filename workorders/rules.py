"""The supervision rule of work orders: an order still open past its due date is a violation."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from catalog.models import Center
from supervision.models import Rule, Severity
from supervision.rules import Finding
from workdays.calendar import Calendar
from workorders.models import WorkOrder


def work_orders_late(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Dispatched orders past their due date, charged to the department they were sent to; one
    violation per order, whose number is the violation's subject."""
    orders = (
        WorkOrder.objects.filter(center=center, department__isnull=False)
        .overdue(today)
        .values_list("number", "department_id", "due")
    )
    return [
        Finding(
            rule=Rule.WORK_ORDER_LATE,
            severity=Severity.MINOR,
            center_id=center.pk,
            case_id=None,
            department_id=department,
            subject=number,
            detail=_("Work order %(number)s was due %(due)s, still open on %(today)s.")
            % {"number": number, "due": due, "today": today},
        )
        for number, department, due in orders
        if department is not None
    ]
