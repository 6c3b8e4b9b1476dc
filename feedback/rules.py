"""Feedback's rule for electronic supervision: rectifications past their deadline (registered
in `FeedbackConfig.ready` through `supervision.rules.register_state_rule`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Center
from feedback.models import AppealState, Rectification, RectificationState
from supervision.models import Rule, Severity
from supervision.rules import Finding
from workdays.calendar import Calendar


def rectifications_late(center: Center, today: dt.date, calendar: Calendar) -> list[Finding]:
    """Bad ratings not rectified by their due day, or not called back by theirs; a rating whose
    appeal was upheld no longer needs its rectification."""
    late = (
        # A pad rating of a service no department answers for (no item, queue, counter or staff
        # department: department 0) has no department to hold to account.
        Rectification.objects.filter(center_id=center.pk, department_id__gt=0)
        .filter(
            Q(state=RectificationState.OPEN, call_back_due__lt=today)
            | Q(
                state__in=(RectificationState.OPEN, RectificationState.CALLED_BACK),
                rectify_due__lt=today,
            )
        )
        .exclude(rating__appeal__state=AppealState.UPHELD)
        .exclude(pad_rating__appeal__state=AppealState.UPHELD)
        .select_related("rating", "pad_rating__ticket")
        .order_by("pk")
    )
    findings: list[Finding] = []
    for rectification in late:
        rating, pad_rating = rectification.rating, rectification.pad_rating
        person: int | None
        if rectification.rectify_due < today:
            detail = _("Rectification was due %(due)s, not done on %(today)s.") % {
                "due": rectification.rectify_due,
                "today": today,
            }
        else:
            detail = _("Call back was due %(due)s, not done on %(today)s.") % {
                "due": rectification.call_back_due,
                "today": today,
            }
        # A subject is unique across centers and must not depend on the language of the sweep:
        # the rectification's number, then the ticket and its day or the day of the comment.
        if pad_rating is not None:
            ticket = pad_rating.ticket
            case_id = None
            subject = f"R{rectification.pk} {ticket.number} {ticket.service_date.isoformat()}"
            person = pad_rating.staff_id
        else:
            assert rating is not None
            case_id = rating.case_id
            day = timezone.localdate(rating.rated_at).isoformat()
            subject = "" if case_id is not None else f"R{rectification.pk} {day}"
            person = rating.staff_id
        findings.append(
            Finding(
                rule=Rule.RECTIFICATION_LATE,
                severity=Severity.MINOR,
                center_id=center.pk,
                case_id=case_id,
                department_id=rectification.department_id,
                person_id=person,
                detail=detail,
                subject=subject[:40],
            )
        )
    return findings
