"""Writes of the assessment: the deduction scale and score formula made on first use, findings
and their answers, and the closing of a month, which freezes its scores."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import message_send
from assessment.models import (
    DEFAULT_DEDUCTIONS,
    AssessmentMonth,
    Category,
    DeductionRule,
    Finding,
    FindingPhoto,
    MonthlyScore,
    ScoreWeights,
    Title,
)
from assessment.selectors import (
    RankingRow,
    deduction_scale,
    may_record_findings,
    month_scores,
    ranking,
    staff_center,
    staff_profile_of,
)
from audit.services import audit_record
from cases.services import MB, file_limit, upload_sniff
from catalog.models import Center, Counter
from feedback.stats import NamedPeriod, month_of
from govhall.errors import ConflictError

MAX_PHOTOS = 3
PHOTO_TYPES = ("image/jpeg", "image/png")
MAX_TEXT = 1000


@transaction.atomic
def deduction_scale_ensure(*, center: Center) -> list[DeductionRule]:
    """The center's deduction scale, its missing rows made with the defaults."""
    DeductionRule.objects.bulk_create(
        [
            DeductionRule(center=center, category=category, points=points)
            for category, points in DEFAULT_DEDUCTIONS.items()
        ],
        ignore_conflicts=True,
    )
    return list(DeductionRule.objects.filter(center=center).order_by("category"))


def score_weights_ensure(*, center: Center) -> ScoreWeights:
    """The center's score formula, made with the defaults on first use."""
    weights, _created = ScoreWeights.objects.get_or_create(center=center)
    return weights


def _photo_check(upload: UploadedFile) -> tuple[str, str, int, str]:
    """The photo's content type, suffix, size and digest, after checking its size and content."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": upload.name})
    if size > file_limit():
        raise ValidationError(
            _("%(name)s is %(size).1f MB; a photo may be at most %(max)s MB.")
            % {"name": upload.name, "size": size / MB, "max": file_limit() // MB}
        )
    try:
        content_type, suffix = upload_sniff(upload)
    except ValidationError:
        content_type, suffix = "", ""
    if content_type not in PHOTO_TYPES:
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo (its content was checked, not its name).")
            % {"name": upload.name}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, suffix, size, digest.hexdigest()


def _points(text: str | Decimal | None, default: Decimal) -> Decimal:
    if text is None or text == "":
        return default
    try:
        points = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError(
            {"points": _("Write the points as a number, such as 2 or 0.5.")}
        ) from None
    if not points.is_finite() or not Decimal("0") <= points <= Decimal("100"):
        raise ValidationError({"points": _("The points must be between 0 and 100.")})
    return points.quantize(Decimal("0.01"))


@transaction.atomic
def finding_record(
    *,
    inspector: User,
    kind: str,
    note: str,
    staff: User | None = None,
    counter: Counter | None = None,
    category: str = "",
    points: str | Decimal | None = None,
    photos: Sequence[UploadedFile] = (),
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Finding:
    """督查: an inspector records a deduction (points from the center's scale unless given) or
    praise against a staff member or a counter of the center; the person is told."""
    now = now or timezone.now()
    center = staff_center(inspector)
    if center is None or not may_record_findings(inspector):
        raise PermissionDenied(_("Only the center's inspectors record findings."))
    errors: dict[str, str] = {}
    if kind not in Finding.Kind.values:
        errors["kind"] = _("Choose a deduction or praise.")
    if kind == Finding.Kind.DEDUCTION and category not in Category.values:
        errors["category"] = _("Choose what was found.")
    if kind == Finding.Kind.PRAISE:
        category = ""
    profile = staff_profile_of(staff) if staff is not None else None
    if staff is not None and (profile is None or profile.center_id != center.pk):
        errors["staff"] = _("That person is not on the staff of this center.")
    if counter is not None and counter.center_id != center.pk:
        errors["counter"] = _("That counter is not one of this center's.")
    if staff is None and counter is None:
        errors["staff"] = _("Choose the staff member or the counter the finding is about.")
    note = note.strip()
    if not note:
        errors["note"] = _("Write what was found.")
    elif len(note) > MAX_TEXT:
        errors["note"] = _("Keep the note within %(max)s characters.") % {"max": MAX_TEXT}
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Attach at most %(max)s photos.") % {"max": MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    if kind == Finding.Kind.PRAISE:
        amount = Decimal("0")
    else:
        amount = _points(points, deduction_scale(center)[category])
    checked = [_photo_check(photo) for photo in photos]
    if counter is None and profile is not None:
        counter = profile.counter
    department = profile.department if profile is not None else None
    if department is None and counter is not None:
        department = counter.department
    finding = Finding(
        center=center,
        kind=kind,
        category=category,
        staff=staff,
        counter=counter,
        department=department,
        points=amount,
        note=note,
        day=day or timezone.localdate(now),
        recorded_at=now,
        inspector=inspector,
    )
    finding.full_clean()
    finding.save()
    for upload, (content_type, suffix, size, sha256) in zip(photos, checked, strict=True):
        photo = FindingPhoto(finding=finding, content_type=content_type, size=size, sha256=sha256)
        photo.file.save(f"photo{suffix}", upload, save=False)
        photo.save()
    audit_record(
        action=f"assessment.finding.{kind}",
        actor=inspector,
        target_type="finding",
        target_id=str(finding.pk),
        center_id=center.pk,
        data={
            "staff": staff.pk if staff else None,
            "counter": counter.pk if counter else None,
            "category": category,
            "points": str(amount),
            "photos": len(checked),
        },
    )
    if staff is not None:
        subject = (
            _("Praise from the inspection of %(day)s")
            if kind == Finding.Kind.PRAISE
            else _("Inspection finding of %(day)s: %(category)s, −%(points)s points")
        ) % {"day": finding.day, "category": finding.get_category_display(), "points": amount}
        message_send(
            user=staff,
            subject=subject,
            body=note,
            link=f"/assessment/findings/{finding.pk}/",
            kind="assessment.finding",
        )
    return finding


@transaction.atomic
def finding_answer(
    *, finding: Finding, user: User, text: str, now: dt.datetime | None = None
) -> Finding:
    """The person a finding is about answers it, once."""
    now = now or timezone.now()
    if finding.staff_id != user.pk:
        raise PermissionDenied(_("Only the person the finding is about may answer it."))
    text = text.strip()
    if not text:
        raise ValidationError({"answer": _("Write your answer.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"answer": _("Keep the answer within %(max)s characters.") % {"max": MAX_TEXT}}
        )
    changed = Finding.objects.filter(pk=finding.pk, answered_at__isnull=True).update(
        answer=text, answered_at=now
    )
    if changed != 1:
        raise ConflictError(_("This finding has already been answered: an answer is given once."))
    finding.answer, finding.answered_at = text, now
    audit_record(
        action="assessment.finding.answer",
        actor=user,
        target_type="finding",
        target_id=str(finding.pk),
        center_id=finding.center_id,
    )
    return finding


@transaction.atomic
def month_close(
    *, center: Center, month: dt.date, actor: User | None = None, now: dt.datetime | None = None
) -> AssessmentMonth:
    """月考核: compute the month's scores of every assessed staff member and counter and keep
    them, ranked. Only a month that is over is closed, and only once."""
    now = now or timezone.now()
    if actor is not None and not (
        staff_center(actor) == center and actor.has_role(Role.ADMINISTRATOR)
    ):
        raise PermissionDenied(_("Only the center's administrator closes a month."))
    first = month.replace(day=1)
    if first >= timezone.localdate(now).replace(day=1):
        raise ValidationError(
            _("%(month)s is not over yet: a month is closed from the first day of the next.")
            % {"month": f"{first:%Y-%m}"}
        )
    if AssessmentMonth.objects.filter(center=center, month=first).exists():
        raise ConflictError(
            _("%(month)s is already closed: its scores are kept as they were computed.")
            % {"month": f"{first:%Y-%m}"}
        )
    weights = score_weights_ensure(center=center)
    closed = AssessmentMonth.objects.create(
        center=center, month=first, closed_at=now, closed_by=actor
    )
    scored = month_scores(center=center, period=month_of(first), weights=weights)
    MonthlyScore.objects.bulk_create(
        [
            MonthlyScore(
                month=closed,
                subject=row.subject,
                staff_id=row.key if row.subject == MonthlyScore.Subject.STAFF else None,
                counter_id=row.key if row.subject == MonthlyScore.Subject.COUNTER else None,
                label=row.label[:120],
                score=row.score,
                rank=row.rank,
                terms={
                    "terms": {name: str(value) for name, value in row.terms.items()},
                    "figures": {
                        name: (str(value) if isinstance(value, Decimal) else value)
                        for name, value in vars(row.figures).items()
                    },
                },
            )
            for rows in scored.values()
            for row in rows
        ]
    )
    audit_record(
        action="assessment.month.close",
        actor=actor,
        target_type="assessment_month",
        target_id=f"{first:%Y-%m}",
        center_id=center.pk,
        data={"staff": len(scored["staff"]), "counters": len(scored["counter"])},
    )
    return closed


def months_close_due(*, now: dt.datetime | None = None) -> list[AssessmentMonth]:
    """Close last month for every center that has not closed it (the worker, on the 1st)."""
    now = now or timezone.now()
    last_month = (timezone.localdate(now).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    closed = []
    for center in Center.objects.exclude(assessment_months__month=last_month):
        try:
            closed.append(month_close(center=center, month=last_month, now=now))
        except ConflictError:
            continue  # another worker closed it meanwhile
    return closed


@transaction.atomic
def titles_propose(
    *, center: Center, period: NamedPeriod, actor: User, now: dt.datetime | None = None
) -> list[Title]:
    """评优: propose the period's titles from its ranking of closed months — the first counter
    (优秀服务窗口), the first staff member (优秀服务标兵) and the staff member with the most praise,
    the better ranked among equals (最美窗口工作人员). A title already proposed is kept."""
    now = now or timezone.now()
    _require_administrator(actor, center)
    counters = ranking(center=center, period=period, subject=MonthlyScore.Subject.COUNTER)
    staff = ranking(center=center, period=period, subject=MonthlyScore.Subject.STAFF)
    if not staff.rows and not counters.rows:
        raise ValidationError(
            _("%(period)s has no closed month: close a month before proposing titles.")
            % {"period": period.code}
        )
    praises = dict(
        Finding.objects.filter(
            center=center,
            kind=Finding.Kind.PRAISE,
            day__gte=period.start,
            day__lte=period.end,
            staff__isnull=False,
        )
        .order_by()
        .values("staff_id")
        .annotate(n=Count("pk"))
        .values_list("staff_id", "n")
    )
    candidates: list[tuple[str, str, int, str]] = []
    if counters.rows:
        candidates.append((Title.Kind.EXCELLENT_COUNTER, "counter", *_holder(counters.rows[0])))
    if staff.rows:
        candidates.append((Title.Kind.SERVICE_STAR, "staff", *_holder(staff.rows[0])))
    admired = [row for row in staff.rows if praises.get(row.key)]
    if admired:
        best = max(admired, key=lambda row: (praises[row.key], -row.rank))
        candidates.append((Title.Kind.MOST_ADMIRED, "staff", *_holder(best)))
    proposed = []
    for kind, subject, key, label in candidates:
        title, created = Title.objects.get_or_create(
            center=center,
            kind=kind,
            period=period.code,
            defaults={
                "staff_id": key if subject == "staff" else None,
                "counter_id": key if subject == "counter" else None,
                "label": label,
                "proposed_at": now,
            },
        )
        if created:
            audit_record(
                action="assessment.title.propose",
                actor=actor,
                target_type="title",
                target_id=str(title.pk),
                center_id=center.pk,
                data={"kind": kind, "period": period.code, "holder": label},
            )
        proposed.append(title)
    return proposed


def _holder(row: RankingRow) -> tuple[int, str]:
    return row.key, row.label


def _require_administrator(actor: User, center: Center) -> None:
    if staff_center(actor) != center or not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only the center's administrator decides on titles."))


@transaction.atomic
def title_decide(
    *, title: Title, actor: User, approve: bool, now: dt.datetime | None = None
) -> Title:
    """The administrator approves a proposed title (it is then shown on the counter screen) or
    declines it."""
    now = now or timezone.now()
    _require_administrator(actor, title.center)
    state = Title.State.APPROVED if approve else Title.State.DECLINED
    changed = Title.objects.filter(pk=title.pk, state=Title.State.PROPOSED).update(
        state=state, decided_at=now, decided_by=actor
    )
    if changed != 1:
        raise ConflictError(_("This title has already been decided."))
    title.state, title.decided_at, title.decided_by = state, now, actor
    audit_record(
        action=f"assessment.title.{state}",
        actor=actor,
        target_type="title",
        target_id=str(title.pk),
        center_id=title.center_id,
    )
    return title
