"""Satisfaction figures over the pad's and the online ratings, their rectifications and appeals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import case_conclude_on_the_spot
from cases.tests.conftest import World, person, submit
from catalog.models import Counter, QueueCategory, ServiceItem, StaffProfile
from catalog.tests.factories import make_counter
from feedback import services
from feedback.models import (
    AppealReason,
    Rating,
    RatingAppeal,
    RatingChannel,
    Rectification,
)
from feedback.stats import (
    Grouping,
    SatisfactionRow,
    SatisfactionScope,
    period_parse,
    rectifications_overdue,
    satisfaction_scope,
    satisfaction_tables,
)
from hall.models import PadRating
from hall.services.tickets import (
    counter_sign_in,
    counter_sign_out,
    pad_rate,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
# Well after every deadline of the ratings given on 28 September 2026 (the National Day
# holidays lie between).
LATER = dt.date(2026, 10, 30)


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


@dataclass
class Rated:
    """The ratings of September 2026 in the world's center (see `rated`)."""

    world: World
    counter: Counter
    general_counter: Counter
    clerk: User
    general_clerk: User
    pad_bad: PadRating
    sms_bad: Rating
    online_appealed: Rating
    case: Case


def serve(
    *,
    counter: Counter,
    clerk: User,
    category: QueueCategory,
    level: int,
    when: dt.datetime,
    item: ServiceItem | None = None,
) -> PadRating:
    """One service at the counter, rated on the pad a minute after it ends."""
    ticket = ticket_issue(category=category, item=item, now=when)
    counter_sign_in(counter=counter, staff=clerk, now=when)
    called = ticket_call_next(counter=counter, staff=clerk, now=when)
    assert called is not None and called.pk == ticket.pk
    done = ticket_finish(counter=counter, staff=clerk, now=when + dt.timedelta(minutes=5))
    counter_sign_out(counter=counter, staff=clerk, now=when + dt.timedelta(minutes=6))
    return pad_rate(ticket=done, level=level, now=when + dt.timedelta(minutes=6))


def concluded_case(world: World, key: str) -> Case:
    return case_conclude_on_the_spot(case=submit(world, world.instant, key=key), staff=world.chief)


def rate(
    case: Case, channel: RatingChannel, level: int, when: dt.datetime, rater: User | None
) -> Rating:
    return services.rating_give(
        case=case,
        channel=channel,
        given=services.RatingInput(level=level),
        rater=rater,
        now=when,
    )


def appeal(rating: Rating, world: World, *, upheld: bool | None) -> RatingAppeal:
    """The chief, who concluded the case, appeals its bad rating; the supervisor decides."""
    filed = services.rating_appeal_file(
        rectification=Rectification.objects.get(rating=rating),
        user=world.chief,
        reason=AppealReason.MALICIOUS,
        explanation="评价人承认误操作",
    )
    if upheld is None:
        return filed
    return services.rating_appeal_decide(
        appeal=filed, supervisor=world.supervisor, upheld=upheld, note="已核实"
    )


@pytest.fixture
def rated(world: World) -> Rated:
    """September 2026, hand-counted:

    pad, market counter 1 (clerk):     5, 4, 1 (bad)
    pad, general counter 2 (general clerk), for the health item: 3
    online case of the market (chief, no counter): online 5, SMS 2 (bad)
    online case of the market: online 1 (bad), appeal upheld: not counted
    October: one more pad rating (5) just after midnight of 1 October
    """
    market = world.instant.department
    category = QueueCategory.objects.create(center=world.center, letter="A", name="综合受理")
    counter = make_counter(world.center, market)
    general_counter = make_counter(world.center, None, kind=Counter.Kind.GENERAL)
    for each in (counter, general_counter):
        each.categories.add(category)
    StaffProfile.objects.filter(user=world.clerk).update(counter=counter)
    StaffProfile.objects.filter(user=world.general_clerk).update(counter=general_counter)
    morning = at(28, 9)
    serve(counter=counter, clerk=world.clerk, category=category, level=5, when=morning)
    serve(counter=counter, clerk=world.clerk, category=category, level=4, when=at(28, 9, 10))
    pad_bad = serve(
        counter=counter, clerk=world.clerk, category=category, level=1, when=at(28, 9, 20)
    )
    serve(
        counter=general_counter,
        clerk=world.general_clerk,
        category=category,
        level=3,
        when=at(28, 9, 30),
        item=world.other_item,
    )
    case = concluded_case(world, "stats-1")
    rate(case, RatingChannel.ONLINE, 5, at(28, 10), world.citizen)
    sms_bad = rate(case, RatingChannel.SMS, 2, at(28, 10, 5), None)
    appealed_case = concluded_case(world, "stats-2")
    online_appealed = rate(appealed_case, RatingChannel.ONLINE, 1, at(28, 10, 10), world.citizen)
    appeal(online_appealed, world, upheld=True)
    serve(
        counter=counter, clerk=world.clerk, category=category, level=5, when=at(1, 0, 4, month=10)
    )
    return Rated(
        world=world,
        counter=counter,
        general_counter=general_counter,
        clerk=world.clerk,
        general_clerk=world.general_clerk,
        pad_bad=pad_bad,
        sms_bad=sms_bad,
        online_appealed=online_appealed,
        case=case,
    )


def center(rated: Rated) -> SatisfactionScope:
    return SatisfactionScope(center=rated.world.center, department_id=None)


def figures(row: SatisfactionRow) -> tuple[object, ...]:
    return (row.ratings, row.satisfied, row.bad, round(row.mean_level or 0, 2))


def test_the_month_counts_both_tables_and_every_channel(rated: Rated) -> None:
    tables = satisfaction_tables(scope=center(rated), period=period_parse("2026-09"), today=LATER)
    total = tables[Grouping.DEPARTMENT].total
    # Counted: 5, 4, 1, 3 on the pad; 5 online and 2 by SMS. Mean 20 / 6.
    assert total.levels == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}
    assert figures(total) == (6, 4, 2, 3.33)
    assert total.satisfaction_rate == pytest.approx(100 * 4 / 6)
    for table in tables.values():
        assert figures(table.total) == figures(total)


def test_the_figures_group_by_department_counter_and_staff(rated: Rated) -> None:
    world = rated.world
    tables = satisfaction_tables(scope=center(rated), period=period_parse("2026-09"), today=LATER)
    by_department = {row.label: figures(row) for row in tables[Grouping.DEPARTMENT].rows}
    assert by_department == {
        # The pad's 5, 4, 1 at the market's counter and the case's 5 and 2.
        world.instant.department.name: (5, 3, 2, 3.4),
        # The general counter's rating counts for the department of the ticket's item.
        world.other_item.department.name: (1, 1, 0, 3.0),
    }
    by_counter = {row.label: figures(row) for row in tables[Grouping.COUNTER].rows}
    assert by_counter == {
        str(rated.counter): (3, 2, 1, 3.33),
        str(rated.general_counter): (1, 1, 0, 3.0),
        "Not recorded": (2, 1, 1, 3.5),
    }
    by_staff = {row.label: figures(row) for row in tables[Grouping.STAFF].rows}
    assert by_staff == {
        str(rated.clerk): (3, 2, 1, 3.33),
        str(world.chief): (2, 1, 1, 3.5),
        str(rated.general_clerk): (1, 1, 0, 3.0),
    }
    # Busiest first.
    assert [row.ratings for row in tables[Grouping.STAFF].rows] == [3, 2, 1]


def test_a_rating_whose_appeal_was_upheld_drops_out_but_stays_on_record(rated: Rated) -> None:
    world = rated.world
    period = period_parse("2026-09")

    def total() -> SatisfactionRow:
        tables = satisfaction_tables(scope=center(rated), period=period, today=LATER)
        return tables[Grouping.DEPARTMENT].total

    assert (total().levels[1], total().rectifications) == (1, 2)  # the pad's, not the appealed
    assert Rating.objects.filter(pk=rated.online_appealed.pk).exists()
    assert Rectification.objects.filter(rating=rated.online_appealed).exists()
    # An appeal awaiting its decision, or rejected, leaves the rating counted.
    bad = rate(concluded_case(world, "stats-4"), RatingChannel.ONLINE, 1, at(28, 16), world.citizen)
    pending = appeal(bad, world, upheld=None)
    assert (total().levels[1], total().rectifications) == (2, 3)
    services.rating_appeal_decide(
        appeal=pending, supervisor=world.supervisor, upheld=False, note="评价属实"
    )
    assert (total().levels[1], total().rectifications) == (2, 3)


def test_a_rating_counts_in_the_month_of_its_day_in_the_centers_time_zone(rated: Rated) -> None:
    october = satisfaction_tables(scope=center(rated), period=period_parse("2026-10"), today=LATER)[
        Grouping.DEPARTMENT
    ].total
    assert figures(october) == (1, 1, 0, 5.0)
    quarter = satisfaction_tables(scope=center(rated), period=period_parse("2026-Q3"), today=LATER)[
        Grouping.DEPARTMENT
    ].total
    assert quarter.ratings == 6
    year = satisfaction_tables(scope=center(rated), period=period_parse("2026"), today=LATER)[
        Grouping.DEPARTMENT
    ].total
    assert year.ratings == 7


def test_rectification_and_call_back_rates_count_what_is_due(rated: Rated) -> None:
    world = rated.world
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    period = period_parse("2026-09")
    sms = Rectification.objects.get(rating=rated.sms_bad)
    pad = Rectification.objects.get(pad_rating=rated.pad_bad)
    services.rectification_call_back(rectification=sms, staff=head, note="已致电核实")
    services.rectification_rectify(rectification=sms, staff=head, fix="增开窗口")
    # On the day they were opened nothing is due yet: no rate, nothing overdue.
    opening = satisfaction_tables(scope=center(rated), period=period, today=dt.date(2026, 9, 28))
    total = opening[Grouping.DEPARTMENT].total
    assert (total.rectifications, total.rectified, total.rectifications_due) == (2, 1, 1)
    assert total.overdue == 0
    # Later, the pad's rectification is overdue: one of the two due was put right.
    later = satisfaction_tables(scope=center(rated), period=period, today=LATER)
    total = later[Grouping.DEPARTMENT].total
    assert (total.rectified, total.rectifications_due, total.overdue) == (1, 2, 1)
    assert total.rectification_rate == pytest.approx(50.0)
    by_counter = {row.key: row for row in later[Grouping.COUNTER].rows}
    assert by_counter[rated.counter.pk].overdue == 1
    assert by_counter[None].rectification_rate == pytest.approx(100.0)
    # Real-name bad ratings (the rater can be reached): the SMS rating of a case with the
    # applicant's mobile, called back; the pad's ticket had no mobile, so it is anonymous.
    assert (total.real_name_due, total.called_back) == (1, 1)
    assert total.call_back_rate == pytest.approx(100.0)
    overdue = rectifications_overdue(scope=center(rated), period=period, today=LATER)
    assert overdue == [pad]
    # A real-name bad rating nobody called back halves the call-back rate once its day passes.
    rate(concluded_case(world, "stats-3"), RatingChannel.ONLINE, 2, at(28, 15), world.citizen)
    total = satisfaction_tables(scope=center(rated), period=period, today=LATER)[
        Grouping.DEPARTMENT
    ].total
    assert (total.real_name_due, total.called_back) == (2, 1)
    assert total.call_back_rate == pytest.approx(50.0)
    not_yet = satisfaction_tables(scope=center(rated), period=period, today=dt.date(2026, 9, 29))
    assert not_yet[Grouping.DEPARTMENT].total.real_name_due == 1


def test_a_department_head_reads_only_his_department(rated: Rated) -> None:
    world = rated.world
    head = person(world, "head", Role.DEPARTMENT_HEAD, world.instant.department)
    scope = satisfaction_scope(head)
    assert scope == SatisfactionScope(
        center=world.center, department_id=world.instant.department_id
    )
    tables = satisfaction_tables(scope=scope, period=period_parse("2026-09"), today=LATER)
    assert [row.key for row in tables[Grouping.DEPARTMENT].rows] == [world.instant.department_id]
    assert tables[Grouping.STAFF].total.ratings == 5
    assert str(rated.general_clerk) not in {row.label for row in tables[Grouping.STAFF].rows}


def test_who_reads_the_figures(world: World) -> None:
    manager = person(world, "manager", Role.HALL_MANAGER)
    assert satisfaction_scope(manager) == SatisfactionScope(world.center, None)
    assert satisfaction_scope(world.supervisor) == SatisfactionScope(world.center, None)
    for outsider in (world.citizen, world.clerk, world.chief, world.outsider_staff):
        assert satisfaction_scope(outsider) is None


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (" 2026 ", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-3", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ],
)
def test_periods_are_months_quarters_and_years(code: str, start: dt.date, end: dt.date) -> None:
    period = period_parse(code)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "for example 2026-11, 2026-Q4 or 2026"),
        ("2026-11-01", "for example 2026-11, 2026-Q4 or 2026"),
        ("Q4", "for example 2026-11, 2026-Q4 or 2026"),
        ("abc", "for example 2026-11, 2026-Q4 or 2026"),
        ("2026-Q5", "for example 2026-11, 2026-Q4 or 2026"),
        ("2026-13", "There is no month 13"),
        ("1999", "Choose a year from 2000 to 2099"),
    ],
)
def test_a_malformed_period_is_refused_with_a_message(code: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        period_parse(code)
    assert message in refused.value.messages[0]
