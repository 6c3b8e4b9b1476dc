"""Personal-data retention of ratings: raters past FEEDBACK_RETENTION_YEARS are taken out of their
ratings, and the satisfaction figures stay; the command runs it with the work orders'."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import World
from feedback.models import Rating, RatingChannel
from feedback.retention import ratings_anonymise_expired
from feedback.services import CommentInput, RatingInput, rating_comment_give, rating_give
from feedback.stats import Grouping, SatisfactionScope, satisfaction_table, year_of
from govhall.retention import ANONYMISED


def years_on(years: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=365 * years + 2)


def test_old_ratings_lose_their_rater_and_the_figures_stay(world: World, concluded: Case) -> None:
    online = rating_give(
        case=concluded,
        channel=RatingChannel.ONLINE,
        given=RatingInput(level=4, comment="很快"),
        rater=world.citizen,
    )
    real_name = rating_comment_give(
        comment=CommentInput(item_id=world.instant.pk, name="王五", mobile="13900000003"),
        given=RatingInput(level=2, comment="等太久"),
    )
    anonymous = rating_comment_give(
        comment=CommentInput(item_id=world.instant.pk), given=RatingInput(level=5)
    )
    scope = SatisfactionScope(center=world.center, department_id=None)
    period = year_of(timezone.localdate())
    today = timezone.localdate()

    def figures() -> object:
        return satisfaction_table(
            scope=scope, period=period, grouping=Grouping.DEPARTMENT, today=today
        ).total

    before = figures()

    inside = ratings_anonymise_expired(now=years_on(2))
    assert inside is not None and inside[1] == 0
    run = ratings_anonymise_expired(now=years_on(3))

    assert run is not None and run[1] == 2
    online.refresh_from_db()
    assert (online.rater, online.rater_name, online.comment) == (None, "", "很快")
    real_name.refresh_from_db()
    assert (real_name.rater_name, real_name.rater_mobile) == (ANONYMISED, "")
    assert (real_name.level, real_name.comment) == (2, "等太久")
    assert real_name.rectification.real_name
    anonymous.refresh_from_db()
    assert (anonymous.rater_name, anonymous.rater_mobile) == ("", "")
    assert figures() == before
    assert Rating.objects.count() == 3
    assert ratings_anonymise_expired(now=years_on(3)) == (run[0], 0)
    runs = AuditEntry.objects.filter(action="rating.personal_data_removed").order_by("pk")
    assert [entry.data["ratings"] for entry in runs] == [0, 2, 0]


def test_the_command_takes_ratings_and_work_orders_and_can_be_off(
    world: World, concluded: Case
) -> None:
    rating_give(
        case=concluded,
        channel=RatingChannel.ONLINE,
        given=RatingInput(level=4),
        rater=world.citizen,
    )
    output = io.StringIO()
    call_command("feedback_retention", "--years", "0", stdout=output)
    assert "Retention is off" in output.getvalue()
    output = io.StringIO()
    with time_machine.travel(years_on(1), tick=False):
        call_command("feedback_retention", "--years", "1", stdout=output)
    assert "1 ratings and 0 work orders anonymised" in output.getvalue()
    assert Rating.objects.get().rater is None
