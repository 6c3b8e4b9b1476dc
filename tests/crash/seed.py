"""The small world a crash test's deployment starts from, made in that deployment's own process:
`python -m tests.crash.seed` seeds (migrating an empty database first) and prints what the
clients need as JSON.

A center with queue A, two counters with their clerks signed in, a kiosk and counter terminals,
a published online item with two materials and a signed-in citizen. With `--webhook-url`, also a
department head with a mobile and the department's webhook for accepted cases, `--cases` cases
accepted at the counter (their events are what the worker turns into deliveries) and past their
promised day (the worker's supervision sweep texts the head), and `--messages` text messages
queued.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from typing import Any

HEAD_MOBILE = "13700000000"


def seed(*, migrate: bool, webhook_url: str, cases: int, messages: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.middleware.csrf import get_token
    from django.test import Client, RequestFactory
    from django.utils import timezone

    from accounts.roles import Role
    from cases.models import Case
    from cases.services import Applicant, case_accept, case_submit
    from catalog.models import MaterialSpec, QueueCategory, ServiceItem
    from catalog.tests.factories import (
        make_center,
        make_counter,
        make_department,
        make_item,
        make_staff,
        make_user,
    )
    from govhall.identifiers import resident_id_with_check
    from hall.auth import device_create
    from hall.models import Device
    from hall.services.tickets import counter_sign_in
    from hall.sms import send_sms
    from sharing.models import WebhookEvent
    from sharing.webhooks import webhook_subscription_create
    from workdays.services import calendar_seed

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    year = timezone.localdate().year
    calendar_seed(first_year=year - 1, last_year=year + 1)
    center = make_center(slug="crash")
    department = make_department(center)
    category = QueueCategory.objects.create(center=center, letter="A", name="综合受理")
    item = make_item(department, status=ServiceItem.Status.PUBLISHED)
    specs = [
        MaterialSpec.objects.create(item=item, name="营业执照", position=1),
        MaterialSpec.objects.create(item=item, name="照片", position=2, required=False),
    ]
    counters = []
    for index in range(2):
        counter = make_counter(center, department)
        counter.categories.add(category)
        clerk = make_user(f"crash-clerk{index}", full_name=f"窗口{index}")
        make_staff(clerk, center, Role.CLERK, department=department, counter=counter)
        counter_sign_in(counter=counter, staff=clerk)
        token = device_create(
            center=center, kind=Device.Kind.COUNTER, name=f"terminal {index}", counter=counter
        )
        counters.append({"id": counter.pk, "number": counter.number, "token": token})
    citizen = make_user("crash-citizen", full_name="张小三", mobile="13800000001")
    browser = Client()
    browser.force_login(citizen)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    # The unmasked secret serves as cookie and header alike, as a browser's would.
    csrf = get_token(RequestFactory().get("/"))[:32]
    id_number = resident_id_with_check("11010519491231002")
    world: dict[str, Any] = {
        "kiosk": device_create(center=center, kind=Device.Kind.KIOSK, name="kiosk"),
        "counters": counters,
        "item": item.implementation_code,
        "specs": [spec.pk for spec in specs],
        "id_number": id_number,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "csrf": csrf,
    }
    if webhook_url:
        head = make_user("crash-head", full_name="局长", mobile=HEAD_MOBILE)
        make_staff(head, center, Role.DEPARTMENT_HEAD, department=department)
        webhook_subscription_create(
            department=department,
            url=webhook_url,
            events=[WebhookEvent.CASE_ACCEPTED.value],
            actor=head,
        )
    if cases:
        intake = make_user("crash-intake")
        make_staff(intake, center, Role.CLERK, department=department)
        for index in range(cases):
            case, _created = case_submit(
                user=citizen,
                item=item,
                applicant=Applicant(kind="person", name="张小三", id_number=id_number),
                form_data={},
                idempotency_key=f"seed-{index}",
            )
            case_accept(case=case, staff=intake)
        # Set as the clock would have them: the promised day passed yesterday, so the light is red.
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Case.objects.filter(item=item).update(warn_on=yesterday, promised_due=yesterday)
    world["messages"] = [
        send_sms(mobile=f"139{index:08d}", text=f"crash message {index}").pk
        for index in range(messages)
    ]
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--migrate", action="store_true", help="The database is empty: migrate it first."
    )
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--messages", type=int, default=0)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.crash.settings")
    import django

    django.setup()
    world = seed(
        migrate=options.migrate,
        webhook_url=options.webhook_url,
        cases=options.cases,
        messages=options.messages,
    )
    print(json.dumps(world))


if __name__ == "__main__":
    main()
