"""Personal-data retention of work orders: who complained, asked or suggested goes after
FEEDBACK_RETENTION_YEARS from the order's conclusion, the order stays.

What goes: the name (replaced by `ANONYMISED` where one was given), mobile and ID number, the link
to the account, and the note of what the person said on the call-back. What stays: the number,
kind, channel, content, the case, counter, staff member and department concerned, every state
and date, the reply, the finding and the satisfaction, so that the work-order figures and the
assessment's complaint terms count as before. An order still open keeps everything.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from govhall.retention import name_present, name_removed, retention_cutoff, update_in_batches
from workorders.models import CONCLUDED_STATES, WorkOrder


def work_orders_anonymise_expired(
    *, now: dt.datetime | None = None, years: int | None = None
) -> tuple[dt.datetime, int] | None:
    """Remove the person from work orders concluded more than `years` (FEEDBACK_RETENTION_YEARS)
    ago and write one audit entry; the cutoff and the orders changed, or None when off."""
    now = now or timezone.now()
    years = settings.FEEDBACK_RETENTION_YEARS if years is None else years
    if years <= 0:
        return None
    cutoff = retention_cutoff(now, years)
    identified = (
        Q(complainant_user__isnull=False)
        | ~Q(complainant_mobile="")
        | ~Q(complainant_id_number="")
        | ~Q(visit_note="")
        | name_present("complainant_name")
    )
    orders = update_in_batches(
        WorkOrder.objects.filter(identified, state__in=CONCLUDED_STATES, concluded_at__lt=cutoff),
        complainant_name=name_removed("complainant_name"),
        complainant_mobile="",
        complainant_id_number="",
        complainant_user=None,
        visit_note="",
    )
    audit_record(
        action="work_order.personal_data_removed",
        target_type="work_order",
        data={"years": years, "before": cutoff.isoformat(), "work_orders": orders},
    )
    return cutoff, orders
