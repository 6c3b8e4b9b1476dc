"""gunicorn killed with SIGKILL under concurrent writes and started again: every write a client
saw acknowledged is in the database afterwards and whole.

Kiosks take tickets; two counters call, finish and have each service rated on their pads;
citizens submit cases with two uploads in one request and, when the server did not answer, send
the same submission again with the same Idempotency-Key, as the site's form does.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models import Count

from audit.models import AuditEntry
from audit.selectors import chain_verify
from cases.models import Case, CaseEvent, CaseMaterial, CaseStatus
from hall.models import PadRating, Ticket, TicketEvent
from tests.crash.harness import HOST, Deployment, free_port

pytestmark = [pytest.mark.crash, pytest.mark.django_db(transaction=True)]

BOUNDARY = "crash-test-boundary"
PDF_HEAD = b"%PDF-1.4\n"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"
# Writes acknowledged before the kill, and after the restart, before the clients stop.
BEFORE_KILL = 12
AFTER_RESTART = 12
PHASE_SECONDS = 10.0


@dataclass
class Acknowledged:
    """What the server answered with a 2xx, as the clients recorded it."""

    tickets: dict[str, str] = field(default_factory=dict)  # access key: number
    calls: dict[str, int] = field(default_factory=dict)  # ticket key: counter number
    finished: set[str] = field(default_factory=set)  # ticket keys
    ratings: dict[int, int] = field(default_factory=dict)  # ticket id: level
    cases: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    submissions: dict[str, str] = field(default_factory=dict)  # idempotency key: case number
    refused: list[str] = field(default_factory=list)  # answers no client should get
    unanswered: int = 0  # requests cut off by the kill or refused while the server was down
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.tickets) + len(self.calls) + len(self.ratings) + len(self.cases)


class Http:
    """One client's requests, each on a new connection; None when the server is not there."""

    def __init__(self, port: int, headers: dict[str, str], acks: Acknowledged) -> None:
        self.port = port
        self.headers = headers
        self.acks = acks

    def __call__(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes] | None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body or None, {**self.headers, **(headers or {})})
            answer = connection.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException):
            with self.acks.lock:
                self.acks.unanswered += 1
            return None
        finally:
            connection.close()


def _multipart(fields: list[tuple[str, bytes, str]]) -> bytes:
    """Form parts (name, value, file name or "") in one multipart body."""
    parts = []
    for name, value, filename in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        parts.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        parts.append(value + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def kiosk(http: Http, acks: Acknowledged, stop: threading.Event) -> None:
    while not stop.is_set():
        answer = http("POST", "/api/v1/tickets", json.dumps({"category": "A"}).encode())
        if answer is None:
            time.sleep(0.05)
        elif answer[0] == 201:
            ticket = json.loads(answer[1])
            with acks.lock:
                acks.tickets[ticket["key"]] = ticket["number"]
        else:
            acks.refused.append(f"ticket: {answer[0]} {answer[1][:200]!r}")
        time.sleep(0.05)


def counter(
    http: Http, pad: Http, number: int, counter_id: int, acks: Acknowledged, stop: threading.Event
) -> None:
    """Call the next ticket, finish it, rate it on the pad; a counter found serving a ticket
    whose call was not answered before the crash finishes that one first."""
    base = f"/api/v1/counters/{number}"
    while not stop.is_set():
        answer = http("POST", f"{base}/call-next")
        if answer is None or answer[0] not in (200, 409):
            time.sleep(0.05)
            continue
        called_now = answer[0] == 200
        if not called_now:
            answer = http("GET", base)
            if answer is None or answer[0] != 200:
                continue
        ticket = json.loads(answer[1])["ticket"]
        if ticket is None:
            time.sleep(0.1)
            continue
        if called_now:
            with acks.lock:
                acks.calls[ticket["key"]] = number
        answer = http("POST", f"{base}/finish")
        if answer is None or answer[0] != 200:
            continue
        with acks.lock:
            acks.finished.add(ticket["key"])
        answer = pad("GET", f"/hall/pad/{counter_id}/state/")
        if answer is None or answer[0] != 200 or json.loads(answer[1])["ticket"] is None:
            continue
        ticket_id = json.loads(answer[1])["ticket"]["id"]
        level = random.randint(1, 5)
        body = f"ticket={ticket_id}&level={level}".encode()
        answer = pad(
            "POST",
            f"/hall/pad/{counter_id}/rate/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer is not None and answer[0] == 201:
            with acks.lock:
                acks.ratings[ticket_id] = level


def citizen(http: Http, world: dict[str, Any], acks: Acknowledged, stop: threading.Event) -> None:
    """Submit cases with a PDF and a PNG of a few hundred kilobytes; send a submission that got
    no answer again, with its key, until it is answered."""
    payload = json.dumps(
        {
            "item": world["item"],
            "applicant_kind": "person",
            "applicant_name": "张小三",
            "id_number": world["id_number"],
        }
    ).encode()
    while not stop.is_set():
        key = str(uuid.uuid4())
        files = {
            "licence.pdf": PDF_HEAD + random.randbytes(random.randint(50_000, 400_000)),
            "photo.png": PNG_HEAD + random.randbytes(random.randint(20_000, 200_000)),
        }
        body = _multipart(
            [
                ("payload", payload, ""),
                *[("file", content, name) for name, content in files.items()],
                *[("spec", str(spec).encode(), "") for spec in world["specs"]],
            ]
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Idempotency-Key": key,
        }
        answer = http("POST", "/api/v1/cases", body, headers)
        while answer is None and not stop.is_set():  # no answer: the same submission again
            time.sleep(0.1)
            answer = http("POST", "/api/v1/cases", body, headers)
        if answer is None:
            return
        if answer[0] not in (200, 201):
            acks.refused.append(f"case: {answer[0]} {answer[1][:200]!r}")
            continue
        number = json.loads(answer[1])["number"]
        with acks.lock:
            acks.submissions[key] = number
            acks.cases[number] = {
                name: (len(content), hashlib.sha256(content).hexdigest())
                for name, content in files.items()
            }


def _wait(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_acknowledged_writes_survive_a_killed_server(installed: Deployment) -> None:
    world = installed.seed()
    port = free_port()
    server = installed.start_web(port)
    acks = Acknowledged()
    stop = threading.Event()
    citizen_http = Http(port, {"Cookie": world["cookie"], "X-CSRFToken": world["csrf"]}, acks)
    kiosk_http = Http(
        port,
        {"Authorization": f"Bearer {world['kiosk']}", "Content-Type": "application/json"},
        acks,
    )
    clients = [
        threading.Thread(target=kiosk, args=(kiosk_http, acks, stop), daemon=True) for _ in range(2)
    ]
    for terminal in world["counters"]:
        counter_http = Http(port, {"Authorization": f"Bearer {terminal['token']}"}, acks)
        pad_http = Http(
            port,
            {
                "Cookie": f"govhall_device={terminal['token']}; csrftoken={world['csrf']}",
                "X-CSRFToken": world["csrf"],
            },
            acks,
        )
        clients.append(
            threading.Thread(
                target=counter,
                args=(counter_http, pad_http, terminal["number"], terminal["id"], acks, stop),
                daemon=True,
            )
        )
    clients += [
        threading.Thread(target=citizen, args=(citizen_http, world, acks, stop), daemon=True)
        for _ in range(2)
    ]
    for client in clients:
        client.start()
    try:
        _wait(lambda: acks.count() >= BEFORE_KILL and len(acks.cases) >= 2, PHASE_SECONDS)
        installed.kill(server)
        before_restart = acks.count()
        installed.start_web(port)
        _wait(lambda: acks.count() >= before_restart + AFTER_RESTART, PHASE_SECONDS)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    for process in installed.processes:
        installed.kill(process)

    assert not acks.refused
    assert acks.unanswered > 0
    assert acks.count() >= BEFORE_KILL + AFTER_RESTART
    assert acks.tickets and acks.calls and acks.ratings and acks.cases
    with installed.orm():
        _tickets_are_whole(acks)
        _cases_are_whole(acks)
        report = chain_verify()
        assert report.broken is None, report.broken
        received = set(
            AuditEntry.objects.filter(action="case.received").values_list("target_id", flat=True)
        )
        assert set(Case.objects.values_list("number", flat=True)) <= received


def _tickets_are_whole(acks: Acknowledged) -> None:
    tickets = {ticket.access_key: ticket for ticket in Ticket.objects.select_related("counter")}
    assert {key: tickets[key].number for key in acks.tickets if key in tickets} == acks.tickets
    duplicates = (
        Ticket.objects.values("center", "service_date", "number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    called = set(
        TicketEvent.objects.filter(kind=TicketEvent.Kind.CALLED).values_list(
            "ticket__access_key", "counter__number"
        )
    )
    for key, number in acks.calls.items():
        assert tickets[key].called_at is not None
        serving = tickets[key].counter
        assert serving is not None and serving.number == number
        assert (key, number) in called
    for key in acks.finished:
        assert tickets[key].status == Ticket.Status.DONE
    # Every ticket in the database, acknowledged or not, has its issue event: none half made.
    assert not Ticket.objects.exclude(events__kind=TicketEvent.Kind.ISSUED).exists()
    assert dict(PadRating.objects.values_list("ticket_id", "level")).items() >= acks.ratings.items()


def _cases_are_whole(acks: Acknowledged) -> None:
    cases = {case.number: case for case in Case.objects.all()}
    assert set(acks.cases) <= set(cases)
    per_key = Case.objects.values("idempotency_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert not per_key.exists()
    for key, number in acks.submissions.items():
        assert cases[number].idempotency_key == key
    received = set(
        CaseEvent.objects.filter(to_status=CaseStatus.RECEIVED).values_list("case_id", flat=True)
    )
    materials: dict[int, list[CaseMaterial]] = {}
    for material in CaseMaterial.objects.all():
        materials.setdefault(material.case_id, []).append(material)
    # Every case in the database, acknowledged or not: its event, its two files, each whole.
    for case in cases.values():
        assert case.pk in received
        assert len(materials.get(case.pk, [])) == 2, case.number
        for material in materials[case.pk]:
            content = material.file.read()
            material.file.close()
            assert (len(content), hashlib.sha256(content).hexdigest()) == (
                material.size,
                material.sha256,
            )
    for number, files in acks.cases.items():
        stored = {(m.size, m.sha256) for m in materials[cases[number].pk]}
        assert stored == set(files.values())
