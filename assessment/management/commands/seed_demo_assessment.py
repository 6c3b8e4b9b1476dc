"""`govhall seed_demo_assessment`: a few inspection findings in the demo center, once, and last
month closed so that the ranking has scores to show."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from assessment.models import AssessmentMonth, Category, Finding
from assessment.selectors import center_staff
from assessment.services import finding_record, month_close
from catalog.demo_data import DEMO_CENTER_SLUG, demo_username
from catalog.models import Center

# (days ago, kind, category, which staff member, note)
DEMO_FINDINGS = (
    (0, Finding.Kind.DEDUCTION, Category.PHONE, 0, "上午10时巡查，工作时间低头玩手机。"),
    (0, Finding.Kind.DEDUCTION, Category.APPEARANCE, 1, "未按规定佩戴工作牌。"),
    (0, Finding.Kind.PRAISE, "", 2, "主动引导行动不便的老人办理社保认证，群众当场致谢。"),
    (35, Finding.Kind.DEDUCTION, Category.ABSENCE, 1, "离岗二十分钟未摆放暂停服务牌。"),
    (35, Finding.Kind.PRAISE, "", 0, "午休时间坚持为外地群众办结营业执照变更。"),
)


class Command(BaseCommand):
    help = "Add a few inspection findings to the demo center and close last month, once."

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
        if not AssessmentMonth.objects.filter(center=center, month=last_month).exists():
            month_close(center=center, month=last_month, now=now)
        self.stdout.write(f"{len(DEMO_FINDINGS)} findings; {last_month:%Y-%m} closed.")
