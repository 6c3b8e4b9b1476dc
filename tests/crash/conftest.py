"""Crash tests start real processes with their own databases: they run in every `pytest -q`, a
few at a time, each within about 40 seconds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash.harness import Deployment, deployment


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "crash: kills a real server or worker with SIGKILL (tests/crash/)"
    )


@pytest.fixture
def installed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """A deployment of its own for this test, named `crash_<test>_<pid>`, which the test may read
    through the ORM (`Deployment.orm`). The test is marked `django_db(transaction=True)`: the
    test database, which the deployment's starts as a copy of, is set up and left unlocked."""
    name = f"crash_{request.node.name.removeprefix('test_')[:30]}_{os.getpid()}"
    with deployment(name, tmp_path) as made:
        yield made
