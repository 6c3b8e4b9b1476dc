"""Satisfaction figures (好差评统计) over the online, SMS, comment and counter pad ratings, their
rectifications, and the center's public figures.

Definitions (DESIGN §3: five levels, the last two are bad ratings):
- a rating counts unless an appeal against it was upheld (it stays in the record);
- satisfaction rate = ratings at 非常满意, 满意 or 基本满意 (levels 5, 4, 3) / ratings, in percent:
  the national rules count every level that is not a bad rating as a good one (好评);
- mean level = the mean of the levels, 5 very satisfied to 1 very dissatisfied;
- rectification rate = rectifications put right (rectified or closed) / rectifications due
  (put right, or past their rectification date), in percent;
- overdue = rectifications not put right after their rectification date;
- call-back rate = real-name bad ratings called back / real-name bad ratings whose call-back is
  due (called back, or past their call-back date), in percent (the rules want 100 %).

A rating belongs to the period in which it was given; its rectification follows it there.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from catalog.models import Center
from catalog.selectors import center_for_user
from feedback.models import AppealState, Level, Rating, Rectification
from hall.models import PadRating
from supervision.efficiency import Period, dimension_labels
from supervision.models import Dimension
from workorders.selectors import complaint_figures

LEVELS = tuple(sorted(Level.values, reverse=True))
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)
# Roles that read the whole center's figures; a department head reads his department's.
CENTER_WIDE = frozenset({Role.HALL_MANAGER, Role.SUPERVISOR, Role.ADMINISTRATOR})
FIRST_YEAR, LAST_YEAR = 2000, 2099


class Grouping(StrEnum):
    DEPARTMENT = "department"
    COUNTER = "counter"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return str(GROUPING_LABELS[self])

    @property
    def dimension(self) -> Dimension:
        """The efficiency tables' dimension of the same rows, whose labels these tables share."""
        return {
            Grouping.DEPARTMENT: Dimension.DEPARTMENT,
            Grouping.COUNTER: Dimension.COUNTER,
            Grouping.STAFF: Dimension.PERSON,
        }[self]


GROUPING_LABELS = {
    Grouping.DEPARTMENT: gettext_lazy("By department"),
    Grouping.COUNTER: gettext_lazy("By counter"),
    Grouping.STAFF: gettext_lazy("By staff member"),
}


# --- periods -------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")


@dataclass(frozen=True)
class NamedPeriod:
    """A calendar month (2026-11), quarter (2026-Q4) or year (2026) and its days."""

    code: str
    period: Period

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end


def period_parse(text: str) -> NamedPeriod:
    """The period a code names; ValidationError saying how to write one."""
    match = _PERIOD.match(text.strip())
    example = _(
        "Write the period as a month, a quarter or a year, for example 2026-11, 2026-Q4 or 2026."
    )
    if match is None:
        raise ValidationError(example, code="period")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="period",
        )
    month, quarter = match.group(2), match.group(3)
    if month is not None:
        number = int(month)
        if not 1 <= number <= 12:
            raise ValidationError(
                _("There is no month %(month)s: months go from 01 to 12.") % {"month": month},
                code="period",
            )
        last = calendar.monthrange(year, number)[1]
        return NamedPeriod(
            f"{year}-{number:02d}", Period(dt.date(year, number, 1), dt.date(year, number, last))
        )
    if quarter is not None:
        first_month = 3 * int(quarter) - 2
        end_month = first_month + 2
        return NamedPeriod(
            f"{year}-Q{quarter}",
            Period(
                dt.date(year, first_month, 1),
                dt.date(year, end_month, calendar.monthrange(year, end_month)[1]),
            ),
        )
    return NamedPeriod(str(year), Period(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def month_of(day: dt.date) -> NamedPeriod:
    return period_parse(f"{day:%Y-%m}")


def quarter_of(day: dt.date) -> NamedPeriod:
    return period_parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def year_of(day: dt.date) -> NamedPeriod:
    return period_parse(str(day.year))


# --- who reads what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionScope:
    """The center whose figures a person reads, and for a department head his department."""

    center: Center
    department_id: int | None


def satisfaction_scope(user: AbstractBaseUser | AnonymousUser) -> SatisfactionScope | None:
    """Hall managers, supervisors and administrators read the center, a department head his
    department; None for everyone else."""
    if not isinstance(user, User) or not user.is_active:
        return None
    center = center_for_user(user)
    if center is None:
        return None
    roles = set(user.role_names())
    if roles & CENTER_WIDE:
        return SatisfactionScope(center=center, department_id=None)
    department_id = user.staff_profile.department_id
    if Role.DEPARTMENT_HEAD.value in roles and department_id is not None:
        return SatisfactionScope(center=center, department_id=department_id)
    return None


# --- figures -------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@dataclass
class SatisfactionRow:
    """The figures of one department, counter or staff member (key None: not recorded)."""

    key: int | None
    label: str = ""
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    rectifications: int = 0
    rectifications_due: int = 0
    rectified: int = 0
    overdue: int = 0
    real_name_due: int = 0
    called_back: int = 0

    @property
    def ratings(self) -> int:
        return sum(self.levels.values())

    @property
    def satisfied(self) -> int:
        return sum(self.levels[level] for level in GOOD_LEVELS)

    @property
    def bad(self) -> int:
        return self.ratings - self.satisfied

    @property
    def satisfaction_rate(self) -> float | None:
        return _percent(self.satisfied, self.ratings)

    @property
    def mean_level(self) -> float | None:
        total = sum(level * count for level, count in self.levels.items())
        return total / self.ratings if self.ratings else None

    @property
    def rectification_rate(self) -> float | None:
        return _percent(self.rectified, self.rectifications_due)

    @property
    def call_back_rate(self) -> float | None:
        return _percent(self.called_back, self.real_name_due)

    def add(self, other: SatisfactionRow) -> None:
        for level, count in other.levels.items():
            self.levels[level] += count
        self.rectifications += other.rectifications
        self.rectifications_due += other.rectifications_due
        self.rectified += other.rectified
        self.overdue += other.overdue
        self.real_name_due += other.real_name_due
        self.called_back += other.called_back


@dataclass(frozen=True)
class SatisfactionTable:
    grouping: Grouping
    period: NamedPeriod
    rows: list[SatisfactionRow]
    total: SatisfactionRow


# A cell: the (department, counter, staff) ids a rating names, with its figures. The three tables
# are rolled up from the cells, so the database is asked once per source for all of them.
Cell = tuple[int | None, int | None, int | None]
_POSITION = {Grouping.DEPARTMENT: 0, Grouping.COUNTER: 1, Grouping.STAFF: 2}
# The group fields of each source, in the order of a cell.
_RATING_FIELDS = ("department_id", "counter_id", "staff_id")
_PAD_FIELDS = ("department_key", "counter_id", "staff_id")


def _pad_department(prefix: str = "") -> Coalesce:
    """A pad rating's department, as its rectification's (`services._pad_department_id`): the
    ticket's item's, else its queue's, else the counter's (a general counter serves many
    departments), else the staff member's."""
    return Coalesce(
        f"{prefix}ticket__item__department_id",
        f"{prefix}ticket__category__department_id",
        f"{prefix}counter__department_id",
        f"{prefix}staff__staff_profile__department_id",
    )


def _ratings(scope: SatisfactionScope, period: Period) -> QuerySet[Rating]:
    start, end = period.bounds()
    ratings = Rating.objects.counted().filter(
        center_id=scope.center.pk, rated_at__gte=start, rated_at__lt=end
    )
    if scope.department_id is not None:
        ratings = ratings.filter(department_id=scope.department_id)
    return ratings


def _pad_ratings(scope: SatisfactionScope, period: Period) -> QuerySet[PadRating]:
    start, end = period.bounds()
    pads = (
        PadRating.objects.exclude(appeal__state=AppealState.UPHELD)
        .filter(ticket__center_id=scope.center.pk, created_at__gte=start, created_at__lt=end)
        .annotate(department_key=_pad_department())
    )
    if scope.department_id is not None:
        pads = pads.filter(department_key=scope.department_id)
    return pads


def _grouped(queryset: QuerySet[Any], fields: tuple[str, ...], **aggregates: Any) -> list[Any]:
    return list(queryset.order_by().values(*fields).annotate(**aggregates))


def _level_counts() -> dict[str, Count]:
    return {f"level_{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}


def _rectification_counts(today: dt.date) -> dict[str, Count]:
    put_right = Q(rectified_at__isnull=False)
    called_back = Q(called_back_at__isnull=False)
    return {
        "opened": Count("pk"),
        "due": Count("pk", filter=put_right | Q(rectify_due__lt=today)),
        "put_right": Count("pk", filter=put_right),
        "overdue": Count("pk", filter=~put_right & Q(rectify_due__lt=today)),
        "real_name_due": Count(
            "pk", filter=Q(real_name=True) & (called_back | Q(call_back_due__lt=today))
        ),
        "called_back": Count("pk", filter=Q(real_name=True) & called_back),
    }


def _rectifications(
    scope: SatisfactionScope, period: NamedPeriod
) -> tuple[QuerySet[Rectification], QuerySet[Rectification]]:
    """The rectifications of the period's counted ratings: of online ones, of pad ones."""
    online = Rectification.objects.filter(rating__in=_ratings(scope, period.period).values("pk"))
    pad = Rectification.objects.filter(
        pad_rating__in=_pad_ratings(scope, period.period).values("pk")
    )
    return online, pad


def _cells(
    scope: SatisfactionScope, period: NamedPeriod, today: dt.date
) -> dict[Cell, SatisfactionRow]:
    cells: dict[Cell, SatisfactionRow] = {}

    def cell(values: Mapping[str, Any], fields: tuple[str, ...]) -> SatisfactionRow:
        key: Cell = (values[fields[0]], values[fields[1]], values[fields[2]])
        return cells.setdefault(key, SatisfactionRow(None))

    rating_sources: list[tuple[QuerySet[Any], tuple[str, ...]]] = [
        (_ratings(scope, period.period), _RATING_FIELDS),
        (_pad_ratings(scope, period.period), _PAD_FIELDS),
    ]
    for source, fields in rating_sources:
        for values in _grouped(source, fields, **_level_counts()):
            row = cell(values, fields)
            for level in LEVELS:
                row.levels[level] += values[f"level_{level}"]
    online, pad = _rectifications(scope, period)
    rectification_sources: list[tuple[QuerySet[Any], tuple[str, ...]]] = [
        (online, tuple(f"rating__{name}" for name in _RATING_FIELDS)),
        (
            pad.annotate(pad_department=_pad_department("pad_rating__")),
            ("pad_department", "pad_rating__counter_id", "pad_rating__staff_id"),
        ),
    ]
    for source, fields in rectification_sources:
        for values in _grouped(source, fields, **_rectification_counts(today)):
            row = cell(values, fields)
            row.rectifications += values["opened"]
            row.rectifications_due += values["due"]
            row.rectified += values["put_right"]
            row.overdue += values["overdue"]
            row.real_name_due += values["real_name_due"]
            row.called_back += values["called_back"]
    return cells


def _roll_up(
    cells: Mapping[Cell, SatisfactionRow], grouping: Grouping, period: NamedPeriod
) -> SatisfactionTable:
    position = _POSITION[grouping]
    rows: dict[int | None, SatisfactionRow] = {}
    total = SatisfactionRow(None, _("Total"))
    for key, figures in cells.items():
        rows.setdefault(key[position], SatisfactionRow(key[position])).add(figures)
        total.add(figures)
    labels = dimension_labels(grouping.dimension, rows)
    for group, row in rows.items():
        row.label = labels.get(group, str(group))
    ordered = sorted(rows.values(), key=lambda row: (-row.ratings, row.label))
    return SatisfactionTable(grouping, period, ordered, total)


def satisfaction_tables(
    *, scope: SatisfactionScope, period: NamedPeriod, today: dt.date | None = None
) -> dict[Grouping, SatisfactionTable]:
    """The period's figures by department, counter and staff member, busiest first, each with
    the scope's total."""
    cells = _cells(scope, period, today or timezone.localdate())
    return {grouping: _roll_up(cells, grouping, period) for grouping in Grouping}


def satisfaction_table(
    *,
    scope: SatisfactionScope,
    period: NamedPeriod,
    grouping: Grouping,
    today: dt.date | None = None,
) -> SatisfactionTable:
    return _roll_up(_cells(scope, period, today or timezone.localdate()), grouping, period)


def rectifications_overdue(
    *, scope: SatisfactionScope, period: NamedPeriod, today: dt.date | None = None
) -> list[Rectification]:
    """The period's rectifications not put right after their date, most overdue first."""
    today = today or timezone.localdate()
    online, pad = _rectifications(scope, period)
    late = Q(rectified_at__isnull=True, rectify_due__lt=today)
    return list(
        (online | pad)
        .filter(late)
        .select_related("rating__case", "pad_rating__ticket")
        .order_by("rectify_due", "pk")[:200]
    )


def channel_counts(*, scope: SatisfactionScope, period: NamedPeriod) -> dict[str, int]:
    """The period's counted ratings by channel: "pad" and Rating's channels."""
    counts: dict[str, int] = dict(
        _ratings(scope, period.period)
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    counts["pad"] = _pad_ratings(scope, period.period).count()
    return counts


# --- the public figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFigures:
    """What the center publishes for a period (up to today): ratings and complaints."""

    period: NamedPeriod
    until: dt.date
    ratings: int
    satisfaction_rate: float | None
    bad: int
    rectification_rate: float | None
    complaints: int
    complaints_concluded: int
    complaints_on_time_rate: float | None


def public_figures(*, center: Center, period: NamedPeriod, today: dt.date) -> PublicFigures:
    scope = SatisfactionScope(center=center, department_id=None)
    total = SatisfactionRow(None)
    for figures in _cells(scope, period, today).values():
        total.add(figures)
    until = min(period.end, today)
    complaints = complaint_figures(center_id=center.pk, start=period.start, end=until)
    return PublicFigures(
        period=period,
        until=until,
        ratings=total.ratings,
        satisfaction_rate=total.satisfaction_rate,
        bad=total.bad,
        rectification_rate=total.rectification_rate,
        complaints=complaints.received,
        complaints_concluded=complaints.concluded,
        complaints_on_time_rate=(
            None if complaints.on_time_rate is None else 100 * complaints.on_time_rate
        ),
    )


def public_figures_to_date(*, center: Center, today: dt.date) -> list[PublicFigures]:
    """This month's, this quarter's and this year's figures so far."""
    return [
        public_figures(center=center, period=period, today=today)
        for period in (month_of(today), quarter_of(today), year_of(today))
    ]
