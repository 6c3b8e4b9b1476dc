"""`make prod-smoke`: govhall as deploy/ installs it, on PostgreSQL and Redis, for one short day.

On a fresh PostgreSQL database (PROD_SMOKE_DATABASE, default govhall_smoke) and a flushed Redis
database (PROD_SMOKE_REDIS_DB, default 15), with production settings: migrate and collectstatic,
load the demo center, then start the processes exactly as the systemd units in deploy/systemd
run them (gunicorn with deploy/gunicorn.conf.py and 2 workers, the Huey scheduler and one more
consumer) and, when Debian's nginx is installed, nginx with deploy/nginx/govhall.conf over TLS
with a throw-away certificate. Through HTTP only, a citizen books an appointment and takes a
ticket, a clerk calls and serves it, the counter's pad rates the service, the citizen applies
online with an upload, the clerk accepts, and the supervision sweep of the worker puts the
case's yellow light in the clerk's inbox. Every answer is checked; whatever happens, every
process started here is stopped before the script ends.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import redis
import requests
from bench_cases import ID_NUMBER, PDF

from govhall.deploy_files import (
    REPO,
    nginx_main,
    nginx_site,
    self_signed_certificate,
    unit_commands,
)

HOST = "127.0.0.1"
GOVHALL = str(REPO / ".venv" / "bin" / "govhall")
PASSWORD_COMMAND = [GOVHALL, "seed_demo", "--print-password"]
# An item of the demo clerk's department promised within a day: accepted, its light is yellow
# at once on any day of the week, so the worker's next sweep alerts the clerk.
ITEM = "07010030000000-511602000000-000-11511602008695126Y-1-00"
COUNTER = 17
SWEEP_WAIT_SECONDS = 75
# Registers the two devices an administrator would install (the kiosk, the pad at counter 17)
# and prints what the scenario needs to know about them.
DEVICES_SCRIPT = f"""
import json
from catalog.models import Counter
from hall.auth import device_create
counter = Counter.objects.get(center__slug="demo", number={COUNTER})
print(json.dumps({{
    "counter_id": counter.pk,
    "letter": counter.categories.get().letter,
    "kiosk": device_create(center=counter.center, kind="kiosk", name="smoke kiosk"),
    "pad": device_create(
        center=counter.center, kind="counter", name="smoke pad", counter=counter
    ),
}}))
"""


class SmokeError(Exception):
    """A step of the scenario did not get the answer it expects."""


@dataclass
class Run:
    """The run's folder, environment and processes."""

    work: Path
    env: dict[str, str]
    processes: list[tuple[str, subprocess.Popen[bytes], signal.Signals]] = field(
        default_factory=list
    )

    def start(self, name: str, command: list[str], stop_signal: signal.Signals) -> None:
        # The child keeps its own copy of the log's descriptor.
        with (self.work / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((name, process, stop_signal))

    def run(self, command: list[str]) -> str:
        result = subprocess.run(
            command, cwd=REPO, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SmokeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        print(f"  ok  {name} ({time.monotonic() - started:.1f} s)", flush=True)

    def check_alive(self) -> None:
        for name, process, _signal in self.processes:
            if process.poll() is not None:
                log = (self.work / f"{name}.log").read_text(errors="replace")[-3000:]
                raise SmokeError(f"{name} exited with {process.returncode}:\n{log}")

    def stop(self) -> None:
        """Stop every process as systemd would, and kill what is left after a grace."""
        for _name, process, stop_signal in self.processes:
            if process.poll() is None:
                process.send_signal(stop_signal)
        deadline = time.monotonic() + 30
        for _name, process, _signal in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for _name, process, _signal in self.processes:
            # The whole session: a worker a master left behind goes too.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_database(server: str, name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SmokeError(f"PROD_SMOKE_DATABASE={name!r}: use lower-case letters, digits and _")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def nginx_start(
    run: Run, *, upstream: str, static_root: Path, http_port: int, https_port: int
) -> Path:
    """nginx with the site file in a prefix of its own; the certificate to trust."""
    prefix = run.work / "nginx"
    prefix.mkdir()
    certificate, key = self_signed_certificate(prefix)
    (prefix / "govhall.conf").write_text(
        nginx_site(
            upstream=upstream,
            http_port=http_port,
            https_port=https_port,
            static_root=static_root,
            certificate=certificate,
            certificate_key=key,
            log_dir=prefix,
        ),
        encoding="utf-8",
    )
    (prefix / "nginx.conf").write_text(nginx_main(prefix), encoding="utf-8")
    command = ["nginx", "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    run.run([*command, "-t", "-q"])
    run.start("nginx", command, signal.SIGQUIT)
    return certificate


def wait_until_up(run: Run, url: str, verify: bool | str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.check_alive()
        try:
            if requests.get(url, timeout=2, verify=verify).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SmokeError(f"{url} did not answer within 60 s")


def expect(response: requests.Response, status: int, what: str) -> Any:
    if response.status_code != status:
        raise SmokeError(
            f"{what}: {response.request.method} {response.url} answered "
            f"{response.status_code}, not {status}:\n{response.text[:1000]}"
        )
    content_type = response.headers.get("Content-Type", "")
    return response.json() if content_type.startswith("application/json") else response.text


class Client:
    """One person's browser: cookies, the CSRF token in a header, the site's own origin."""

    def __init__(self, base: str, verify: bool | str) -> None:
        self.base = base
        # Per request: a session's own `verify` loses to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        self.session = requests.Session()
        self.session.headers.update({"Referer": f"{base}/", "Origin": base})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, verify=self.verify, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        token = self.session.cookies.get("csrftoken")
        headers = {**kwargs.pop("headers", {}), **({"X-CSRFToken": token} if token else {})}
        return self.session.post(
            self.base + path, timeout=30, verify=self.verify, headers=headers, **kwargs
        )

    def log_in(self, username: str, password: str) -> None:
        expect(self.get("/accounts/login/"), 200, f"the log-in page for {username}")
        answer = self.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
        )
        expect(answer, 302, f"{username} logs in")


def bookable_slot(citizen: Client, letter: str) -> tuple[str, str]:
    """The first slot with a free place from tomorrow on: (day, start)."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    for offset in range(1, 15):
        day = (today + dt.timedelta(days=offset)).isoformat()
        found = expect(
            citizen.get("/api/v1/appointments/slots", params={"category": letter, "date": day}),
            200,
            "the slots of a day",
        )
        for slot in found["slots"]:
            if slot["available"] > 0:
                return day, str(slot["start"])[:5]
    raise SmokeError("no slot with a free place in the next two weeks")


def scenario(base: str, verify: bool | str, devices: dict[str, Any], password: str) -> list[str]:
    """The day's steps through HTTP; what each showed."""
    seen: list[str] = []
    letter, counter_id = devices["letter"], devices["counter_id"]

    citizen, clerk, kiosk, pad = (Client(base, verify) for _ in range(4))
    citizen.log_in("demo-citizen", password)
    clerk.log_in("demo-clerk", password)

    day, start = bookable_slot(citizen, letter)
    booking = expect(
        citizen.post(
            "/api/v1/appointments",
            json={
                "category": letter,
                "date": day,
                "slot_start": start,
                "name": "王小明",
                "id_number": ID_NUMBER,
                "mobile": "13800138000",
            },
        ),
        201,
        "the citizen books",
    )
    seen.append(f"booking {booking['code']} for {day} {start}")

    kiosk.session.headers["Authorization"] = f"Bearer {devices['kiosk']}"
    ticket = expect(
        kiosk.post("/api/v1/tickets", json={"category": letter}), 201, "the kiosk gives a ticket"
    )
    expect(clerk.post(f"/api/v1/counters/{COUNTER}/sign-in"), 200, "the clerk signs in")
    called = expect(
        clerk.post(f"/api/v1/counters/{COUNTER}/call-next"), 200, "the clerk calls the next"
    )
    if called["ticket"] is None or called["ticket"]["key"] != ticket["key"]:
        raise SmokeError(f"the counter called {called['ticket']}, not ticket {ticket['number']}")
    followed = expect(citizen.get(f"/api/v1/tickets/{ticket['key']}"), 200, "the phone follows")
    if followed["counter"] != COUNTER:
        raise SmokeError(f"the ticket's page shows counter {followed['counter']}")
    for action in ("start", "finish"):
        expect(clerk.post(f"/api/v1/counters/{COUNTER}/{action}"), 200, f"the clerk does {action}")
    seen.append(f"ticket {ticket['number']} called and served at counter {COUNTER}")

    expect(pad.get(f"/hall/pad/{counter_id}/", params={"device": devices["pad"]}), 200, "the pad")
    state = expect(pad.get(f"/hall/pad/{counter_id}/state/"), 200, "the pad's state")
    if state["ticket"] is None or state["ticket"]["number"] != ticket["number"]:
        raise SmokeError(f"the pad waits to rate {state['ticket']}, not {ticket['number']}")
    expect(
        pad.post(
            f"/hall/pad/{counter_id}/rate/", data={"ticket": state["ticket"]["id"], "level": 5}
        ),
        201,
        "the pad rates the service",
    )
    seen.append(f"ticket {ticket['number']} rated 5 on the pad")

    case = expect(
        citizen.post(
            "/api/v1/cases",
            headers={"Idempotency-Key": f"smoke-{secrets.token_hex(8)}"},
            data={
                "payload": json.dumps(
                    {
                        "item": ITEM,
                        "applicant_kind": "person",
                        "applicant_name": "王小明",
                        "id_number": ID_NUMBER,
                        "mobile": "13800138000",
                        "person_requested": True,
                    }
                )
            },
            files=[("file", ("application.pdf", PDF, "application/pdf"))],
        ),
        201,
        "the citizen applies online with an upload",
    )
    number = case["number"]
    if len(case["materials"]) != 1:
        raise SmokeError(f"case {number} holds {len(case['materials'])} materials, not 1")
    accepted = expect(clerk.post(f"/api/v1/cases/{number}/accept"), 200, "the clerk accepts")
    mine = expect(citizen.get(f"/api/v1/cases/{number}"), 200, "the citizen reads the case")
    if mine["status"] != accepted["status"] or mine["accepted_at"] is None:
        raise SmokeError(f"the citizen sees case {number} in state {mine['status']}")
    seen.append(f"case {number} submitted with 1 upload and accepted (state {mine['status']})")

    deadline = time.monotonic() + SWEEP_WAIT_SECONDS
    while True:
        inbox = expect(clerk.get("/api/v1/messages"), 200, "the clerk's inbox")
        alerts = [
            message
            for message in inbox["results"]
            if message["kind"].startswith("light.") and number in message["link"]
        ]
        if alerts:
            seen.append(f"worker alert in the clerk's inbox: {alerts[0]['kind']} for {number}")
            return seen
        if time.monotonic() > deadline:
            raise SmokeError(f"no light alert for {number} after {SWEEP_WAIT_SECONDS} s")
        time.sleep(1)


def through_nginx(base: str, http_port: int, verify: str) -> list[str]:
    """What nginx itself must do: https only, static files cached for good, no media."""
    home = requests.get(f"{base}/", timeout=30, verify=verify)
    expect(home, 200, "the front page")
    if "Strict-Transport-Security" not in home.headers:
        raise SmokeError("no HSTS: X-Forwarded-Proto did not reach Django")
    match = re.search(r'/static/[^"\']+\.css', home.text)
    if match is None:
        raise SmokeError("the front page links no stylesheet")
    static = requests.get(base + match.group(0), timeout=30, verify=verify)
    expect(static, 200, "a static file")
    if "immutable" not in static.headers.get("Cache-Control", ""):
        raise SmokeError(f"{match.group(0)} came without the long cache: not from nginx")
    expect(requests.get(f"{base}/media/cases/x.pdf", timeout=30, verify=verify), 404, "media")
    plain = requests.get(f"http://{HOST}:{http_port}/", timeout=30, allow_redirects=False)
    expect(plain, 301, "plain http")
    return [
        "nginx: https with HSTS, http sent to https, "
        f"{match.group(0)} served with immutable cache, /media/ refused"
    ]


def main() -> int:
    started = time.monotonic()
    # A CI timeout's SIGTERM unwinds like Ctrl-C, through the `finally` that stops everything.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    server = os.environ.get("PROD_SMOKE_POSTGRES", f"postgres://postgres@{HOST}:5432")
    database = os.environ.get("PROD_SMOKE_DATABASE", "govhall_smoke")
    redis_url = f"redis://{HOST}:6379/{int(os.environ.get('PROD_SMOKE_REDIS_DB', '15'))}"
    data_dir = Path(os.environ.get("PROD_SMOKE_DATA_DIR", str(REPO / "var" / "prod-smoke")))
    use_nginx = shutil.which("nginx") is not None
    # PROD_SMOKE_PORT and the next two, or three free ones.
    first = int(os.environ.get("PROD_SMOKE_PORT", "0"))
    web_port, http_port, https_port = (
        (first, first + 1, first + 2) if first else (free_port(), free_port(), free_port())
    )
    base = f"https://{HOST}:{https_port}" if use_nginx else f"http://{HOST}:{web_port}"
    print(f"prod-smoke: PostgreSQL {database}, Redis {redis_url}, data {data_dir}", flush=True)

    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="govhall-smoke-"))
    env = {
        **os.environ,
        "GOVHALL_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "REDIS_URL": redis_url,
        "GUNICORN_BIND": f"{HOST}:{web_port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": str(work / "access.log"),
        "HUEY_WORKERS": "2",
        "HTTPS": "1" if use_nginx else "0",
        "CSRF_TRUSTED_ORIGINS": base,
    }
    run = Run(work=work, env=env)
    failed = True
    try:
        with run.step("fresh database and queue"):
            env["DATABASE_URL"] = fresh_database(server, database)
            redis.Redis.from_url(redis_url).flushdb()
        with run.step("migrate and collectstatic, side by side"):
            migrate = subprocess.Popen(
                [GOVHALL, "migrate", "--no-input", "-v", "0"], cwd=REPO, env=env
            )
            try:
                run.run([GOVHALL, "collectstatic", "--no-input", "-v", "0"])
            finally:
                if migrate.wait() != 0:
                    raise SmokeError("migrate failed")
        with run.step("web server, scheduler and worker started from deploy/systemd"):
            # The worker's first sweep is due a minute after it starts: start it before the
            # demo center loads, so the wait for it overlaps the loading and the scenario.
            run.start("scheduler", unit_commands("govhall-scheduler.service")[0], signal.SIGINT)
            run.start("worker-1", unit_commands("govhall-worker@.service")[0], signal.SIGINT)
            run.start("web", unit_commands("govhall-web.service")[0], signal.SIGTERM)
            verify: bool | str = True
            if use_nginx:
                certificate = nginx_start(
                    run,
                    upstream=f"{HOST}:{web_port}",
                    static_root=data_dir / "static",
                    http_port=http_port,
                    https_port=https_port,
                )
                verify = str(certificate)
        with run.step("demo center loaded, kiosk and pad registered"):
            run.run([GOVHALL, "seed_demo"])
            shell = run.run([GOVHALL, "shell", "-v", "0", "-c", DEVICES_SCRIPT])
            devices = json.loads(shell.strip().splitlines()[-1])
            password = run.run(PASSWORD_COMMAND).strip()
        with run.step("/healthz answers"):
            wait_until_up(run, f"{base}/healthz", verify)
        seen: list[str] = []
        if use_nginx:
            with run.step("nginx site file"):
                seen += through_nginx(base, http_port, str(verify))
        with run.step("scenario through HTTP"):
            seen += scenario(base, verify, devices, password)
        run.check_alive()
        failed = False
    except SmokeError as exc:
        print(f"prod-smoke FAILED: {exc}", file=sys.stderr)
        print(f"logs: {work}", file=sys.stderr)
    finally:
        run.stop()
    if failed:
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("prod-smoke passed:")
    for line in seen:
        print(f"  - {line}")
    print(f"  total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
