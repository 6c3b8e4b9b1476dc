"""Case numbers stay unique when many applications arrive at once (PostgreSQL row lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cases.models import Case
from cases.tests.conftest import World, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_submissions_get_distinct_numbers(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    errors: list[BaseException] = []

    def apply(index: int) -> None:
        try:
            submit(world, key=f"parallel-{index}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8
