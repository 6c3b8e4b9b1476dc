"""Personal-data retention of ratings: who gave a rating goes after FEEDBACK_RETENTION_YEARS, the
rating stays.

What goes, for ratings given before the cutoff: the link to the rater's account, and the name
(replaced by `ANONYMISED`) and mobile a real-name rater left on the public comment form. What
stays: the levels, the comment, the channel, the item, department, counter and staff member, the
time, and the rectification with its real-name flag, so that the satisfaction figures and the
call-back rate of real-name bad ratings count as before.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from feedback.models import Rating
from govhall.retention import name_present, name_removed, retention_cutoff, update_in_batches


def ratings_anonymise_expired(
    *, now: dt.datetime | None = None, years: int | None = None
) -> tuple[dt.datetime, int] | None:
    """Remove the raters' identity from ratings older than `years` (FEEDBACK_RETENTION_YEARS) and
    write one audit entry; the cutoff and the ratings changed, or None when retention is off."""
    now = now or timezone.now()
    years = settings.FEEDBACK_RETENTION_YEARS if years is None else years
    if years <= 0:
        return None
    cutoff = retention_cutoff(now, years)
    identified = Q(rater__isnull=False) | ~Q(rater_mobile="") | name_present("rater_name")
    ratings = update_in_batches(
        Rating.objects.filter(identified, rated_at__lt=cutoff),
        rater=None,
        rater_name=name_removed("rater_name"),
        rater_mobile="",
    )
    audit_record(
        action="rating.personal_data_removed",
        target_type="rating",
        data={"years": years, "before": cutoff.isoformat(), "ratings": ratings},
    )
    return cutoff, ratings
