"""`govhall check --deploy` under production settings reports nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_the_deploy_checks_pass_in_production_settings(tmp_path: Path) -> None:
    # A new process: the settings read the environment once, when they load.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
        "GOVHALL_DATA_DIR": str(tmp_path),
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "k3y-" + "x9Q!" * 20,
        "ALLOWED_HOSTS": "zwfw.example.gov.cn",
    }
    # Production leaves these to the settings' defaults; the browser tests set the last one for
    # their own process, and a run that collects them must not pass it on.
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_AGE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
