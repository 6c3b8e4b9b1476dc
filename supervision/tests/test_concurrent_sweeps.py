"""Two workers sweeping at the same moment send each alert once: the conditional UPDATE on the
alerted level decides which of them sends it."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connections
from django.db.models import Count

from cases.models import Light
from cases.tests.conftest import accept, submit
from supervision.models import LightAlert
from supervision.services import lights_sweep
from supervision.tests.conftest import People

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 12
WORKERS = 2


def test_two_sweeps_at_once_send_each_alert_exactly_once(
    people: People, frozen: time_machine.Traveller
) -> None:
    cases = [accept(people.world, submit(people.world, key=f"k{n}")) for n in range(CASES)]
    frozen.move_to("2026-10-12T10:00:00+08:00")  # every case is red, its review stage too
    sent: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def work() -> None:
        try:
            barrier.wait()
            sent.append(lights_sweep())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    per_case = LightAlert.objects.filter(stage__isnull=True)
    assert per_case.count() == CASES * 2  # yellow to the clerk and red to the head, per case
    duplicates = (
        LightAlert.objects.values("case", "stage", "light", "recipient")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []
    assert sum(sent) == LightAlert.objects.count()
    assert set(per_case.values_list("light", flat=True)) == {Light.YELLOW, Light.RED}
    assert {case.pk for case in cases} == set(per_case.values_list("case", flat=True))
