"""Writes of the assessment: the deduction scale and score formula made on first use, findings
and their answers, the closing of a month, which freezes its scores, titles, third-party
assessment rounds and their score sheets, and the signing of service commitments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    DEFAULT_CRITERIA,
    DEFAULT_DEDUCTIONS,
    AssessmentMonth,
    AssessmentRound,
    AssessorKind,
    Category,
    DeductionRule,
    Finding,
    FindingPhoto,
    MonthlyScore,
    RoundAssessor,
    ScoreSheet,
    ScoreWeights,
    ScoringCriterion,
    Title,
)
from assessment.selectors import (
    RankingRow,
    deduction_scale,
    invitation_of,
    is_assessor,
    may_manage_rounds,
    may_record_findings,
    month_scores,
    ranking,
    scoring_form,
    staff_center,
    staff_profile_of,
)
from audit.services import audit_record
from cases.services import MB, file_limit, upload_sniff
from catalog.models import Center, Counter, StaffProfile
from feedback.stats import NamedPeriod, month_of, period_parse
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


# --- third-party assessment rounds ---------------------------------------------------------------


def scoring_form_ensure(*, center: Center) -> list[dict[str, object]]:
    """The center's scoring form, its rows made with the defaults if it has none (so that the
    admin has them to edit)."""
    if not ScoringCriterion.objects.filter(center=center).exists():
        ScoringCriterion.objects.bulk_create(
            [
                ScoringCriterion(center=center, name=name, max_points=most, position=position)
                for position, (name, most) in enumerate(DEFAULT_CRITERIA, start=1)
            ]
        )
    return scoring_form(center)


def _require_round_manager(actor: User, center: Center) -> None:
    if staff_center(actor) != center or not may_manage_rounds(actor):
        raise PermissionDenied(
            _("Only the center's administrator and hall manager run assessment rounds.")
        )


@transaction.atomic
def round_open(
    *,
    actor: User,
    name: str,
    period: str,
    closes_on: dt.date | None,
    now: dt.datetime | None = None,
) -> AssessmentRound:
    """第三方评议: open a round over a month, quarter or year with the center's scoring form as
    it stands; assessors score until `closes_on`, then the round closes."""
    now = now or timezone.now()
    center = staff_center(actor)
    if center is None:
        raise PermissionDenied(_("Only the center's staff run assessment rounds."))
    _require_round_manager(actor, center)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Name the round, for example 2026年11月第三方评议.")
    elif len(name) > 120:
        errors["name"] = _("Keep the name within %(max)s characters.") % {"max": 120}
    covered: NamedPeriod | None = None
    try:
        covered = period_parse(period)
    except ValidationError as exc:
        errors["period"] = " ".join(exc.messages)
    today = timezone.localdate(now)
    if closes_on is None:
        errors["closes_on"] = _("Give the last day of scoring as YYYY-MM-DD.")
    elif closes_on < today:
        errors["closes_on"] = _("The last day of scoring cannot be in the past.")
    if errors or covered is None or closes_on is None:
        raise ValidationError(errors)
    opened = AssessmentRound(
        center=center,
        name=name,
        period=covered.code,
        starts_on=covered.start,
        ends_on=covered.end,
        closes_on=closes_on,
        criteria=scoring_form_ensure(center=center),
        opened_at=now,
        opened_by=actor,
    )
    opened.full_clean()
    opened.save()
    audit_record(
        action="assessment.round.open",
        actor=actor,
        target_type="assessment_round",
        target_id=str(opened.pk),
        center_id=center.pk,
        data={"period": covered.code, "closes_on": closes_on.isoformat()},
    )
    return opened


@transaction.atomic
def round_invite(
    *,
    assessment_round: AssessmentRound,
    actor: User,
    assessor: User,
    kind: str,
    now: dt.datetime | None = None,
) -> RoundAssessor:
    """Invite one of the center's third-party assessors to an open round, saying whom they
    speak for; they are told in their message box."""
    now = now or timezone.now()
    _require_round_manager(actor, assessment_round.center)
    if not assessment_round.is_open:
        raise ConflictError(_("This round is closed: nobody more can be invited."))
    errors: dict[str, str] = {}
    if staff_center(assessor) != assessment_round.center or not is_assessor(assessor):
        errors["assessor"] = _("Choose one of the center's third-party assessors.")
    if kind not in AssessorKind.values:
        errors["kind"] = _("Choose whom the assessor speaks for.")
    if errors:
        raise ValidationError(errors)
    if invitation_of(assessment_round, assessor) is not None:
        raise ValidationError({"assessor": _("%(name)s is invited already.") % {"name": assessor}})
    invitation = RoundAssessor.objects.create(
        round=assessment_round, assessor=assessor, kind=kind, invited_at=now, invited_by=actor
    )
    audit_record(
        action="assessment.round.invite",
        actor=actor,
        target_type="assessment_round",
        target_id=str(assessment_round.pk),
        center_id=assessment_round.center_id,
        data={"assessor": assessor.pk, "kind": kind},
    )
    message_send(
        user=assessor,
        subject=_("You are invited to score the counters: %(round)s, until %(day)s.")
        % {"round": assessment_round.name, "day": assessment_round.closes_on.isoformat()},
        link=f"/assessment/rounds/{assessment_round.pk}/",
        kind="assessment.round.invite",
    )
    return invitation


def _sheet_points(
    assessment_round: AssessmentRound, given: Mapping[str, str]
) -> tuple[dict[str, str], Decimal]:
    """Each criterion's points, checked against its most, and the total out of 100."""
    errors: dict[str, str] = {}
    points: dict[str, str] = {}
    for criterion in assessment_round.criteria:
        key, most = str(criterion["key"]), Decimal(str(criterion["max"]))
        text = str(given.get(key, "")).strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or not Decimal("0") <= value <= most:
            errors[key] = _("Give %(name)s a score from 0 to %(max)s.") % {
                "name": criterion["name"],
                "max": criterion["max"],
            }
            continue
        points[key] = str(value.quantize(Decimal("0.1")))
    if errors:
        raise ValidationError(errors)
    scored = sum((Decimal(value) for value in points.values()), Decimal("0"))
    total = (scored * 100 / assessment_round.max_total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return points, total


@transaction.atomic
def sheet_save(
    *,
    assessment_round: AssessmentRound,
    assessor: User,
    counter: Counter,
    points: Mapping[str, str],
    note: str = "",
    submit: bool = False,
    now: dt.datetime | None = None,
) -> ScoreSheet:
    """An invited assessor's scores of one counter: saved as a draft to change later, or
    submitted, after which the sheet is frozen."""
    now = now or timezone.now()
    invitation = invitation_of(assessment_round, assessor)
    if invitation is None:
        raise PermissionDenied(_("Only the round's invited assessors score its counters."))
    if not assessment_round.is_open:
        raise ConflictError(_("This round is closed: its score sheets are kept as they were."))
    if counter.center_id != assessment_round.center_id:
        raise ValidationError({"counter": _("That counter is not one of this center's.")})
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise ValidationError(
            {"note": _("Keep the note within %(max)s characters.") % {"max": MAX_TEXT}}
        )
    checked, total = _sheet_points(assessment_round, points)
    state = ScoreSheet.State.SUBMITTED if submit else ScoreSheet.State.DRAFT
    values = {
        "points": checked,
        "total": total,
        "note": note,
        "state": state,
        "updated_at": now,
        "submitted_at": now if submit else None,
    }
    sheet, created = ScoreSheet.objects.get_or_create(
        invitation=invitation, counter=counter, defaults={"round": assessment_round, **values}
    )
    if not created:
        changed = ScoreSheet.objects.filter(pk=sheet.pk, state=ScoreSheet.State.DRAFT).update(
            **values
        )
        if changed != 1:
            raise ConflictError(_("This score sheet is submitted: it can no longer be changed."))
        sheet.refresh_from_db()
    if submit:
        audit_record(
            action="assessment.sheet.submit",
            actor=assessor,
            target_type="assessment_round",
            target_id=str(assessment_round.pk),
            center_id=assessment_round.center_id,
            data={"counter": counter.pk, "total": str(total), "kind": invitation.kind},
        )
    return sheet


@transaction.atomic
def round_close(
    *, assessment_round: AssessmentRound, actor: User | None, now: dt.datetime | None = None
) -> AssessmentRound:
    """Close a round by hand (administrator, hall manager) or at its end (the worker): its
    submitted sheets make its results; drafts are left out."""
    now = now or timezone.now()
    if actor is not None:
        _require_round_manager(actor, assessment_round.center)
    changed = AssessmentRound.objects.filter(
        pk=assessment_round.pk, state=AssessmentRound.State.OPEN
    ).update(state=AssessmentRound.State.CLOSED, closed_at=now, closed_by=actor)
    if changed != 1:
        raise ConflictError(_("This round is closed already."))
    assessment_round.refresh_from_db()
    audit_record(
        action="assessment.round.close",
        actor=actor,
        target_type="assessment_round",
        target_id=str(assessment_round.pk),
        center_id=assessment_round.center_id,
        data={
            "submitted": assessment_round.sheets.filter(state=ScoreSheet.State.SUBMITTED).count()
        },
    )
    return assessment_round


def rounds_close_due(*, now: dt.datetime | None = None) -> list[AssessmentRound]:
    """Close every open round whose last day of scoring is past (the worker, daily)."""
    now = now or timezone.now()
    closed = []
    for due in AssessmentRound.objects.filter(
        state=AssessmentRound.State.OPEN, closes_on__lt=timezone.localdate(now)
    ):
        try:
            closed.append(round_close(assessment_round=due, actor=None, now=now))
        except ConflictError:
            continue  # closed by hand or by another worker meanwhile
    return closed


# --- service commitments -------------------------------------------------------------------------


@transaction.atomic
def commitment_sign(
    *, profile: StaffProfile, actor: User, signed_on: dt.date | None, now: dt.datetime | None = None
) -> StaffProfile:
    """承诺书: the administrator records the day a staff member signed their service commitment;
    from then on the counter screen shows it."""
    now = now or timezone.now()
    if staff_center(actor) != profile.center or not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only the center's administrator records signed commitments."))
    if not profile.commitment.strip():
        raise ValidationError(
            {"signed_on": _("This staff member has no commitment written yet: write it first.")}
        )
    if signed_on is None:
        raise ValidationError({"signed_on": _("Give the day it was signed as YYYY-MM-DD.")})
    if signed_on > timezone.localdate(now):
        raise ValidationError({"signed_on": _("The day of signing cannot be in the future.")})
    profile.commitment_signed_on = signed_on
    profile.commitment_recorded_by = actor
    profile.save(update_fields=["commitment_signed_on", "commitment_recorded_by"])
    audit_record(
        action="assessment.commitment.sign",
        actor=actor,
        target_type="staff",
        target_id=str(profile.user_id),
        center_id=profile.center_id,
        data={"signed_on": signed_on.isoformat()},
    )
    return profile
