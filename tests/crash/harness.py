"""The real parts of a crash test: a deployment with its own database and data directory, its
gunicorn and Huey consumer as process groups to start and SIGKILL, and a receiver on 127.0.0.1
that stands for the SMS gateway and the department systems' webhooks."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import redis
from django.conf import settings
from django.db import connection, connections
from huey import RedisHuey

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# The ports this suite may listen on: one range for each database, since .ci/run tests both at
# once and a port found free by one run could be taken by the other before its server starts.
PORTS = (
    range(8660, 8680)
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else range(8640, 8660)
)
STARTUP_SECONDS = 60
# How long a killed worker's claim on a message or delivery holds (see tests/crash/settings.py).
CLAIM_LEASE_SECONDS = 1


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _killpg(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and every child of it (gunicorn's workers, Huey's threads)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@dataclass
class Deployment:
    """One govhall installation: a data directory, a database of its own, its processes."""

    name: str
    data_dir: Path
    database: dict[str, Any]
    env: dict[str, str]
    migrated: bool = True
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def vendor(self) -> str:
        return "sqlite" if self.database["ENGINE"].endswith("sqlite3") else "postgresql"

    def run(self, *args: str) -> str:
        """A command in the deployment's environment; its standard output."""
        result = subprocess.run(
            args, env=self.env, cwd=BASE_DIR, capture_output=True, text=True, timeout=300
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def seed(self, *args: str) -> dict[str, Any]:
        """Seed (see tests/crash/seed.py), migrating first if the database was made empty; what
        the clients need."""
        command = [str(VENV_BIN / "python"), "-m", "tests.crash.seed", *args]
        if not self.migrated:
            command.append("--migrate")
        world: dict[str, Any] = json.loads(self.run(*command).splitlines()[-1])
        return world

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.data_dir / log).open("ab") as out:
            process = subprocess.Popen(
                args,
                env=self.env,
                cwd=BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def start_web(self, port: int) -> subprocess.Popen[bytes]:
        """gunicorn with 2 sync workers, as deployed; returns once it answers. The application
        is loaded once before the workers fork, which halves the start on a busy machine."""
        process = self._spawn(
            [
                str(VENV_BIN / "gunicorn"),
                "govhall.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--preload",
            ],
            "gunicorn.log",
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log('gunicorn.log')}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return process
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer: {self.log('gunicorn.log')}")

    def start_worker(self) -> subprocess.Popen[bytes]:
        """`govhall run_huey`, its periodic tasks enqueued as it starts."""
        return self._spawn([str(VENV_BIN / "govhall"), "run_huey"], "huey.log")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        _killpg(process)

    def log(self, name: str) -> str:
        path = self.data_dir / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    @contextmanager
    def orm(self) -> Iterator[None]:
        """The test's ORM reads this deployment's database for a while (the caller unblocks
        database access), with its uploaded files."""
        original = connection.settings_dict
        media = settings.MEDIA_ROOT
        connection.close()
        connection.settings_dict = {**original, **self.database}
        settings.MEDIA_ROOT = self.data_dir / "media"
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict = original
            settings.MEDIA_ROOT = media


def _postgres_admin(database: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        autocommit=True,
    )


def _copy_migrated(test_database: dict[str, Any], target: dict[str, Any]) -> bool:
    """Start the deployment's database from the test run's, migrated moments ago and empty
    between tests: a migration from nothing takes longer than a crash test may. Whether the
    copy was made; if not, the database is empty."""
    if target["ENGINE"].endswith("sqlite3"):
        with (
            closing(sqlite3.connect(test_database["NAME"])) as source,
            closing(sqlite3.connect(target["NAME"])) as copy,
        ):
            source.backup(copy)
        return True
    connections.close_all()
    with _postgres_admin(target) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
        try:
            admin.execute(f'CREATE DATABASE "{target["NAME"]}" TEMPLATE "{test_database["NAME"]}"')
        except psycopg.errors.ObjectInUse:
            # Another session holds the test database: the seed migrates from nothing instead.
            admin.execute(f'CREATE DATABASE "{target["NAME"]}"')
            return False
    return True


def _drop(database: dict[str, Any]) -> None:
    if database["ENGINE"].endswith("sqlite3"):
        return
    with _postgres_admin(database) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')


def _flush_redis(deployment: Deployment) -> None:
    """A Redis shared with other runs keeps no task and no cache entry of this deployment."""
    redis_url = deployment.env.get("REDIS_URL", "")
    if not redis_url:
        return
    RedisHuey(name=deployment.name, url=redis_url).flush()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{deployment.name}:*"):
        client.delete(key)


@contextmanager
def deployment(name: str, root: Path) -> Iterator[Deployment]:
    """A deployment named `name` under `root`: SQLite in its data directory, or, when the tests
    run on PostgreSQL, a database of that name created here and dropped afterwards."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    test_database = connection.settings_dict
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        database: dict[str, Any] = dict(dj_database_url.parse(url))
        database["NAME"] = name
        env_database = {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    else:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "govhall.sqlite3"),
        }
        env_database = {}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")
    }
    env.update(
        env_database,
        GOVHALL_DATA_DIR=str(data_dir),
        GOVHALL_CRASH_DEPLOYMENT=name,
        GOVHALL_CRASH_LEASE_SECONDS=str(CLAIM_LEASE_SECONDS),
        DJANGO_SETTINGS_MODULE="tests.crash.settings",
        PYTHONPATH=str(BASE_DIR),
        LOG_LEVEL="WARNING",
    )
    made = Deployment(name=name, data_dir=data_dir, database=database, env=env)
    made.migrated = _copy_migrated(test_database, database)
    try:
        yield made
    finally:
        for process in made.processes:
            _killpg(process)
        _flush_redis(made)
        _drop(database)


@dataclass
class Receiver:
    """The outside world on 127.0.0.1: POST /sms as the operator's SMS platform, POST /webhook as
    a department system. Each request is recorded when it arrives and answered `delay` seconds
    later, so a sender killed meanwhile has handed it over but not yet heard back."""

    port: int
    delay: float = 0.1
    sms: Counter[str] = field(default_factory=Counter)
    webhooks: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def record(self, path: str, body: dict[str, Any]) -> None:
        with self.arrived:
            if path == "/sms":
                self.sms[body["text"]] += 1
            else:
                self.webhooks[body["id"]] += 1
            self.arrived.notify_all()

    def total(self) -> int:
        with self.lock:
            return sum(self.sms.values()) + sum(self.webhooks.values())

    def wait_for(self, total: int, timeout: float) -> bool:
        """Block until `total` requests in all have arrived; whether they did in time."""
        with self.arrived:
            return self.arrived.wait_for(
                lambda: sum(self.sms.values()) + sum(self.webhooks.values()) >= total, timeout
            )


@contextmanager
def receiver(delay: float = 0.1) -> Iterator[Receiver]:
    made = Receiver(port=free_port(), delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            made.record(self.path, body)
            time.sleep(made.delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((HOST, made.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()
