"""Measure govhall's main reads against the framework floor, in the same run, on 127.0.0.1.

Starts gunicorn (2 sync workers) on a free loopback port, warms every URL up, then loads each
with wrk for a bounded time. The floor is a bare JSON view (`/healthz`) measured before and after
the others; each page's requests per second are reported as a ratio to the mean floor. The run
is made twice: as visitors meet the pages (public cache on), then with every answer rendered
afresh (`_uncached`, recorded without a target). Then the hall's writes, ticket issue and a
counter's call-next, are compared with a bare insert (`/healthz/write`), see bench_hall.py; and
the cases' submission with a bare insert and their reads with a bare read (`/healthz/read`), each
also against `/healthz` (the `_vs_healthz` lines, without a target), see bench_cases.py.
`bench.py cases` (or `pages`, `writes`) measures only the parts named. Output ends with one line
per measurement:
    bench NAME rps=R floor=F ratio=R/F target=T
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import bench_cases
import bench_hall

DURATION_SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    ratio_target: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(base: str, deadline_seconds: float = 30) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer on " + base)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        return body


def requests_per_second(url: str, headers: dict[str, str] | None = None) -> float:
    """wrk's requests per second over a bounded run; non-2xx answers make the run fail."""
    header_args = [
        arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")
    ]
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{DURATION_SECONDS}s",
            "--latency",
            *header_args,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=DURATION_SECONDS + 30,
    )
    if "Non-2xx or 3xx responses" in result.stdout:
        raise SystemExit(f"{url} gave error answers under load:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if match is None:
        raise SystemExit(f"wrk printed no rate for {url}:\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


def start_server(port: int, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            ".venv/bin/gunicorn",
            "govhall.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **extra_env},
    )


def measure(extra_env: dict[str, str], with_hall: bool) -> tuple[float, list[tuple[Target, float]]]:
    """The mean floor (measured before and after the targets) and each target's rate."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(port, extra_env)
    try:
        wait_until_up(base)
        found = json.loads(fetch(base + "/api/v1/items?search=yyzz&page_size=1"))
        code = found["items"][0]["code"]
        center = json.loads(fetch(base + f"/api/v1/items/{code}"))["center"]
        targets = [
            Target("item_list", f"/c/{center}/items/", "0.5"),
            Target("guide_page", f"/c/{center}/items/{code}/", "0.5"),
            Target("guide_api", f"/api/v1/items/{code}", "0.5"),
        ]
        if with_hall:
            targets.append(Target("hall_display", f"/api/v1/hall/display?center={center}", "0.5"))
        for target in targets:
            for _ in range(20):
                fetch(base + target.path)
        floors = [requests_per_second(base + "/healthz")]
        rates = [(target, requests_per_second(base + target.path)) for target in targets]
        floors.append(requests_per_second(base + "/healthz"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"floor /healthz runs: {', '.join(f'{value:.0f}' for value in floors)} rps")
    return sum(floors) / len(floors), rates


def report(name: str, rps: float, floor: float, target: str) -> None:
    print(f"bench {name} rps={rps:.0f} floor={floor:.0f} ratio={rps / floor:.2f} target={target}")


def measure_writes() -> tuple[float, list[tuple[str, float]]]:
    """Ticket issue and call-next against the insert floor (before and after), same threads."""
    tokens = bench_hall.prepare()
    port = free_port()
    server = start_server(port, {"GOVHALL_BENCH_ENDPOINTS": "1"})
    seconds = DURATION_SECONDS
    try:
        wait_until_up(f"http://{HOST}:{port}")
        floors = [bench_hall.writes_per_second(HOST, port, "/healthz/write", {}, "", seconds)]
        issue = bench_hall.writes_per_second(
            HOST, port, "/api/v1/tickets", {"category": "A"}, tokens.kiosk, seconds
        )
        calls = bench_hall.calls_per_second(HOST, port, tokens, seconds)
        floors.append(bench_hall.writes_per_second(HOST, port, "/healthz/write", {}, "", seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"floor /healthz/write runs: {', '.join(f'{value:.0f}' for value in floors)} rps")
    return sum(floors) / len(floors), [("ticket_issue", issue), ("call_next", calls)]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def runs(label: str, values: list[float]) -> None:
    print(f"floor {label} runs: {', '.join(f'{value:.0f}' for value in values)} rps")


def measure_cases() -> list[tuple[str, float, float, str]]:
    """Online submission with two uploads, and the case reads, each against the like-for-like
    floor (the bare insert for the submissions, the bare read for the reads) and against
    `/healthz`, all measured the same way as their target (threads for the submissions, wrk for
    the reads), before and after it."""
    session = bench_cases.prepare()
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(port, {"GOVHALL_BENCH_ENDPOINTS": "1"})
    seconds = DURATION_SECONDS
    own = base + f"/api/v1/cases/{session.number}"
    public = base + f"/api/v1/cases/query?number={session.number}&id_tail=002X"
    try:
        wait_until_up(base)
        bare_read = base + f"/healthz/read?id={bench_cases.heartbeat(HOST, port)}"
        for _ in range(20):
            fetch(public)
            fetch(bare_read)
        insert_floors = [bench_cases.write_floor_per_second(HOST, port, seconds)]
        thread_floors = [bench_cases.floor_per_second(HOST, port, seconds)]
        submissions = bench_cases.submissions_per_second(HOST, port, session, seconds)
        three_requests = bench_cases.submissions_per_second(
            HOST, port, session, seconds, one_request=False
        )
        thread_floors.append(bench_cases.floor_per_second(HOST, port, seconds))
        insert_floors.append(bench_cases.write_floor_per_second(HOST, port, seconds))
        read_floors = [requests_per_second(bare_read)]
        floors = [requests_per_second(base + "/healthz")]
        own_reads = requests_per_second(own, {"Cookie": session.cookie})
        public_reads = requests_per_second(public)
        floors.append(requests_per_second(base + "/healthz"))
        read_floors.append(requests_per_second(bare_read))
    finally:
        server.terminate()
        server.wait(timeout=30)
    runs("/healthz/write (threads)", insert_floors)
    runs("/healthz (threads)", thread_floors)
    runs("/healthz/read", read_floors)
    runs("/healthz", floors)
    # A submission is one request (the application with its two files), as is each floor
    # request; the same submission as three requests (the application, then each file) has
    # no target.
    return [
        ("case_submit", submissions, mean(insert_floors), "0.3"),
        ("case_submit_vs_healthz", submissions, mean(thread_floors), "-"),
        ("case_submit_three_requests", three_requests, mean(insert_floors), "-"),
        ("case_read", own_reads, mean(read_floors), "0.5"),
        ("case_read_vs_healthz", own_reads, mean(floors), "-"),
        ("case_query", public_reads, mean(read_floors), "0.5"),
        ("case_query_vs_healthz", public_reads, mean(floors), "-"),
    ]


PARTS = ("pages", "writes", "cases")


def main(parts: list[str]) -> None:
    """Measure the named parts (all when none is named) and print their lines at the end."""
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"no such part {', '.join(unknown)}: choose among {', '.join(PARTS)}")
    chosen = parts or list(PARTS)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run `make install` (as root) or apt-get install wrk")
    lines: list[tuple[str, float, float, str]] = []
    if "pages" in chosen:
        # As citizens meet them: public pages and catalog reads come from the cache.
        floor, cached = measure({}, with_hall=True)
        # Every answer rendered afresh: what a cache miss costs (recorded, no target).
        floor_uncached, uncached = measure({"GOVHALL_PUBLIC_CACHE_SECONDS": "0"}, with_hall=False)
        lines += [(target.name, rps, floor, target.ratio_target) for target, rps in cached]
        lines += [(target.name + "_uncached", rps, floor_uncached, "-") for target, rps in uncached]
    if "writes" in chosen:
        write_floor, writes = measure_writes()
        lines += [(name, rps, write_floor, "0.5") for name, rps in writes]
    if "cases" in chosen:
        lines += measure_cases()
    for name, rps, floor_rps, ratio_target in lines:
        report(name, rps, floor_rps, ratio_target)


if __name__ == "__main__":
    main(sys.argv[1:])
