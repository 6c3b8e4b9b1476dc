"""`govhall seed_demo_assessment`: a few inspection findings in the demo center, once, a closed
third-party assessment round over last month scored by a few assessors, and last month closed so
that the ranking has scores to show, third-party term included."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from assessment.models import AssessmentMonth, AssessmentRound, AssessorKind, Category, Finding
from assessment.selectors import center_staff
from assessment.services import (
    finding_record,
    month_close,
    round_close,
    round_invite,
    round_open,
    sheet_save,
)
from catalog.demo_data import DEMO_CENTER_SLUG, demo_username
from catalog.models import Center, Counter, StaffProfile

# (days ago, kind, category, which staff member, note)
DEMO_FINDINGS = (
    (0, Finding.Kind.DEDUCTION, Category.PHONE, 0, "上午10时巡查，工作时间低头玩手机。"),
    (0, Finding.Kind.DEDUCTION, Category.APPEARANCE, 1, "未按规定佩戴工作牌。"),
    (0, Finding.Kind.PRAISE, "", 2, "主动引导行动不便的老人办理社保认证，群众当场致谢。"),
    (35, Finding.Kind.DEDUCTION, Category.ABSENCE, 1, "离岗二十分钟未摆放暂停服务牌。"),
    (35, Finding.Kind.PRAISE, "", 0, "午休时间坚持为外地群众办结营业执照变更。"),
)


# The assessors of the demo round besides the demo log-in: (user name, full name, kind).
DEMO_ASSESSORS = (
    ("assessor01", "区人大代表王建国", AssessorKind.DEPUTY),
    ("assessor02", "区政协委员李秀兰", AssessorKind.CPPCC),
    ("assessor03", "企业代表陈志强", AssessorKind.ENTERPRISE),
)
# How many counters, by number, the demo round's assessors scored.
DEMO_SCORED_COUNTERS = 12


def _demo_assessors(center: Center) -> list[tuple[User, str]]:
    """The demo log-in (for the public, 群众) and three more assessors, made once."""
    group, _created = Group.objects.get_or_create(name=Role.ASSESSOR.value)
    assessors: list[tuple[User, str]] = [
        (User.objects.get(username=demo_username(Role.ASSESSOR)), AssessorKind.PUBLIC)
    ]
    for number, (username, full_name, kind) in enumerate(DEMO_ASSESSORS, start=1):
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
            StaffProfile.objects.create(
                user=user, center=center, badge_number=f"PY{number:02d}", title="评议代表"
            )
        assessors.append((user, kind))
    return assessors


def _seed_round(center: Center, month: dt.date, now: dt.datetime) -> AssessmentRound:
    """A round over `month`, scored by the demo assessors for the first counters, and closed."""
    administrator = User.objects.get(username=demo_username(Role.ADMINISTRATOR))
    seeded = round_open(
        actor=administrator,
        name=f"{month:%Y年%m月}第三方评议",
        period=f"{month:%Y-%m}",
        closes_on=timezone.localdate(now),
        now=now,
    )
    rng = random.Random(2026)  # the same scores on every machine
    counters = list(Counter.objects.filter(center=center).order_by("number")[:DEMO_SCORED_COUNTERS])
    for assessor, kind in _demo_assessors(center):
        round_invite(
            assessment_round=seeded, actor=administrator, assessor=assessor, kind=kind, now=now
        )
        for counter in counters:
            # 70 % to 100 % of each criterion's points, in half points.
            points = {
                str(criterion["key"]): str(
                    Decimal(rng.randint(int(criterion["max"]) * 7 // 5, int(criterion["max"]) * 2))
                    / 2
                )
                for criterion in seeded.criteria
            }
            sheet_save(
                assessment_round=seeded,
                assessor=assessor,
                counter=counter,
                points=points,
                submit=True,
                now=now,
            )
    return round_close(assessment_round=seeded, actor=administrator, now=now)


class Command(BaseCommand):
    help = (
        "Add a few inspection findings and a scored third-party round to the demo center and "
        "close last month, once."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(slug=DEMO_CENTER_SLUG).first()
        if center is None:
            raise CommandError("Load the demo center first: govhall seed_demo.")
        if Finding.objects.filter(center=center).exists():
            self.stdout.write("The demo center has inspection findings already: nothing to do.")
            return
        inspector = User.objects.get(username=demo_username(Role.INSPECTOR))
        staff = list(center_staff(center)[:3])
        if len(staff) < 3:
            raise CommandError("The demo center needs at least three counter staff.")
        now = timezone.now()
        for days_ago, kind, category, who, note in DEMO_FINDINGS:
            finding_record(
                inspector=inspector,
                kind=kind,
                category=category,
                staff=staff[who],
                note=note,
                day=timezone.localdate(now) - dt.timedelta(days=days_ago),
                now=now,
            )
        last_month = (timezone.localdate(now).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        seeded = _seed_round(center, last_month, now)
        if not AssessmentMonth.objects.filter(center=center, month=last_month).exists():
            month_close(center=center, month=last_month, now=now)
        self.stdout.write(
            f"{len(DEMO_FINDINGS)} findings; round {seeded.name} scored by "
            f"{seeded.assessors.count()} assessors; {last_month:%Y-%m} closed."
        )
