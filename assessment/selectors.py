"""Reads of the assessment: who sees which finding, the daily bulletin, a person's monthly record,
the month's figures and score formula (docs/assessment.md), and the rankings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from assessment.models import (
    DEFAULT_CRITERIA,
    DEFAULT_DEDUCTIONS,
    AssessmentMonth,
    AssessmentRound,
    AssessorKind,
    DeductionRule,
    Finding,
    MonthlyScore,
    RoundAssessor,
    ScoreSheet,
    ScoreWeights,
    ScoringCriterion,
    Title,
)
from catalog.models import Center, Counter, StaffProfile
from catalog.selectors import center_for_user
from feedback.stats import (
    Grouping,
    NamedPeriod,
    SatisfactionScope,
    satisfaction_table,
    satisfaction_tables,
)
from hall.models import CounterPause, Ticket
from hall.selectors import served_today_average_wait
from supervision.efficiency import Period, concluded_in, efficiency_table
from supervision.models import Dimension
from workdays.selectors import calendar_current
from workorders.models import CONCLUDED_STATES, UPHELD_FINDINGS, Kind, WorkOrder

# Who reads every finding of the center, the bulletin aside (which every member of staff reads).
CENTER_READERS = frozenset({Role.HALL_MANAGER, Role.SUPERVISOR, Role.INSPECTOR})
# Who reads the rankings and closes months.
RANKING_READERS = frozenset({Role.HALL_MANAGER, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who opens third-party assessment rounds, invites assessors, closes rounds and reads results.
ROUND_MANAGERS = frozenset({Role.HALL_MANAGER, Role.ADMINISTRATOR})
# The roles whose holders are assessed as counter staff.
ASSESSED_ROLES = (Role.CLERK, Role.CHIEF_REPRESENTATIVE)
CENT = Decimal("0.01")


def staff_center(user: AbstractBaseUser | AnonymousUser) -> Center | None:
    """The center of an active member of staff, or None."""
    if not isinstance(user, User) or not user.is_active:
        return None
    return center_for_user(user)


def roles_of(user: User) -> set[str]:
    return set(user.role_names())


def may_record_findings(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        isinstance(user, User)
        and staff_center(user) is not None
        and Role.INSPECTOR.value in roles_of(user)
    )


def may_read_rankings(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        isinstance(user, User)
        and staff_center(user) is not None
        and bool(roles_of(user) & RANKING_READERS)
    )


def may_manage_rounds(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        isinstance(user, User)
        and staff_center(user) is not None
        and bool(roles_of(user) & ROUND_MANAGERS)
    )


def is_assessor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        isinstance(user, User)
        and staff_center(user) is not None
        and Role.ASSESSOR.value in roles_of(user)
    )


def findings_visible_to(user: User) -> QuerySet[Finding]:
    """The findings a person may read: all of the center for inspectors, hall managers and
    supervisors; the department's for its head; one's own for everyone else."""
    center = staff_center(user)
    if center is None:
        return Finding.objects.none()
    findings = Finding.objects.filter(center=center)
    roles = roles_of(user)
    if roles & CENTER_READERS:
        return findings
    condition = Q(staff=user)
    department_id = user.staff_profile.department_id
    if Role.DEPARTMENT_HEAD.value in roles and department_id is not None:
        condition |= Q(department_id=department_id)
    return findings.filter(condition)


def finding_get_for(*, user: User, pk: int) -> Finding:
    """A finding the person may read; another's is answered as missing."""
    finding = (
        findings_visible_to(user)
        .select_related("staff", "counter", "inspector", "department")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if finding is None:
        raise Http404(_("There is no such finding, or you may not read it."))
    return finding


def deduction_scale(center: Center) -> dict[str, Decimal]:
    """The center's points per category: its own rows, the defaults for the others."""
    scale = dict(DEFAULT_DEDUCTIONS)
    scale.update(DeductionRule.objects.filter(center=center).values_list("category", "points"))
    return scale


def center_staff(center: Center) -> QuerySet[User]:
    """The center's assessed staff: its clerks and chief representatives, by badge number."""
    return (
        User.objects.filter(
            staff_profile__center=center,
            is_active=True,
            groups__name__in=[role.value for role in ASSESSED_ROLES],
        )
        .distinct()
        .select_related("staff_profile")
        .order_by("staff_profile__badge_number")
    )


# --- the daily bulletin --------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    tickets_served: int
    mean_wait_minutes: float | None
    cases_concluded: int
    ratings: int
    bad_ratings: int


@dataclass(frozen=True)
class Bulletin:
    """The daily bulletin (每日通报): the day's findings and praise and the hall's figures."""

    center: Center
    day: dt.date
    deductions: list[Finding]
    praise: list[Finding]
    figures: DayFigures


def day_period(day: dt.date) -> NamedPeriod:
    return NamedPeriod(day.isoformat(), Period(day, day))


def bulletin(*, center: Center, day: dt.date) -> Bulletin:
    findings = list(
        Finding.objects.filter(center=center, day=day)
        .select_related("staff", "counter", "department")
        .order_by("recorded_at", "pk")
    )
    ratings = satisfaction_table(
        scope=SatisfactionScope(center=center, department_id=None),
        period=day_period(day),
        grouping=Grouping.COUNTER,
    ).total
    figures = DayFigures(
        tickets_served=Ticket.objects.filter(
            center=center, service_date=day, status=Ticket.Status.DONE
        ).count(),
        mean_wait_minutes=served_today_average_wait(center, day),
        cases_concluded=concluded_in(center=center, period=Period(day, day)).count(),
        ratings=ratings.ratings,
        bad_ratings=ratings.bad,
    )
    return Bulletin(
        center=center,
        day=day,
        deductions=[finding for finding in findings if not finding.is_praise],
        praise=[finding for finding in findings if finding.is_praise],
        figures=figures,
    )


# --- the month's figures and the formula ---------------------------------------------------------


@dataclass
class Figures:
    """What one staff member's or counter's month is scored on."""

    deductions: Decimal = Decimal("0")
    findings: int = 0
    praises: int = 0
    ratings: int = 0
    satisfaction_rate: float | None = None
    bad_ratings: int = 0
    concluded: int = 0
    on_time_rate: float | None = None
    tickets_served: int = 0
    complaints: int = 0
    third_party: float | None = None


@dataclass
class Scored:
    """A staff member or counter with its month's figures, terms and score."""

    subject: str
    key: int
    label: str
    figures: Figures
    terms: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal = Decimal("0")
    rank: int = 0


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))


def score_terms(weights: ScoreWeights, figures: Figures) -> dict[str, Decimal]:
    """The terms of the formula of docs/assessment.md, each rounded to hundredths."""
    terms: dict[str, Decimal] = {
        "base": weights.base,
        "deductions": -figures.deductions,
        "praise": min(weights.praise_points * figures.praises, weights.praise_cap),
        "satisfaction": Decimal("0"),
        "bad_ratings": -weights.bad_rating_points * figures.bad_ratings,
        "on_time": Decimal("0"),
        "workload": min(
            weights.ticket_points * figures.tickets_served
            + weights.case_points * figures.concluded,
            weights.workload_cap,
        ),
        "complaints": -weights.complaint_points * figures.complaints,
        "third_party": Decimal("0"),
    }
    if figures.satisfaction_rate is not None:
        terms["satisfaction"] = weights.satisfaction_points * (
            _decimal(figures.satisfaction_rate) - weights.satisfaction_target
        )
    if figures.on_time_rate is not None:
        shortfall = weights.on_time_target - _decimal(figures.on_time_rate)
        terms["on_time"] = -weights.on_time_points * max(shortfall, Decimal("0"))
    if figures.third_party is not None:
        terms["third_party"] = weights.third_party_points * (
            _decimal(figures.third_party) - weights.third_party_target
        )
    return {name: value.quantize(CENT, ROUND_HALF_UP) for name, value in terms.items()}


def rank(rows: list[Scored]) -> list[Scored]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4), then by name."""
    ordered = sorted(rows, key=lambda row: (-row.score, row.label))
    for position, row in enumerate(ordered, start=1):
        same = position > 1 and ordered[position - 2].score == row.score
        row.rank = ordered[position - 2].rank if same else position
    return ordered


def _pause_minutes(pauses: QuerySet[CounterPause], now: dt.datetime) -> int:
    total = dt.timedelta()
    for started, ended in pauses.values_list("started_at", "ended_at"):
        total += (ended or now) - started
    return int(total.total_seconds() // 60)


def month_scores(
    *, center: Center, period: NamedPeriod, weights: ScoreWeights | None = None
) -> dict[str, list[Scored]]:
    """Every assessed staff member's and every counter's figures, terms and score for the
    period, ranked: {"staff": [...], "counter": [...]}."""
    weights = weights or ScoreWeights(center=center)
    staff = {
        user.pk: Scored("staff", user.pk, str(user), Figures()) for user in center_staff(center)
    }
    counters = {
        counter.pk: Scored("counter", counter.pk, str(counter), Figures())
        for counter in Counter.objects.filter(center=center)
    }
    start, end = period.start, period.end
    findings = Finding.objects.filter(center=center, day__gte=start, day__lte=end).order_by()
    for rows, column in ((staff, "staff_id"), (counters, "counter_id")):
        for values in (
            findings.exclude(**{f"{column}__isnull": True})
            .values(column)
            .annotate(
                points=Sum("points", filter=Q(kind=Finding.Kind.DEDUCTION)),
                deductions=Count("pk", filter=Q(kind=Finding.Kind.DEDUCTION)),
                praises=Count("pk", filter=Q(kind=Finding.Kind.PRAISE)),
            )
        ):
            row = rows.get(values[column])
            if row is None:
                continue
            row.figures.deductions = values["points"] or Decimal("0")
            row.figures.findings = values["deductions"]
            row.figures.praises = values["praises"]
    tables = satisfaction_tables(
        scope=SatisfactionScope(center=center, department_id=None), period=period
    )
    for grouping, rows in ((Grouping.STAFF, staff), (Grouping.COUNTER, counters)):
        for satisfaction in tables[grouping].rows:
            row = rows.get(satisfaction.key) if satisfaction.key is not None else None
            if row is not None:
                row.figures.ratings = satisfaction.ratings
                row.figures.satisfaction_rate = satisfaction.satisfaction_rate
                row.figures.bad_ratings = satisfaction.bad
    calendar = calendar_current()
    for dimension, rows in ((Dimension.PERSON, staff), (Dimension.COUNTER, counters)):
        table = efficiency_table(
            center=center, period=period.period, dimension=dimension, calendar=calendar
        )
        for efficiency in table.rows:
            row = rows.get(efficiency.key) if efficiency.key is not None else None
            if row is not None:
                row.figures.concluded = efficiency.concluded
                row.figures.on_time_rate = efficiency.on_time_rate
    served = Ticket.objects.filter(
        center=center,
        service_date__gte=start,
        service_date__lte=end,
        status=Ticket.Status.DONE,
    ).order_by()
    complaints = WorkOrder.objects.filter(
        center=center,
        kind=Kind.COMPLAINT,
        state__in=CONCLUDED_STATES,
        finding__in=UPHELD_FINDINGS,
        concluded_on__gte=start,
        concluded_on__lte=end,
    ).order_by()
    for rows, column in ((staff, "staff_id"), (counters, "counter_id")):
        for key, count in served.values(column).annotate(n=Count("pk")).values_list(column, "n"):
            if key in rows:
                rows[key].figures.tickets_served = count
        for key, count in (
            complaints.values(column).annotate(n=Count("pk")).values_list(column, "n")
        ):
            if key in rows:
                rows[key].figures.complaints = count
    by_counter = third_party_by_counter(center=center, period=period.period)
    for key, mean in by_counter.items():
        if key in counters:
            counters[key].figures.third_party = mean
    for key, mean in third_party_by_staff(
        center=center, period=period.period, by_counter=by_counter
    ).items():
        if key in staff:
            staff[key].figures.third_party = mean
    result: dict[str, list[Scored]] = {}
    for subject, rows in (("staff", staff), ("counter", counters)):
        for row in rows.values():
            row.terms = score_terms(weights, row.figures)
            row.score = sum(row.terms.values(), Decimal("0"))
        result[subject] = rank(list(rows.values()))
    return result


# --- a person's record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PauseLine:
    reason: str
    note: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    minutes: int


@dataclass(frozen=True)
class MonthRecord:
    """A staff member's month: findings, pauses at the counter, and the score (frozen when the
    month is closed, else as it stands)."""

    period: NamedPeriod
    findings: list[Finding]
    pauses: list[PauseLine]
    pause_minutes: int
    closed: MonthlyScore | None
    current: Scored | None


def month_record(*, user: User, period: NamedPeriod, now: dt.datetime | None = None) -> MonthRecord:
    now = now or timezone.now()
    center = user.staff_profile.center
    start, end = period.period.bounds()
    findings = list(
        Finding.objects.filter(staff=user, day__gte=period.start, day__lte=period.end)
        .select_related("counter", "inspector")
        .order_by("day", "recorded_at")
    )
    pauses = CounterPause.objects.filter(staff=user, started_at__gte=start, started_at__lt=end)
    lines = [
        PauseLine(
            reason=CounterPause.reason_label(pause.reason),
            note=pause.note,
            started_at=pause.started_at,
            ended_at=pause.ended_at,
            minutes=int(((pause.ended_at or now) - pause.started_at).total_seconds() // 60),
        )
        for pause in pauses.order_by("started_at")
    ]
    closed = MonthlyScore.objects.filter(
        month__center=center, month__month=period.start, subject="staff", staff=user
    ).first()
    current = None
    if closed is None:
        weights = ScoreWeights.objects.filter(center=center).first()
        scored = month_scores(center=center, period=period, weights=weights)["staff"]
        current = next((row for row in scored if row.key == user.pk), None)
    return MonthRecord(
        period=period,
        findings=findings,
        pauses=lines,
        pause_minutes=_pause_minutes(pauses, now),
        closed=closed,
        current=current,
    )


# --- rankings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    rank: int
    label: str
    score: Decimal
    months: int
    key: int
    terms: dict[str, Any]


@dataclass(frozen=True)
class Ranking:
    period: NamedPeriod
    subject: str
    rows: list[RankingRow]
    months_closed: list[dt.date]
    months_open: list[dt.date]


def ranking(*, center: Center, period: NamedPeriod, subject: str) -> Ranking:
    """The ranking of a month (its frozen scores) or a quarter or year (the mean of its closed
    months' scores per staff member or counter)."""
    months = [month.start for month in period.period.months()]
    closed = list(
        AssessmentMonth.objects.filter(center=center, month__in=months)
        .order_by("month")
        .values_list("month", flat=True)
    )
    scores = MonthlyScore.objects.filter(
        month__center=center, month__month__in=months, subject=subject
    )
    column = "staff_id" if subject == MonthlyScore.Subject.STAFF else "counter_id"
    rows: list[Scored] = []
    if len(months) == 1:
        for score in scores.order_by("rank", "label"):
            row = Scored(subject, getattr(score, column), score.label, Figures(), score.terms)
            row.score = score.score
            rows.append(row)
        counts = dict.fromkeys((row.key for row in rows), 1)
    else:
        labels = dict(scores.order_by("month__month").values_list(column, "label"))
        counts = {}
        for key, mean, count in (
            scores.order_by()
            .values(column)
            .annotate(mean=Avg("score"), n=Count("pk"))
            .values_list(column, "mean", "n")
        ):
            row = Scored(subject, key, labels[key], Figures())
            row.score = Decimal(str(mean)).quantize(CENT, ROUND_HALF_UP)
            rows.append(row)
            counts[key] = count
    ranked = rank(rows)
    return Ranking(
        period=period,
        subject=subject,
        rows=[
            RankingRow(row.rank, row.label, row.score, counts[row.key], row.key, row.terms)
            for row in ranked
        ],
        months_closed=closed,
        months_open=[month for month in months if month not in closed],
    )


def month_is_closed(*, center: Center, month: dt.date) -> bool:
    return AssessmentMonth.objects.filter(center=center, month=month.replace(day=1)).exists()


def staff_profile_of(user: User) -> StaffProfile | None:
    return StaffProfile.objects.filter(user=user).select_related("counter", "department").first()


def titles_of(*, center: Center, period: NamedPeriod) -> list[Title]:
    return list(Title.objects.filter(center=center, period=period.code).order_by("kind"))


def screen_titles(counter: Counter, staff: AbstractBaseUser | None) -> list[str]:
    """The approved titles of the counter and of the staff member at it, newest first, as the
    counter screen shows them ("2026-11 优秀服务窗口")."""
    holders = Q(counter=counter)
    if staff is not None:
        holders |= Q(staff_id=staff.pk)
    titles = Title.objects.filter(holders, state=Title.State.APPROVED).order_by("-decided_at")[:3]
    return [f"{title.period} {title.get_kind_display()}" for title in titles]


# --- third-party assessment rounds ---------------------------------------------------------------


def scoring_form(center: Center) -> list[dict[str, Any]]:
    """The center's scoring form as a round keeps it: its own criteria, else the defaults."""
    rows = list(
        ScoringCriterion.objects.filter(center=center)
        .order_by("position", "pk")
        .values_list("name", "max_points")
    )
    return [
        {"key": f"c{position}", "name": name, "max": most}
        for position, (name, most) in enumerate(rows or DEFAULT_CRITERIA, start=1)
    ]


def rounds_visible_to(user: User) -> QuerySet[AssessmentRound]:
    """The center's rounds for those who manage them; the rounds one is invited to for an
    assessor; none for anyone else."""
    center = staff_center(user)
    if center is None:
        return AssessmentRound.objects.none()
    rounds = AssessmentRound.objects.filter(center=center)
    if may_manage_rounds(user):
        return rounds
    if is_assessor(user):
        return rounds.filter(assessors__assessor=user)
    return AssessmentRound.objects.none()


def round_get_for(*, user: User, pk: int) -> AssessmentRound:
    """A round the person may see; another's is answered as missing."""
    found = rounds_visible_to(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise Http404(_("There is no such assessment round, or you are not invited to it."))
    return found


def invitation_of(assessment_round: AssessmentRound, user: User) -> RoundAssessor | None:
    return RoundAssessor.objects.filter(round=assessment_round, assessor=user).first()


def assessors_of(center: Center) -> QuerySet[User]:
    """The center's third-party assessors, whom a round may invite."""
    return (
        User.objects.filter(
            staff_profile__center=center, is_active=True, groups__name=Role.ASSESSOR.value
        )
        .distinct()
        .order_by("full_name", "username")
    )


@dataclass(frozen=True)
class CounterResult:
    """A counter's result in a round: the mean of each kind of assessor's submitted sheets, and
    the mean of those kind means (each kind weighs the same, however many it sent)."""

    counter: Counter
    sheets: int
    by_kind: dict[str, float]
    mean: float

    def kind_means(self) -> list[tuple[str, float | None]]:
        return [(str(label), self.by_kind.get(kind)) for kind, label in AssessorKind.choices]


def _kind_mean(by_kind: dict[str, float]) -> float:
    return round(sum(by_kind.values()) / len(by_kind), 2)


def round_results(assessment_round: AssessmentRound) -> list[CounterResult]:
    """Every counter scored in the round by at least one submitted sheet, by counter number."""
    per_counter: dict[int, dict[str, float]] = {}
    sheets: dict[int, int] = {}
    for counter_id, kind, mean, count in (
        ScoreSheet.objects.filter(round=assessment_round, state=ScoreSheet.State.SUBMITTED)
        .order_by()
        .values("counter_id", "invitation__kind")
        .annotate(mean=Avg("total"), n=Count("pk"))
        .values_list("counter_id", "invitation__kind", "mean", "n")
    ):
        per_counter.setdefault(counter_id, {})[kind] = round(float(mean), 2)
        sheets[counter_id] = sheets.get(counter_id, 0) + count
    counters = Counter.objects.filter(pk__in=per_counter).order_by("number")
    return [
        CounterResult(
            counter=counter,
            sheets=sheets[counter.pk],
            by_kind=per_counter[counter.pk],
            mean=_kind_mean(per_counter[counter.pk]),
        )
        for counter in counters
    ]


def rounds_open_over(*, center: Center, period: Period) -> list[AssessmentRound]:
    """The center's rounds still open whose days overlap the period."""
    return list(
        AssessmentRound.objects.filter(
            center=center,
            state=AssessmentRound.State.OPEN,
            starts_on__lte=period.end,
            ends_on__gte=period.start,
        ).order_by("starts_on", "pk")
    )


def third_party_by_counter(*, center: Center, period: Period) -> dict[int, float]:
    """Each counter's third-party score for a period: the mean of its results in the closed
    rounds whose days overlap the period."""
    rounds = AssessmentRound.objects.filter(
        center=center,
        state=AssessmentRound.State.CLOSED,
        starts_on__lte=period.end,
        ends_on__gte=period.start,
    )
    results: dict[int, list[float]] = {}
    for assessment_round in rounds:
        for result in round_results(assessment_round):
            results.setdefault(result.counter.pk, []).append(result.mean)
    return {key: round(sum(means) / len(means), 2) for key, means in results.items()}


def third_party_by_staff(
    *, center: Center, period: Period, by_counter: dict[int, float]
) -> dict[int, float]:
    """A staff member's third-party score: the scores of the counters they finished tickets at
    in the period, weighted by those tickets; without tickets, the score of the counter their
    profile names."""
    if not by_counter:
        return {}
    served: dict[int, dict[int, int]] = {}
    for staff_id, counter_id, count in (
        Ticket.objects.filter(
            center=center,
            service_date__gte=period.start,
            service_date__lte=period.end,
            status=Ticket.Status.DONE,
            staff__isnull=False,
            counter_id__in=list(by_counter),
        )
        .order_by()
        .values("staff_id", "counter_id")
        .annotate(n=Count("pk"))
        .values_list("staff_id", "counter_id", "n")
    ):
        served.setdefault(staff_id, {})[counter_id] = count
    result = {
        staff_id: round(
            sum(by_counter[counter] * n for counter, n in counts.items()) / sum(counts.values()), 2
        )
        for staff_id, counts in served.items()
    }
    for staff_id, counter_id in StaffProfile.objects.filter(
        center=center, counter_id__in=list(by_counter)
    ).values_list("user_id", "counter_id"):
        if staff_id not in result and counter_id is not None:
            result[staff_id] = by_counter[counter_id]
    return result
