"""Writes of the hall under load: ticket issue and call-next against the bare insert floor.

wrk cannot follow a counter's call-next → finish cycle, so the writes are driven by threads,
each with its own HTTP client to 127.0.0.1, for a bounded time (gunicorn's sync workers close
the connection after every answer, so each request, floor included, connects anew). The floor
is measured by the same threads on `/healthz/write` (one insert through the whole stack), so the
ratio compares like with like. Every measurement starts with a few untimed requests per thread
(the first requests of a worker load code and fill caches), and each run starts from an empty
queue: the waiting tickets an earlier run of the same day left are cancelled first.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from dataclasses import dataclass

WRITERS = int(os.environ.get("BENCH_WRITERS", "4"))
WARM_UP_REQUESTS = 10
CENTER = "demo"


@dataclass(frozen=True)
class HallTokens:
    kiosk: str
    counters: list[tuple[int, str]]  # counter number, its terminal's token


def prepare() -> HallTokens:
    """Register a kiosk and counter terminals, and open the counters under their clerks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    from catalog.models import Center, Counter, StaffProfile
    from hall.auth import device_create
    from hall.models import CounterState, Device, Ticket
    from hall.services.tickets import counter_sign_in, ticket_cancel, ticket_finish

    center = Center.objects.get(slug=CENTER)
    for ticket in Ticket.objects.waiting().of_day(center, timezone.localdate()):
        ticket_cancel(ticket=ticket)
    kiosk = device_create(center=center, kind=Device.Kind.KIOSK, name="bench kiosk")
    counters: list[tuple[int, str]] = []
    for counter in Counter.objects.filter(center=center, kind=Counter.Kind.GENERAL)[:WRITERS]:
        clerk = StaffProfile.objects.filter(counter=counter).select_related("user").first()
        if clerk is None:
            raise SystemExit(f"counter {counter.number} has no clerk in the demo data")
        state = CounterState.objects.filter(counter=counter).first()
        if state is not None and state.ticket_id is not None and state.staff is not None:
            ticket_finish(counter=counter, staff=state.staff)
        if state is not None and state.staff_id not in (None, clerk.user_id):
            CounterState.objects.filter(pk=state.pk).update(status="closed", staff=None)
        counter_sign_in(counter=counter, staff=clerk.user)
        token = device_create(
            center=center, kind=Device.Kind.COUNTER, name=f"bench {counter.number}", counter=counter
        )
        counters.append((counter.number, token))
    connections.close_all()
    return HallTokens(kiosk=kiosk, counters=counters)


class _Client:
    def __init__(self, host: str, port: int, token: str = "") -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, object] | None = None) -> tuple[int, bytes]:
        self.connection.request("POST", path, json.dumps(body or {}), self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


class _Window:
    """The timed part of a run: it opens when every thread has warmed up, and closes after
    `seconds`."""

    def __init__(self, threads: int, seconds: float) -> None:
        self.seconds = seconds
        self.started = 0.0
        self.deadline = 0.0
        self.barrier = threading.Barrier(threads, action=self._open)

    def _open(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds

    def wait_open(self) -> None:
        self.barrier.wait()

    def is_open(self) -> bool:
        return time.monotonic() < self.deadline


def writes_per_second(
    host: str, port: int, path: str, body: dict[str, object], token: str, seconds: float
) -> float:
    """Requests per second of WRITERS threads posting the same body for `seconds`."""
    counts = [0] * WRITERS
    failures: list[str] = []
    window = _Window(WRITERS, seconds)

    def post(client: _Client) -> bool:
        status, answer = client.post(path, body)
        if status >= 300:
            failures.append(f"{path} answered {status}: {answer[:200]!r}")
        return status < 300

    def work(index: int) -> None:
        client = _Client(host, port, token)
        warm = all(post(client) for _ in range(WARM_UP_REQUESTS))
        window.wait_open()
        while warm and window.is_open() and post(client):
            counts[index] += 1

    _run([threading.Thread(target=work, args=(index,)) for index in range(WRITERS)])
    if failures:
        raise SystemExit(failures[0])
    return sum(counts) / (time.monotonic() - window.started)


def calls_per_second(host: str, port: int, tokens: HallTokens, seconds: float) -> float:
    """Requests per second of counters calling the next ticket and finishing it, in turn."""
    counts = [0] * len(tokens.counters)
    failures: list[str] = []
    window = _Window(len(counts), seconds)

    def cycle(client: _Client, number: int) -> bool:
        status, answer = client.post(f"/api/v1/counters/{number}/call-next")
        if status != 200 or json.loads(answer)["ticket"] is None:
            failures.append(f"call-next at {number}: {status} {answer[:200]!r}")
            return False
        status, answer = client.post(f"/api/v1/counters/{number}/finish")
        if status != 200:
            failures.append(f"finish at {number}: {status} {answer[:200]!r}")
            return False
        return True

    def work(index: int) -> None:
        number, token = tokens.counters[index]
        client = _Client(host, port, token)
        warm = all(cycle(client, number) for _ in range(WARM_UP_REQUESTS // 2))
        window.wait_open()
        while warm and window.is_open() and cycle(client, number):
            counts[index] += 2

    _run([threading.Thread(target=work, args=(index,)) for index in range(len(counts))])
    if failures:
        raise SystemExit(failures[0])
    return sum(counts) / (time.monotonic() - window.started)
