"""Supervision and statistics on five years of history: answer times of the lights board, the
overdue list, the efficiency tables and the statistics' dashboards, and the sweep's time, on a
database seeded with `govhall seed_history` (2 million cases) whose efficiency rollups
`govhall efficiency_rollup` and statistics rollups `govhall stats_rollup --rebuild` built.

Opt-in (`GOVHALL_BENCH_HISTORY=1 make bench`), since seeding takes minutes. SQLite: the seeded
database is kept in var/bench-history/ and reused by later runs (delete the directory to seed
afresh). PostgreSQL: name a dedicated database in GOVHALL_BENCH_HISTORY_DATABASE_URL; it is
seeded once in the same way.

The pages are served by gunicorn (as bench.py starts it) and read
one after another on a keep-alive connection, as a signed-in supervisor (demo-supervisor) and
department head (demo-department-head): `REPEATS` times each after a warm-up, median and p95 in
ms; a statistics row also prints its first answer (cold: the worker's first read of the
figures). The floor is `/healthz` read the same way, before and after. The sweep
(`supervision.services.supervision_sweep`) runs in this process: once to catch up (the first run
on a fresh seed alerts every lit case), then `SWEEPS` times in the steady state.
Output ends with one line per measurement:
    bench NAME median_ms=M p95_ms=P floor_ms=F ratio=F/M target_ms=T
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import statistics
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import HOST, free_port, start_server, wait_until_up

CASES = int(os.environ.get("GOVHALL_BENCH_HISTORY_CASES", "2000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
SWEEPS = 5
WARM_UP = 3
TARGET_MS = 300
STATS_TARGET_MS = 500
SWEEP_TARGET_MS = 1000
GOVHALL = ".venv/bin/govhall"


def _environment() -> str:
    """Point this process and its children at the history database; its description."""
    url = os.environ.get("GOVHALL_BENCH_HISTORY_DATABASE_URL", "")
    if url:
        os.environ["DATABASE_URL"] = url
        return "PostgreSQL " + url.rsplit("/", 1)[-1]
    os.environ.pop("DATABASE_URL", None)
    data = Path(os.environ.get("GOVHALL_BENCH_HISTORY_DIR", "var/bench-history")).resolve()
    os.environ["GOVHALL_DATA_DIR"] = str(data)
    return f"SQLite {data}/govhall.sqlite3"


def _govhall(*args: str) -> None:
    subprocess.run([GOVHALL, *args], check=True)


def prepare() -> dict[str, str]:
    """Migrate, seed the demo and the history when missing; session cookies of the readers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    _govhall("migrate", "--no-input", "-v", "0")
    _govhall("seed_demo")
    _govhall("collectstatic", "--no-input", "-v", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from cases.models import Case
    from stats.models import RollupState
    from supervision.models import RollupMonth

    existing = Case.objects.count()
    if existing == 0:
        began = time.monotonic()
        connections.close_all()
        _govhall("seed_history", "--cases", str(CASES))
        print(f"seed_history --cases {CASES}: {time.monotonic() - began:.0f} s")
    elif existing < CASES:
        raise SystemExit(
            f"The history database holds {existing} cases, fewer than {CASES}: "
            "delete it (or its PostgreSQL database) to seed afresh."
        )
    if not RollupMonth.objects.exists():
        began = time.monotonic()
        connections.close_all()
        _govhall("efficiency_rollup")
        print(f"efficiency_rollup (every month): {time.monotonic() - began:.0f} s")
    state = RollupState.objects.first()
    if state is None or state.rebuilt_at is None:
        began = time.monotonic()
        connections.close_all()
        _govhall("stats_rollup", "--rebuild")
        print(f"stats_rollup --rebuild: {time.monotonic() - began:.0f} s")
    running_month_rollup()
    cookies = {}
    for username in ("demo-supervisor", "demo-department-head"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session}"
    connections.close_all()
    return cookies


def running_month_rollup() -> None:
    """The running month's rollup as the worker leaves it at the end of the seeded day.

    The history runs to the end of today (its cases concluded today carry today's working
    hours, later than a bench run in the morning); in operation the worker's round, every ten
    minutes, leaves at most ten minutes of conclusions to be counted live.
    """
    from django.utils import timezone

    from catalog.models import Center
    from supervision.services import efficiency_rollup_compute

    today = timezone.localdate()
    end_of_day = dt.datetime.combine(
        today + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    began = time.monotonic()
    for center in Center.objects.all():
        efficiency_rollup_compute(center=center, month=today, now=end_of_day)
    print(f"running month's rollup: {time.monotonic() - began:.1f} s")


def answer_times(port: int, path: str, cookie: str = "") -> tuple[float, list[float]]:
    """Milliseconds of the first GET and of `REPEATS` sequential GETs on one connection after a
    warm-up (the first included)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    times: list[float] = []
    for _ in range(WARM_UP + REPEATS):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        times.append(1000 * (time.perf_counter() - began))
    connection.close()
    return times[0], times[WARM_UP:]


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def sweep_times() -> tuple[float, list[float]]:
    """Milliseconds of the catch-up sweep and of the steady-state sweeps after it."""
    from supervision.services import supervision_sweep

    def timed() -> float:
        began = time.perf_counter()
        supervision_sweep()
        return 1000 * (time.perf_counter() - began)

    catch_up = timed()
    return catch_up, [timed() for _ in range(SWEEPS)]


def report(name: str, times: list[float], floor: float, target: int | str) -> None:
    median = statistics.median(times)
    print(
        f"bench {name} median_ms={median:.1f} p95_ms={p95(times):.1f} floor_ms={floor:.1f} "
        f"ratio={floor / median:.3f} target_ms={target}"
    )


def efficiency_pages(supervisor: str, head: str) -> list[tuple[str, str, str, int | str]]:
    """The efficiency page for the running month (its rollup and the cases concluded since),
    the last twelve whole months (rollups alone), a department head's month, and three months
    cut in the middle of months (the partial months counted live: no target)."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's day (TIME_ZONE)
    this_month = today.replace(day=1)
    last_month_end = this_month - dt.timedelta(days=1)
    year_ago = (this_month - dt.timedelta(days=365)).replace(day=1)
    partial_start = (this_month - dt.timedelta(days=80)).replace(day=15)
    page = "/supervision/efficiency/"
    return [
        ("efficiency_month", f"{page}?dimension=department", supervisor, TARGET_MS),
        (
            "efficiency_12_months_by_item",
            f"{page}?dimension=item&start={year_ago}&end={last_month_end}",
            supervisor,
            TARGET_MS,
        ),
        ("efficiency_month_department", f"{page}?dimension=person", head, TARGET_MS),
        (
            "efficiency_partial_months",
            f"{page}?dimension=counter&start={partial_start}&end={last_month_end.replace(day=14)}",
            supervisor,
            "none",
        ),
    ]


def stats_pages(supervisor: str, head: str) -> list[tuple[str, str, str, int | str]]:
    """The statistics' dashboards: the API's figures for this year and this month (the whole
    center) and a department head's year, the big screen's data, the monthly report page and the
    open data of this year."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    api = "/api/v1/stats/dashboard"
    return [
        ("stats_dashboard_year", f"{api}?period={today.year}", supervisor, STATS_TARGET_MS),
        ("stats_dashboard_month", f"{api}?period={today:%Y-%m}", supervisor, STATS_TARGET_MS),
        ("stats_dashboard_year_department", f"{api}?period={today.year}", head, STATS_TARGET_MS),
        ("stats_screen_data", "/stats/screen/data/", supervisor, STATS_TARGET_MS),
        ("stats_report_monthly", "/stats/reports/?kind=monthly", supervisor, STATS_TARGET_MS),
        ("stats_open_data", f"/open-data/?year={today.year}", "", STATS_TARGET_MS),
    ]


def main() -> None:
    database = _environment()
    cookies = prepare()
    supervisor, head = cookies["demo-supervisor"], cookies["demo-department-head"]
    pages: list[tuple[str, str, str, int | str]] = [
        ("lights_board", "/supervision/?light=green", supervisor, TARGET_MS),
        ("overdue_list", "/supervision/?light=red", supervisor, TARGET_MS),
        ("severe_list", "/supervision/?light=severe", supervisor, TARGET_MS),
        ("overdue_list_department", "/supervision/?light=red", head, TARGET_MS),
        *efficiency_pages(supervisor, head),
        *stats_pages(supervisor, head),
    ]
    port = free_port()
    server = start_server(port, {})
    try:
        wait_until_up(f"http://{HOST}:{port}")
        floors = [answer_times(port, "/healthz")[1]]
        measured = [
            (name, *answer_times(port, path, cookie), target)
            for name, path, cookie, target in pages
        ]
        floors.append(answer_times(port, "/healthz")[1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    import django

    django.setup()
    catch_up, sweeps = sweep_times()
    floor = statistics.median([time for run in floors for time in run])
    print(f"database: {database}")
    print(f"floor /healthz runs: {', '.join(f'{statistics.median(run):.1f}' for run in floors)} ms")
    for name, first, times, target in measured:
        report(name, times, floor, target)
        if name.startswith("stats_"):
            print(f"bench {name}_first ms={first:.0f}")
    print(f"bench sweep_catch_up ms={catch_up:.0f}")
    print(
        f"bench sweep median_ms={statistics.median(sweeps):.0f} max_ms={max(sweeps):.0f} "
        f"target_ms={SWEEP_TARGET_MS}"
    )


if __name__ == "__main__":
    main()
