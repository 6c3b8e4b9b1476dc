"""Cases under load: online submission with two uploads, and case reads, against their floors.

A submission is one `POST /api/v1/cases` (multipart: the application as JSON in `payload`, a
PDF and a PNG as `file` parts with their `spec`s, a fresh Idempotency-Key), as the site's form
and an API client send it. The same submission as three requests on one connection (the
application as JSON, then two `POST /api/v1/cases/{number}/materials`) is measured too, without
a target. The submissions are driven by WRITERS threads and compared with floors driven by the
same threads: the bare insert `POST /healthz/write` (one write request, as the hall's writes are
compared) and `GET /healthz`, which touches no database. The reads (the applicant's
`GET /api/v1/cases/{number}` and the public query by number and ID tail) are loaded with wrk by
bench.py and compared with wrk's `GET /healthz/read` (one row read by primary key through the
ORM) and `GET /healthz`.

The demo citizen's session is made in this process before gunicorn starts and sent as a cookie,
with a CSRF token in cookie and header as a browser would.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bench_hall import WRITERS

CENTER = "demo"
ITEM = "小餐饮经营许可证核发"
ID_NUMBER = "11010519491231002X"
BOUNDARY = "govhall-bench-boundary"
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class CitizenSession:
    cookie: str
    csrf_token: str
    item: str
    material_specs: tuple[int, int]
    number: str  # a submitted case to read

    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie, "X-CSRFToken": self.csrf_token}


def prepare() -> CitizenSession:
    """Log the demo citizen in and submit one case, for the reads."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.middleware.csrf import get_token
    from django.test import Client, RequestFactory

    from accounts.models import User
    from cases.services import Applicant, case_submit
    from catalog.models import ServiceItem

    citizen = User.objects.get(username="demo-citizen")
    item = ServiceItem.objects.published().get(center__slug=CENTER, name=ITEM)
    specs = list(item.materials.order_by("position").values_list("pk", flat=True)[:2])
    client = Client()
    client.force_login(citizen)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The unmasked secret is accepted in the header too; it sits in the cookie as Django sets it.
    csrf_secret = get_token(RequestFactory().get("/"))[:32]
    case, _created = case_submit(
        user=citizen,
        item=item,
        applicant=Applicant(kind="person", name="张三", id_number=ID_NUMBER),
        form_data={},
        idempotency_key=f"bench-read-{uuid.uuid4()}",
    )
    connections.close_all()
    return CitizenSession(
        cookie=(
            f"{settings.SESSION_COOKIE_NAME}={session_id}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
        ),
        csrf_token=csrf_secret,
        item=item.implementation_code,
        material_specs=(specs[0], specs[1]),
        number=case.number,
    )


def _part(name: str, value: bytes, filename: str = "", content_type: str = "") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"


def _multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[int, bytes]:
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    return response.status, response.read()


Step = Callable[[http.client.HTTPConnection], str]


def _drive(host: str, port: int, seconds: float, step: Step) -> float:
    """Steps per second of WRITERS threads, each repeating `step` on its own connection; a step
    answers what went wrong, or an empty string."""
    counts = [0] * WRITERS
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def work(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() < deadline:
            failure = step(connection)
            if failure:
                failures.append(failure)
                return
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(index,)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    return sum(counts) / (time.monotonic() - started)


def floor_per_second(host: str, port: int, seconds: float) -> float:
    """`GET /healthz` by the same threads that submit: the floor of the submissions."""

    def step(connection: http.client.HTTPConnection) -> str:
        status, answer = _request(connection, "GET", "/healthz", None, {})
        return "" if status == 200 else f"/healthz answered {status}: {answer[:200]!r}"

    return _drive(host, port, seconds, step)


def write_floor_per_second(host: str, port: int, seconds: float) -> float:
    """`POST /healthz/write` (one bare insert) by the same threads that submit."""

    def step(connection: http.client.HTTPConnection) -> str:
        status, answer = _request(connection, "POST", "/healthz/write", b"", {})
        return "" if status == 201 else f"/healthz/write answered {status}: {answer[:200]!r}"

    return _drive(host, port, seconds, step)


def heartbeat(host: str, port: int) -> int:
    """A heartbeat row for the read floor `/healthz/read?id=` to read."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    status, answer = _request(connection, "POST", "/healthz/write", b"", {})
    if status != 201:
        raise SystemExit(f"/healthz/write answered {status}: {answer[:200]!r}")
    beat: int = json.loads(answer)["id"]
    return beat


def submissions_per_second(
    host: str, port: int, session: CitizenSession, seconds: float, *, one_request: bool = True
) -> float:
    """Online submissions (the application, a PDF and a PNG) per second: in one multipart
    request, or (`one_request` false) as the application then one request per file."""
    files = [
        (session.material_specs[0], "application.pdf", "application/pdf", PDF),
        (session.material_specs[1], "id-card.png", "image/png", PNG),
    ]
    payload = json.dumps(
        {
            "item": session.item,
            "applicant_kind": "person",
            "applicant_name": "张三",
            "id_number": ID_NUMBER,
        }
    ).encode()
    json_headers = {**session.headers(), "Content-Type": "application/json"}
    multipart_headers = {
        **session.headers(),
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
    }
    application = _multipart(
        _part("payload", payload),
        *(
            part
            for spec, name, content_type, content in files
            for part in (_part("file", content, name, content_type), _part("spec", b"%d" % spec))
        ),
    )
    uploads = [
        _multipart(_part("spec", b"%d" % spec), _part("file", content, name, content_type))
        for spec, name, content_type, content in files
    ]

    def step(connection: http.client.HTTPConnection) -> str:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        if one_request:
            headers, body = {**multipart_headers, **key}, application
        else:
            headers, body = {**json_headers, **key}, payload
        status, answer = _request(connection, "POST", "/api/v1/cases", body, headers)
        if status != 201:
            return f"POST /api/v1/cases answered {status}: {answer[:300]!r}"
        if one_request:
            return ""
        path = f"/api/v1/cases/{json.loads(answer)['number']}/materials"
        for upload in uploads:
            status, answer = _request(connection, "POST", path, upload, multipart_headers)
            if status != 201:
                return f"POST {path} answered {status}: {answer[:300]!r}"
        return ""

    return _drive(host, port, seconds, step)
