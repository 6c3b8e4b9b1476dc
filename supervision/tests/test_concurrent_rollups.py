"""Two workers recomputing a month at once leave one whole rollup: the month's row is locked
before its rows are replaced, so the second waits and replaces the first's rows (without the lock
each would delete the old rows and add its own: the month counted twice)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections

from supervision import services
from supervision.efficiency import efficiency_tally
from supervision.models import Dimension, EfficiencyRollup, RollupMonth
from supervision.services import efficiency_rollup_compute
from supervision.tests.efficiency_world import Hall, handled, moment

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 2


def test_two_workers_recomputing_a_month_leave_one_rollup(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    handled(hall, accepted="2026-10-12", concluded="2026-10-14")
    october = dt.date(2026, 10, 1)
    efficiency_rollup_compute(center=hall.center, month=october, now=moment("2026-10-20"))
    handled(hall, item=hall.health_item, accepted="2026-10-12", concluded="2026-10-21")
    # Each worker, once it holds the month, waits (two seconds at most) for the other to get
    # as far: only a worker the lock does not stop can, and then both replace the rows at once.
    together = threading.Barrier(WORKERS)

    def tally_together(**arguments: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=2)
        return efficiency_tally(**arguments)

    monkeypatch.setattr(services, "efficiency_tally", tally_together)
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work() -> None:
        try:
            start.wait()
            efficiency_rollup_compute(center=hall.center, month=october, now=moment("2026-11-02"))
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
    assert RollupMonth.objects.count() == 1
    departments = EfficiencyRollup.objects.filter(dimension=Dimension.DEPARTMENT)
    assert sorted(departments.values_list("key", "concluded")) == sorted(
        [(hall.market.pk, 1), (hall.health.pk, 1)]
    )
