"""Personal-data retention: closed cases lose their applicants' personal data after the retention
period (CASE_RETENTION_YEARS), and keep everything the statistics count.

What goes: the applicant's name (replaced by `ANONYMISED`; on a bundle's application too, once all
its cases went), ID number, USCC, mobile, the form's answers (addresses and the like), the link to
their account, the draft, the uploaded materials (rows and files on disk) and the delivery's
tracking number. What stays: the center, department,
item, channel, status, dates, due dates, stages, events, decision outcome and fees, so that every
figure of supervision and statistics counts the case as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.services import audit_record
from cases.models import (
    CONCLUDED,
    BundleApplication,
    Case,
    CaseDecision,
    CaseDraft,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    private_storage,
)
from govhall.retention import ANONYMISED, retention_cutoff

# States that close a case with its conclusion time set (`concluded_at`).
CLOSED_WITH_TIME = (*CONCLUDED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED)
# States that close a case before acceptance: their last event is when they closed.
CLOSED_EARLY = (
    CaseStatus.WITHDRAWN_BEFORE_ACCEPTANCE,
    CaseStatus.NOT_ACCEPTED,
    CaseStatus.REFUSED,
)
# Cases per transaction: a first run on an old database may find hundreds of thousands.
BATCH = 500


@dataclass(frozen=True)
class RetentionRun:
    cutoff: dt.datetime
    anonymised: int
    files_deleted: int


def cases_past_retention(cutoff: dt.datetime) -> Q:
    """Closed before the cutoff and not anonymised yet."""
    late_event = CaseEvent.objects.filter(case=OuterRef("pk"), at__gte=cutoff)
    closed_early = Q(status__in=CLOSED_EARLY, submitted_at__lt=cutoff) & ~Q(Exists(late_event))
    return Q(anonymised_at__isnull=True) & (
        Q(status__in=CLOSED_WITH_TIME, concluded_at__lt=cutoff) | closed_early
    )


def _delete_files(names: set[str]) -> None:
    for name in names:
        private_storage.delete(name)


@transaction.atomic
def _anonymise_batch(case_ids: list[int], now: dt.datetime) -> tuple[int, int]:
    # Claimed again under the transaction: a concurrent run may have taken some of them.
    claimed = list(
        Case.objects.filter(pk__in=case_ids, anonymised_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    materials = CaseMaterial.objects.filter(case_id__in=claimed)
    names = {name for name in materials.values_list("file", flat=True) if name}
    materials.delete()
    # The cases of a bundle share one stored file: it stays while another case still has it.
    names -= set(CaseMaterial.objects.filter(file__in=names).values_list("file", flat=True))
    CaseDraft.objects.filter(case_id__in=claimed).delete()
    CaseDecision.objects.filter(case_id__in=claimed).update(tracking_number="")
    count = Case.objects.filter(pk__in=claimed, anonymised_at__isnull=True).update(
        applicant_name=ANONYMISED,
        id_number="",
        uscc="",
        mobile="",
        form_data={},
        applicant_user=None,
        idempotency_key="",
        anonymised_at=now,
    )
    # A bundle's application names the applicant too, until the last of its cases is anonymised.
    keeping = Case.objects.filter(bundle_application=OuterRef("pk"), anonymised_at__isnull=True)
    BundleApplication.objects.filter(cases__in=claimed).exclude(Exists(keeping)).update(
        applicant_name=ANONYMISED
    )
    # Only once the rows are gone for good: a rolled-back run must still find its files.
    transaction.on_commit(lambda: _delete_files(names))
    return count, len(names)


def cases_anonymise_expired(
    *, now: dt.datetime | None = None, years: int | None = None
) -> RetentionRun | None:
    """Remove the personal data of the cases closed more than `years` (CASE_RETENTION_YEARS)
    ago, in batches, and write one audit entry for the run. None when retention is off (0)."""
    now = now or timezone.now()
    years = settings.CASE_RETENTION_YEARS if years is None else years
    if years <= 0:
        return None
    cutoff = retention_cutoff(now, years)
    anonymised = files = 0
    while True:
        batch = list(
            Case.objects.filter(cases_past_retention(cutoff))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not batch:
            break
        done, deleted = _anonymise_batch(batch, now)
        anonymised += done
        files += deleted
    audit_record(
        action="case.personal_data_removed",
        target_type="case",
        data={
            "years": years,
            "closed_before": cutoff.isoformat(),
            "cases": anonymised,
            "files": files,
        },
    )
    return RetentionRun(cutoff, anonymised, files)
