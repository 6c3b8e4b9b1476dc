"""`make loadtest`: the reference center's peak day replayed in a few minutes against gunicorn.

The day's 4,000 visitors (drawn by `hall.simulation.visitors_draw`, the model of
`govhall simulate_day`) arrive on the day's own curve, time-lapsed from 9:00-17:30 into
LOADTEST_SECONDS (default 300: 102 times real speed). A fifth book the slot they come in (SMS
code, slots, booking) and check in at a kiosk; the others take a ticket at a kiosk or, one in
ten, on their phone. The 116 counters call, serve (their service times time-lapsed too), recall
and mark no-shows missed, and finish; nine visitors in ten then rate on the counter's pad. Around
them, every device polls at its own real interval (the intervals of the pages' scripts): 4 hall
screens (1 s) and 116 counter screens (2 s), the 120 displays; 116 pads (2 s); 500 phones
following the latest tickets (4 s), each opening the ticket's page first. Over the same minutes
300 online applications (one multipart request with two files, from 30 citizens' sessions) and
2,000 public case queries. LOADTEST_SCALE shrinks every volume except the counters.

The load is open: visitors, devices, applications and queries fire at their scheduled times from
a thread pool, whatever the server's answers (a late start is measured as lag); only a counter
waits for its own answers, as a clerk does. Each request is a new connection, as gunicorn's sync
workers close them anyway. Every answer with another status than expected, and every exception,
is an error. After the run the database is read back: every ticket, booking, call, rating and
case the clients saw acknowledged must be there, in the state acknowledged.

Per database (LOADTEST_DB=sqlite|postgres|both, default both) a fresh deployment is made:
SQLite under var/loadtest/sqlite (embedded: SQLite Huey, file cache); PostgreSQL in the
throw-away database `govhall_loadtest` (created, then dropped) with Redis (LOADTEST_REDIS_URL,
a database number that is flushed) for cache, sessions and Huey. Each gets the demo center and
LOADTEST_HISTORY_CASES (default 20,000) cases of history (`govhall seed_history`), gunicorn with
2 sync workers on 127.0.0.1 and one Huey consumer. Table and index sizes are read before and
after the history and the run. Results: a table per database on stdout and
var/loadtest/<db>-<time>.json.
"""

from __future__ import annotations

import datetime as dt
import heapq
import http.client
import itertools
import json
import math
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import HOST, free_port, wait_until_up
from bench_cases import ITEM, PDF, PNG
from urllib3 import encode_multipart_formdata

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "loadtest"
GOVHALL = str(ROOT / ".venv" / "bin" / "govhall")
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

SECONDS = float(os.environ.get("LOADTEST_SECONDS", "300"))
SCALE = float(os.environ.get("LOADTEST_SCALE", "1"))
THREADS = int(os.environ.get("LOADTEST_THREADS", "200"))
HISTORY_CASES = int(os.environ.get("LOADTEST_HISTORY_CASES", "20000"))
POSTGRES_URL = os.environ.get(
    "LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/govhall_loadtest"
)
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15")

VISITORS = round(4000 * SCALE)
PHONES = round(500 * SCALE)
APPLICATIONS = round(300 * SCALE)
QUERIES = round(2000 * SCALE)
HALL_SCREENS = 4
COUNTER_DEVICES = max(1, round(116 * SCALE))  # counter screens and pads that poll
KIOSKS = 4
CITIZENS = 30
QUERY_CASES = 50  # cases submitted before the run, so queries have something to find at once
REMOTE_SHARE = 0.1  # visitors who take their ticket on the phone (the virtual queue)
# The pages' own polling intervals (display.js, counter.js, pad.js, ticket.js), in seconds.
DISPLAY_POLL, COUNTER_SCREEN_POLL, PAD_POLL, PHONE_POLL = 1.0, 2.0, 2.0, 4.0
IDLE_CALL_SECONDS = 15.0  # a clerk with nobody waiting calls when someone comes, or after this
TIMEOUT_SECONDS = 60
# Requests still waiting for a free client thread this long after the end are not sent: the
# run stays bounded when the server falls behind (they are counted as not sent).
GRACE_SECONDS = 60
SEED = 9
DAY_SECONDS = (17 * 60 + 30 - 9 * 60) * 60  # the opening hours that the run time-lapses
SPEED = DAY_SECONDS / SECONDS


# --- Measuring -----------------------------------------------------------------------------


class Recorder:
    """Latencies and errors per endpoint, and how late the scheduled requests started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.lags: list[float] = []

    def record(self, name: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            if error:
                self.errors[name] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{name}: {error}")

    def lag(self, seconds: float) -> None:
        with self.lock:
            self.lags.append(seconds)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Http:
    """One request per connection to the server under test, recorded under a name."""

    def __init__(self, port: int, recorder: Recorder) -> None:
        self.port = port
        self.recorder = recorder

    def __call__(
        self,
        name: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
        source: str = "",
    ) -> bytes | None:
        """The answer's body if its status is `expect`; None (and an error recorded) if not."""
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(
                HOST,
                self.port,
                timeout=TIMEOUT_SECONDS,
                source_address=(source, 0) if source else None,
            )
            try:
                connection.request(method, path, body, headers or {})
                response = connection.getresponse()
                answer = response.read()
            finally:
                connection.close()
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.record(name, time.monotonic() - started, f"{type(exc).__name__}: {exc}")
            return None
        elapsed = time.monotonic() - started
        if response.status != expect:
            self.recorder.record(name, elapsed, f"{response.status} {answer[:300]!r}")
            return None
        self.recorder.record(name, elapsed)
        return answer


class Schedule:
    """Runs callables at their times (seconds after the start) on a thread pool; nothing due
    after `end` runs."""

    def __init__(self, end: float, recorder: Recorder) -> None:
        self.end = end
        self.recorder = recorder
        self.heap: list[tuple[float, int, Callable[[], None]]] = []
        self.counter = itertools.count()
        self.condition = threading.Condition()
        self.started = time.monotonic()
        self.unsent = 0

    def now(self) -> float:
        return time.monotonic() - self.started

    def at(self, when: float, action: Callable[[], None]) -> None:
        if when > self.end:
            return
        with self.condition:
            heapq.heappush(self.heap, (when, next(self.counter), action))
            self.condition.notify()

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        self.at(self.now() + seconds, action)

    def every(self, interval: float, first: float, action: Callable[[], None]) -> None:
        """`action` at first, first + interval, …: on the clock, however long each one takes."""

        def tick(when: float) -> None:
            self.at(when + interval, lambda: tick(when + interval))
            action()

        self.at(first, lambda: tick(first))

    def run(self) -> None:
        """Until nothing is due and nothing runs that could schedule more."""
        running = 0

        def started(due: float, action: Callable[[], None]) -> None:
            nonlocal running
            self.recorder.lag(self.now() - due)
            try:
                action()
            finally:
                with self.condition:
                    running -= 1
                    self.condition.notify()

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            while True:
                with self.condition:
                    if not self.heap:
                        if running == 0:
                            return
                        self.condition.wait(0.05)
                        continue
                    due, _order, action = self.heap[0]
                    wait = due - self.now()
                    if wait > 0:
                        self.condition.wait(min(wait, 0.05))
                        continue
                    heapq.heappop(self.heap)
                    if self.now() > self.end + GRACE_SECONDS:
                        self.unsent += 1
                        continue
                    running += 1
                pool.submit(started, due, action)


# --- The deployment under test --------------------------------------------------------------


@dataclass
class Deployment:
    database: str  # sqlite or postgres
    data_dir: Path
    env: dict[str, str]

    def govhall(self, *args: str) -> None:
        subprocess.run([GOVHALL, *args], check=True, env=self.env, cwd=ROOT)


def deployment(database: str) -> Deployment:
    data_dir = OUT / database
    env = {
        **os.environ,
        "GOVHALL_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECRET_KEY": "loadtest-only-" + secrets.token_hex(24),
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
        env["REDIS_URL"] = REDIS_URL
    return Deployment(database=database, data_dir=data_dir, env=env)


def _postgres_database(action: str) -> None:
    """CREATE or DROP the throw-away database of POSTGRES_URL, from the server's `postgres`."""
    import psycopg
    from psycopg import sql

    url = urlsplit(POSTGRES_URL)
    name = sql.Identifier(url.path.lstrip("/"))
    statement = {
        "create": sql.SQL("CREATE DATABASE {}").format(name),
        "drop": sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name),
    }[action]
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(statement)


def reset(target: Deployment) -> None:
    """A fresh, empty deployment: data directory, and on PostgreSQL its database and Redis."""
    shutil.rmtree(target.data_dir, ignore_errors=True)
    target.data_dir.mkdir(parents=True)
    if target.database == "postgres":
        import redis

        _postgres_database("drop")
        _postgres_database("create")
        redis.Redis.from_url(REDIS_URL).flushdb()


def redis_usage(target: Deployment) -> dict[str, int]:
    """Keys and bytes in the Redis database of a PostgreSQL run (sessions, cache, Huey)."""
    if target.database != "postgres":
        return {}
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(count=1000))
    return {"keys": len(keys), "bytes": sum(client.memory_usage(key) or 0 for key in keys)}


def drop(target: Deployment) -> None:
    if target.database == "postgres":
        _postgres_database("drop")


def start_servers(target: Deployment, port: int) -> list[subprocess.Popen[bytes]]:
    """gunicorn (2 sync workers; deploy/gunicorn.conf.py when present, the flags overriding its
    binding and workers) and one Huey consumer, logging under the data directory."""
    config = ["-c", str(GUNICORN_CONF)] if GUNICORN_CONF.exists() else []
    web_log = (target.data_dir / "gunicorn.log").open("ab")
    worker_log = (target.data_dir / "huey.log").open("ab")
    web = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            *config,
            "govhall.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
        ],
        env=target.env,
        cwd=ROOT,
        stdout=web_log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [GOVHALL, "run_huey"],
        env=target.env,
        cwd=ROOT,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    return [web, worker]


def stop_servers(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """CPU time of a process (user + system, all threads); with `children`, also of its
    children reaped (gunicorn's restarted workers) and of those alive (its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(path: Path) -> list[str]:
        # The command name, in parentheses, may hold spaces: split after it.
        return path.read_text().rsplit(")", 1)[1].split()

    own = fields(Path(f"/proc/{pid}/stat"))
    total = int(own[11]) + int(own[12])  # utime, stime
    if children:
        total += int(own[13]) + int(own[14])  # cutime, cstime
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                other = fields(stat)
            except OSError:
                continue
            if int(other[1]) == pid:  # ppid
                total += int(other[11]) + int(other[12])
    return total / ticks


def log_problems(target: Deployment) -> dict[str, int]:
    """Lines of the server logs that tell of a failure the clients may not have seen."""
    patterns = {
        "worker timeouts": "WORKER TIMEOUT",
        "tracebacks": "Traceback",
        "database locked": "database is locked",
    }
    found = dict.fromkeys(patterns, 0)
    for log in ("gunicorn.log", "huey.log"):
        for line in (target.data_dir / log).read_text(errors="replace").splitlines():
            for label, text in patterns.items():
                found[label] += text in line
    return found


# The access log of deploy/gunicorn.conf.py ends each line with the time the worker took.
ACCESS_LINE = re.compile(r'"(GET|POST) ([^ ?"]+)[^"]*" (\d{3}) .* (\d+)ms$')
ROUTES = (
    (re.compile(r"^/api/v1/counters/\d+/"), "/api/v1/counters/{n}/"),
    (re.compile(r"^/hall/(pad|counter-screen)/\d+/"), r"/hall/\1/{id}/"),
    (re.compile(r"^/api/v1/tickets/[^/]+$"), "/api/v1/tickets/{key}"),
    (re.compile(r"^/hall/t/[^/]+/$"), "/hall/t/{key}/"),
    (
        re.compile(r"^/api/v1/appointments/[A-Z0-9]+/check-in$"),
        "/api/v1/appointments/{code}/check-in",
    ),
)


def server_times(target: Deployment) -> list[dict[str, Any]]:
    """Per endpoint, the time gunicorn's worker took (from its access log, when it keeps one):
    the latency without the wait for a free worker."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in (target.data_dir / "gunicorn.log").read_text(errors="replace").splitlines():
        found = ACCESS_LINE.search(line)
        if found is None or found.group(2).startswith("/healthz"):
            continue
        path = found.group(2)
        for pattern, route in ROUTES:
            path = pattern.sub(route, path)
        times[f"{found.group(1)} {path}"].append(int(found.group(4)) / 1000)
    return [
        {
            "endpoint": name,
            "count": len(values),
            "p50 ms": round(1000 * percentile(values, 0.5)),
            "p95 ms": round(1000 * percentile(values, 0.95)),
            "p99 ms": round(1000 * percentile(values, 0.99)),
        }
        for name, values in sorted(times.items())
    ]


# --- Sizes -----------------------------------------------------------------------------------


def table_sizes() -> dict[str, int]:
    """Bytes of each table with its indexes (and TOAST on PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'r' AND n.nspname = 'public'"
            )
        else:
            cursor.execute(
                "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s"
                " JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
        return {str(name): int(size) for name, size in cursor.fetchall()}


COUNTED_TABLES = (
    "hall_ticket",
    "hall_ticketevent",
    "hall_appointment",
    "hall_padrating",
    "cases_case",
    "cases_caseevent",
    "cases_casestage",
    "cases_casematerial",
    "audit_auditentry",
    "accounts_message",
)


def row_counts() -> dict[str, int]:
    """Rows of the tables that grow with visitors and cases, to turn bytes into bytes a row."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in COUNTED_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        row = cursor.fetchone()
    return int(row[0])


def files_bytes(data_dir: Path) -> int:
    """Bytes of the uploaded files (media)."""
    media = data_dir / "media"
    return sum(path.stat().st_size for path in media.rglob("*") if path.is_file())


def size_delta(before: dict[str, int], after: dict[str, int], prefixes: tuple[str, ...]) -> int:
    return sum(
        after.get(name, 0) - before.get(name, 0)
        for name in after.keys() | before.keys()
        if name.startswith(prefixes)
    )


def top_growth(before: dict[str, int], after: dict[str, int], count: int = 12) -> dict[str, int]:
    growth = {name: after[name] - before.get(name, 0) for name in after}
    growth = {name: size for name, size in growth.items() if size}
    return dict(sorted(growth.items(), key=lambda item: -item[1])[:count])


# --- The plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterDevice:
    number: int
    pk: int
    letters: frozenset[str]
    token: str


@dataclass
class Plan:
    """What the clients need: tokens, sessions, the visitors, the day's facts."""

    center: str
    today: str
    cookies: dict[str, str]  # the session, CSRF and device cookies' names
    kiosks: list[str]
    counters: list[CounterDevice]
    citizens: list[str]  # session cookies
    csrf: str
    item: str
    specs: tuple[int, int]
    queryable: list[tuple[str, str]]  # case number, ID tail
    visitors: list[Any]  # hall.simulation.Visitor


def resident_id(index: int) -> str:
    """A valid, distinct made-up resident ID per index (Beijing Dongcheng)."""
    from govhall.identifiers import resident_id_with_check

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=index // 1000)
    return resident_id_with_check(f"110101{birth:%Y%m%d}{index % 1000:03d}")


def prepare() -> Plan:
    """Open the hall for the run and register its devices; citizens' sessions; some cases."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from cases.services import Applicant, case_submit
    from catalog.models import Center, Counter, ServiceItem, StaffProfile
    from hall.auth import device_create
    from hall.models import Device, HallPolicy
    from hall.services.tickets import counter_sign_in, policy_for
    from hall.simulation import CATEGORY_PROFILES, visitors_draw
    from hall.views_screens import DEVICE_COOKIE

    center = Center.objects.get(slug="demo")
    policy_for(center)
    # The run may fall at any hour and books today's next slot for a whole compressed day: the
    # hall is open from midnight to the last half hour before the next, and a slot holds each
    # counter's 30 one-minute services.
    HallPolicy.objects.filter(center=center).update(
        morning_opens=dt.time(0, 0),
        morning_closes=dt.time(12, 0),
        afternoon_opens=dt.time(12, 0),
        afternoon_closes=dt.time(23, 59),
        average_service_minutes=1,
    )
    kiosks = [
        device_create(center=center, kind=Device.Kind.KIOSK, name=f"loadtest kiosk {index}")
        for index in range(KIOSKS)
    ]
    counters = []
    for counter in Counter.objects.filter(center=center).prefetch_related("categories"):
        clerk = StaffProfile.objects.filter(counter=counter).select_related("user").first()
        if clerk is None:
            raise SystemExit(f"counter {counter.number} has no clerk in the demo data")
        counter_sign_in(counter=counter, staff=clerk.user)
        token = device_create(
            center=center,
            kind=Device.Kind.COUNTER,
            name=f"loadtest {counter.number}",
            counter=counter,
        )
        letters = frozenset(category.letter for category in counter.categories.all())
        counters.append(CounterDevice(counter.number, counter.pk, letters, token))
    citizen_group = Group.objects.get(name=Role.CITIZEN.value)
    citizens = []
    for index in range(CITIZENS):
        user = User.objects.create_user(username=f"loadtest-citizen-{index}", full_name="压测群众")
        user.groups.add(citizen_group)
        client = Client()
        client.force_login(user)
        citizens.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    item = ServiceItem.objects.published().get(center=center, name=ITEM)
    specs = list(item.materials.order_by("position").values_list("pk", flat=True)[:2])
    queryable = []
    for index in range(QUERY_CASES):
        id_number = resident_id(900_000 + index)
        case, _created = case_submit(
            user=User.objects.get(username=f"loadtest-citizen-{index % CITIZENS}"),
            item=item,
            applicant=Applicant(kind="person", name="李四", id_number=id_number),
            form_data={},
            idempotency_key=f"loadtest-seed-{index}",
        )
        queryable.append((case.number, id_number[-4:]))
    visitors = visitors_draw(VISITORS, SEED, {letter: [("-", 1.0)] for letter in CATEGORY_PROFILES})
    connections.close_all()
    return Plan(
        center=center.slug,
        today=timezone.localdate().isoformat(),
        cookies={
            "session": settings.SESSION_COOKIE_NAME,
            "csrf": settings.CSRF_COOKIE_NAME,
            "device": DEVICE_COOKIE,
        },
        kiosks=kiosks,
        counters=counters,
        citizens=citizens,
        csrf=secrets.token_hex(16),
        item=item.implementation_code,
        specs=(specs[0], specs[1]),
        queryable=queryable,
        visitors=visitors,
    )


# --- The scenario ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the clients saw acknowledged, to be found in the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tickets: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    missed: set[str] = field(default_factory=set)
    rated: set[str] = field(default_factory=set)
    appointments: set[str] = field(default_factory=set)
    checked_in: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)

    def add(self, name: str, value: str) -> None:
        with self.lock:
            getattr(self, name).add(value)


class Scenario:
    """The clients of the hall and of the online service, on one schedule."""

    def __init__(self, plan: Plan, http: Http, schedule: Schedule) -> None:
        self.plan = plan
        self.http = http
        self.schedule = schedule
        self.outcome = Outcome()
        self.rng = random.Random(SEED)
        self.lock = threading.Lock()
        self.visitor_of: dict[str, Any] = {}
        self.phone_tickets: list[str | None] = [None] * PHONES
        self.issued = itertools.count()
        self.remote = itertools.count()
        self.applications = itertools.count()
        self.queryable = list(plan.queryable)
        self.idle: set[int] = set()  # numbers of the counters with nobody to call

    # Times of the day --------------------------------------------------------------------

    @staticmethod
    def run_time(minute: float) -> float:
        """Seconds into the run of a minute of the day (9:00 is 0)."""
        return (minute - 9 * 60) * 60 / SPEED

    @staticmethod
    def lapse(minutes: float) -> float:
        return minutes * 60 / SPEED

    # Visitors ----------------------------------------------------------------------------

    def start(self) -> None:
        for visitor in self.plan.visitors:
            arrival = self.run_time(visitor.arrival)
            if visitor.appointment:
                booked = max(0.0, arrival - self.rng.uniform(5, 30))
                self.schedule.at(booked, partial(self.book, visitor, arrival))
            else:
                self.schedule.at(arrival, partial(self.take_ticket, visitor, None))
        for counter in self.plan.counters:
            self.rest(counter)
        for screen in range(HALL_SCREENS):
            self.schedule.every(DISPLAY_POLL, screen / HALL_SCREENS, self.display)
        for counter in self.plan.counters[:COUNTER_DEVICES]:
            offset = self.rng.uniform(0, COUNTER_SCREEN_POLL)
            self.schedule.every(COUNTER_SCREEN_POLL, offset, partial(self.screen, counter))
            offset = self.rng.uniform(0, PAD_POLL)
            self.schedule.every(PAD_POLL, offset, partial(self.pad_state, counter))
        for phone in range(PHONES):
            offset = self.rng.uniform(0, PHONE_POLL)
            self.schedule.every(PHONE_POLL, offset, partial(self.phone_poll, phone))
        for _index in range(APPLICATIONS):
            self.schedule.at(self.rng.uniform(0, SECONDS), self.apply)
        for _index in range(QUERIES):
            self.schedule.at(self.rng.uniform(0, SECONDS), self.query)

    def book(self, visitor: Any, arrival: float) -> None:
        """SMS code, today's slots, the booking; then the check-in at arrival. A failed step
        makes the visitor a walk-in (the error is counted)."""
        mobile = f"139{visitor.index:08d}"
        code = self._booking(visitor, mobile)
        if code is None:
            self.schedule.at(
                max(arrival, self.schedule.now()), lambda: self.take_ticket(visitor, None)
            )
            return
        self.schedule.at(max(arrival, self.schedule.now()), lambda: self.take_ticket(visitor, code))

    def _booking(self, visitor: Any, mobile: str) -> str | None:
        from django.utils import timezone

        json_headers = {"Content-Type": "application/json"}
        sent = self.http(
            "POST /api/v1/appointments/verification-code",
            "POST",
            "/api/v1/appointments/verification-code",
            body=json.dumps({"mobile": mobile}).encode(),
            headers=json_headers,
            expect=202,
        )
        sms = sms_code(mobile) if sent is not None else None
        query = urlencode({"category": visitor.letter, "date": self.plan.today, "center": "demo"})
        answer = self.http(
            "GET /api/v1/appointments/slots", "GET", f"/api/v1/appointments/slots?{query}"
        )
        if sms is None or answer is None:
            return None
        soon = (timezone.localtime() + dt.timedelta(minutes=1)).time()
        slot = next(
            (
                slot["start"]
                for slot in json.loads(answer)["slots"]
                if slot["available"] > 0 and dt.time.fromisoformat(slot["start"]) > soon
            ),
            None,
        )
        if slot is None:
            self.http.recorder.record("POST /api/v1/appointments", 0.0, "no free slot today")
            return None
        booking = {
            "category": visitor.letter,
            "center": self.plan.center,
            "date": self.plan.today,
            "slot_start": slot,
            "name": "预约访客",
            "id_number": resident_id(visitor.index),
            "mobile": mobile,
            "verification_code": sms,
        }
        answer = self.http(
            "POST /api/v1/appointments",
            "POST",
            "/api/v1/appointments",
            body=json.dumps(booking).encode(),
            headers=json_headers,
            expect=201,
        )
        if answer is None:
            return None
        code: str = json.loads(answer)["code"]
        self.outcome.add("appointments", code)
        return code

    def take_ticket(self, visitor: Any, booking: str | None) -> None:
        kiosk = {"Authorization": f"Bearer {self.plan.kiosks[visitor.index % KIOSKS]}"}
        if booking is not None:
            answer = self.http(
                "POST /api/v1/appointments/{code}/check-in",
                "POST",
                f"/api/v1/appointments/{booking}/check-in",
                headers=kiosk,
            )
            if answer is not None:
                self.outcome.add("checked_in", booking)
        else:
            body = json.dumps(
                {
                    "category": visitor.letter,
                    "center": self.plan.center,
                    "priority_group": visitor.priority_group,
                }
            ).encode()
            headers = {"Content-Type": "application/json"}
            source = ""
            name = "POST /api/v1/tickets (kiosk)"
            if self.rng.random() < REMOTE_SHARE:
                from hall.services.tickets import REMOTE_TICKETS_PER_HOUR

                # Phones come from many addresses, each within the hourly limit of remote tickets.
                phone = next(self.remote) // REMOTE_TICKETS_PER_HOUR
                source = f"127.0.{1 + phone // 250}.{1 + phone % 250}"
                name = "POST /api/v1/tickets (phone)"
            else:
                headers.update(kiosk)
            answer = self.http(
                name,
                "POST",
                "/api/v1/tickets",
                body=body,
                headers=headers,
                expect=201,
                source=source,
            )
        if answer is None:
            return
        key: str = json.loads(answer)["key"]
        with self.lock:
            self.visitor_of[key] = visitor
        self.outcome.add("tickets", key)
        self.ticket_taken(visitor.letter)
        if PHONES:
            self.phone_tickets[next(self.issued) % PHONES] = key
            self.http("GET /hall/t/{key}/ (phone page)", "GET", f"/hall/t/{key}/")

    # Counters ----------------------------------------------------------------------------

    def _act(self, counter: CounterDevice, action: str) -> dict[str, Any] | None:
        answer = self.http(
            f"POST /api/v1/counters/{{n}}/{action}",
            "POST",
            f"/api/v1/counters/{counter.number}/{action}",
            headers={"Authorization": f"Bearer {counter.token}"},
        )
        return None if answer is None else dict(json.loads(answer))

    def call(self, counter: CounterDevice) -> None:
        state = self._act(counter, "call-next")
        ticket = state["ticket"] if state is not None else None
        if ticket is None:
            self.rest(counter)
            return
        key: str = ticket["key"]
        with self.lock:
            visitor = self.visitor_of.get(key)
        if visitor is not None and visitor.no_show:
            self.schedule.after(self.lapse(1.0), lambda: self.recall(counter, key))
            return
        occupancy = visitor.occupancy if visitor is not None else 8.0
        self.schedule.after(self.lapse(occupancy), lambda: self.finish(counter, key, visitor))

    def rest(self, counter: CounterDevice) -> None:
        """Nobody waits for this counter: as its workstation shows the queues, the clerk calls
        when a ticket of them is taken, or after IDLE_CALL_SECONDS at the latest."""
        with self.lock:
            self.idle.add(counter.number)
        self.schedule.after(IDLE_CALL_SECONDS, partial(self.wake, counter))

    def wake(self, counter: CounterDevice) -> None:
        with self.lock:
            if counter.number not in self.idle:
                return
            self.idle.discard(counter.number)
        self.call(counter)

    def ticket_taken(self, letter: str) -> None:
        with self.lock:
            idle = [c for c in self.plan.counters if c.number in self.idle and letter in c.letters]
        if idle:
            self.schedule.after(0, partial(self.wake, self.rng.choice(idle)))

    def recall(self, counter: CounterDevice, key: str) -> None:
        if self._act(counter, "recall") is None:
            self.call(counter)
            return
        self.schedule.after(self.lapse(1.0), lambda: self.mark_missed(counter, key))

    def mark_missed(self, counter: CounterDevice, key: str) -> None:
        if self._act(counter, "missed") is not None:
            self.outcome.add("missed", key)
        self.call(counter)

    def finish(self, counter: CounterDevice, key: str, visitor: Any) -> None:
        if self._act(counter, "finish") is not None:
            self.outcome.add("finished", key)
            if visitor is not None and visitor.rating is not None:
                self.rate(counter, key, visitor.rating)
        self.call(counter)

    def _device_headers(self, counter: CounterDevice) -> dict[str, str]:
        cookies = self.plan.cookies
        return {
            "Cookie": f"{cookies['device']}={counter.token}; {cookies['csrf']}={self.plan.csrf}"
        }

    def rate(self, counter: CounterDevice, key: str, level: int) -> None:
        """The pad shows the service just finished; the visitor touches a level."""
        answer = self.http(
            "GET /hall/pad/{id}/state/",
            "GET",
            f"/hall/pad/{counter.pk}/state/",
            headers=self._device_headers(counter),
        )
        ticket = json.loads(answer)["ticket"] if answer is not None else None
        if ticket is None:
            self.http.recorder.record("POST /hall/pad/{id}/rate/", 0.0, "the pad showed nothing")
            return
        answer = self.http(
            "POST /hall/pad/{id}/rate/",
            "POST",
            f"/hall/pad/{counter.pk}/rate/",
            body=urlencode({"ticket": ticket["id"], "level": level}).encode(),
            headers={
                **self._device_headers(counter),
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.plan.csrf,
            },
            expect=201,
        )
        if answer is not None:
            self.outcome.add("rated", key)

    # Devices -----------------------------------------------------------------------------

    def display(self) -> None:
        self.http(
            "GET /api/v1/hall/display", "GET", f"/api/v1/hall/display?center={self.plan.center}"
        )

    def screen(self, counter: CounterDevice) -> None:
        self.http(
            "GET /hall/counter-screen/{id}/state/",
            "GET",
            f"/hall/counter-screen/{counter.pk}/state/",
            headers=self._device_headers(counter),
        )

    def pad_state(self, counter: CounterDevice) -> None:
        self.http(
            "GET /hall/pad/{id}/state/",
            "GET",
            f"/hall/pad/{counter.pk}/state/",
            headers=self._device_headers(counter),
        )

    def phone_poll(self, phone: int) -> None:
        key = self.phone_tickets[phone]
        if key is not None:
            self.http("GET /api/v1/tickets/{key}", "GET", f"/api/v1/tickets/{key}")

    # Cases -------------------------------------------------------------------------------

    def apply(self) -> None:
        index = next(self.applications) + 1_000_000
        id_number = resident_id(index)
        payload = {
            "item": self.plan.item,
            "applicant_kind": "person",
            "applicant_name": "王五",
            "id_number": id_number,
        }
        body, content_type = encode_multipart_formdata(
            [
                ("payload", json.dumps(payload)),
                ("file", ("application.pdf", PDF, "application/pdf")),
                ("spec", str(self.plan.specs[0])),
                ("file", ("id-card.png", PNG, "image/png")),
                ("spec", str(self.plan.specs[1])),
            ]
        )
        session = self.plan.citizens[index % CITIZENS]
        answer = self.http(
            "POST /api/v1/cases (multipart)",
            "POST",
            "/api/v1/cases",
            body=body,
            headers={
                "Content-Type": content_type,
                "Cookie": (
                    f"{self.plan.cookies['session']}={session}; "
                    f"{self.plan.cookies['csrf']}={self.plan.csrf}"
                ),
                "X-CSRFToken": self.plan.csrf,
                "Idempotency-Key": str(uuid.uuid4()),
            },
            expect=201,
        )
        if answer is not None:
            number: str = json.loads(answer)["number"]
            self.outcome.add("cases", number)
            with self.lock:
                self.queryable.append((number, id_number[-4:]))

    def query(self) -> None:
        with self.lock:
            number, tail = self.rng.choice(self.queryable)
        self.http(
            "GET /api/v1/cases/query",
            "GET",
            "/api/v1/cases/query?" + urlencode({"number": number, "id_tail": tail}),
        )


def sms_code(mobile: str) -> str | None:
    """The code of the text the citizen's phone received (the outbox of the local SMS backend)."""
    from django.db import connection

    from hall.models import OutboxMessage

    try:
        text = (
            OutboxMessage.objects.filter(mobile=mobile)
            .order_by("-pk")
            .values_list("text", flat=True)
            .first()
        )
    finally:
        connection.close()
    found = re.search(r"\d{6}", text or "")
    return found.group(0) if found else None


def lost_writes(outcome: Outcome) -> dict[str, int]:
    """Acknowledged writes missing from the database, or not in the state acknowledged."""
    from django.db import connections

    from cases.models import Case, CaseMaterial
    from hall.models import Appointment, PadRating, Ticket

    def missing(found: int, expected: set[str]) -> int:
        return len(expected) - found

    def tickets(keys: set[str], **state: Any) -> int:
        return Ticket.objects.filter(access_key__in=keys, **state).count()

    checked_in = Appointment.Status.CHECKED_IN
    lost = {
        "tickets": missing(tickets(outcome.tickets), outcome.tickets),
        "finished": missing(tickets(outcome.finished, status=Ticket.Status.DONE), outcome.finished),
        "missed": missing(tickets(outcome.missed, status=Ticket.Status.MISSED), outcome.missed),
        "ratings": missing(
            PadRating.objects.filter(ticket__access_key__in=outcome.rated).count(), outcome.rated
        ),
        "appointments": missing(
            Appointment.objects.filter(code__in=outcome.appointments).count(), outcome.appointments
        ),
        "check-ins": missing(
            Appointment.objects.filter(code__in=outcome.checked_in, status=checked_in).count(),
            outcome.checked_in,
        ),
        "cases": missing(Case.objects.filter(number__in=outcome.cases).count(), outcome.cases),
        "materials": 2 * len(outcome.cases)
        - CaseMaterial.objects.filter(case__number__in=outcome.cases).count(),
    }
    connections.close_all()
    return lost


# --- One database ------------------------------------------------------------------------------


@contextmanager
def servers_running(target: Deployment) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    port = int(os.environ.get("LOADTEST_PORT") or free_port())
    servers = start_servers(target, port)
    try:
        wait_until_up(f"http://{HOST}:{port}", deadline_seconds=60)
        yield port, servers
    finally:
        stop_servers(servers)


def cpu_now(servers: list[subprocess.Popen[bytes]]) -> dict[str, float]:
    """CPU seconds so far of gunicorn (master and workers), the Huey consumer, this process."""
    web, worker = servers
    own = os.times()
    return {
        "gunicorn": cpu_seconds(web.pid, children=True),
        "huey": cpu_seconds(worker.pid),
        "load generator": own.user + own.system,
    }


def run_one(database: str) -> dict[str, Any]:
    """Seed, run and check one database; its report."""
    target = deployment(database)
    os.environ.update(target.env)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name not in target.env:
            os.environ.pop(name, None)
    reset(target)
    try:
        return _run(target)
    finally:
        from django.db import connections

        connections.close_all()
        drop(target)


def _run(target: Deployment) -> dict[str, Any]:
    import django

    seeding = time.monotonic()
    target.govhall("migrate", "--no-input", "-v", "0")
    subprocess.run(
        [GOVHALL, "seed_demo"], check=True, env=target.env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    target.govhall("collectstatic", "--no-input", "-v", "0")
    django.setup()
    from django.db import connections

    sizes_demo = table_sizes()
    rows_demo = row_counts()
    connections.close_all()
    if HISTORY_CASES:
        subprocess.run(
            [GOVHALL, "seed_history", "--cases", str(HISTORY_CASES), "--years", "1"],
            check=True,
            env=target.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    sizes_history = table_sizes()
    rows_history = row_counts()
    connections.close_all()
    if HISTORY_CASES:
        # The catch-up that follows an import, done before the run as a deployment does it:
        # the first refresh of the statistics would otherwise hold SQLite's write lock for the
        # whole history in one transaction, failing the hall's writes (docs/benchmarks.md).
        target.govhall("stats_rollup", "--rebuild")
        target.govhall("efficiency_rollup")
    from supervision.services import supervision_sweep

    supervision_sweep()  # the first sweep alerts every lit case of the history at once
    plan = prepare()
    sizes_before = table_sizes()
    rows_before = row_counts()
    files_before = files_bytes(target.data_dir)
    connections.close_all()
    seeded = time.monotonic() - seeding
    print(f"[{target.database}] seeded in {seeded:.0f} s; running {SECONDS:.0f} s", flush=True)

    recorder = Recorder()
    load_before = os.getloadavg()
    with servers_running(target) as (port, servers):
        cpu_start = cpu_now(servers)
        schedule = Schedule(SECONDS, recorder)
        scenario = Scenario(plan, Http(port, recorder), schedule)
        scenario.start()
        schedule.run()
        elapsed = schedule.now()
        cpu_end = cpu_now(servers)
    cpu = {name: round(cpu_end[name] - cpu_start[name], 1) for name in cpu_start}
    requests = sum(len(values) for values in recorder.latencies.values())
    load_after = os.getloadavg()

    lost = lost_writes(scenario.outcome)
    sizes_after = table_sizes()
    rows_after = row_counts()
    files_after = files_bytes(target.data_dir)
    report = {
        "database": target.database,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": SECONDS,
        "elapsed": round(elapsed, 1),
        "scale": SCALE,
        "volumes": {
            "visitors": VISITORS,
            "phones": PHONES,
            "hall screens": HALL_SCREENS,
            "counter screens and pads": COUNTER_DEVICES,
            "applications": APPLICATIONS,
            "case queries": QUERIES,
            "history cases": HISTORY_CASES,
        },
        "load average before": [round(value, 2) for value in load_before],
        "load average after": [round(value, 2) for value in load_after],
        "endpoints": endpoint_table(recorder, elapsed),
        "requests": requests,
        "cpu seconds": cpu,
        "gunicorn cpu ms per request": round(1000 * cpu["gunicorn"] / max(requests, 1), 2),
        "errors": sum(recorder.errors.values()),
        "not sent": schedule.unsent,
        "error samples": recorder.error_samples,
        "lag ms": {
            "p50": round(1000 * percentile(recorder.lags, 0.5), 1),
            "p99": round(1000 * percentile(recorder.lags, 0.99), 1),
            "max": round(1000 * max(recorder.lags, default=0.0), 1),
        },
        "acknowledged": {
            name: len(getattr(scenario.outcome, name))
            for name in (
                "tickets",
                "finished",
                "missed",
                "rated",
                "appointments",
                "checked_in",
                "cases",
            )
        },
        "lost writes": lost,
        "server log problems": log_problems(target),
        "server ms": server_times(target),
        "redis": redis_usage(target),
        "sizes": {
            "database bytes after": database_bytes(),
            "demo center bytes": sum(sizes_demo.values()),
            "history bytes": sum(sizes_history.values()) - sum(sizes_demo.values()),
            "history bytes by table": top_growth(sizes_demo, sizes_history),
            "run bytes by table": top_growth(sizes_before, sizes_after),
            "run hall bytes": size_delta(sizes_before, sizes_after, ("hall_",)),
            "run case bytes": size_delta(sizes_before, sizes_after, ("cases_",)),
            "run audit bytes": size_delta(sizes_before, sizes_after, ("audit_",)),
            "run other bytes": sum(sizes_after.values())
            - sum(sizes_before.values())
            - size_delta(sizes_before, sizes_after, ("hall_", "cases_", "audit_")),
            "run file bytes": files_after - files_before,
            "table bytes after": {name: sizes_after.get(name, 0) for name in COUNTED_TABLES},
            "rows": {
                "demo": rows_demo,
                "history": rows_history,
                "before run": rows_before,
                "after run": rows_after,
            },
        },
    }
    connections.close_all()
    return report


def endpoint_table(recorder: Recorder, elapsed: float) -> list[dict[str, Any]]:
    rows = []
    for name, values in sorted(recorder.latencies.items()):
        rows.append(
            {
                "endpoint": name,
                "count": len(values),
                "errors": recorder.errors.get(name, 0),
                "rps": round(len(values) / elapsed, 1),
                "p50 ms": round(1000 * percentile(values, 0.5), 1),
                "p95 ms": round(1000 * percentile(values, 0.95), 1),
                "p99 ms": round(1000 * percentile(values, 0.99), 1),
                "max ms": round(1000 * max(values), 1),
            }
        )
    return rows


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n{report['database']}: {report['requests']} requests in {report['elapsed']} s, "
        f"{report['errors']} errors, {report['not sent']} not sent; load average "
        f"{report['load average before'][0]} -> {report['load average after'][0]}"
    )
    print("| endpoint | count | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in report["endpoints"]:
        print(
            f"| {row['endpoint']} | {row['count']} | {row['errors']} | {row['rps']} | "
            f"{row['p50 ms']} | {row['p95 ms']} | {row['p99 ms']} | {row['max ms']} |"
        )
    print("\nTime in the worker (gunicorn's access log):")
    print("| endpoint | count | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for row in report["server ms"]:
        print(
            f"| {row['endpoint']} | {row['count']} | {row['p50 ms']} | {row['p95 ms']} | "
            f"{row['p99 ms']} |"
        )
    for key in (
        "cpu seconds",
        "gunicorn cpu ms per request",
        "lag ms",
        "acknowledged",
        "lost writes",
        "server log problems",
    ):
        print(f"{key}: {json.dumps(report[key], ensure_ascii=False)}")
    for sample in report["error samples"]:
        print("error:", sample)


def main() -> None:
    """Run each database in a process of its own (Django is set up once per process)."""
    choice = os.environ.get("LOADTEST_DB", "both")
    databases = {"both": ["sqlite", "postgres"], "sqlite": ["sqlite"], "postgres": ["postgres"]}
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        report = run_one(sys.argv[2])
        OUT.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = OUT / f"{report['database']}-{stamp}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print_report(report)
        print(f"written: {path.relative_to(ROOT)}")
        problems = sum(report["lost writes"].values()) + sum(report["server log problems"].values())
        if report["not sent"]:
            # Not a failure of the server's answers: the server fell behind the schedule, which
            # is what the run measures (docs/capacity.md); errors and lost writes fail it.
            print(f"behind schedule: {report['not sent']} requests were never sent")
        if report["errors"] or problems:
            raise SystemExit(1)
        return
    if choice not in databases:
        raise SystemExit(f"LOADTEST_DB={choice}: choose sqlite, postgres or both")
    failed = False
    for database in databases[choice]:
        result = subprocess.run([sys.executable, __file__, "--one", database], cwd=ROOT)
        failed = failed or result.returncode != 0
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
