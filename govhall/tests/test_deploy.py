"""The files of deploy/ work as written: the systemd units verify and their commands parse, the
nginx site passes `nginx -t`, logrotate rotates, and the environment example lists every variable
govhall reads. (test_deploy_checks.py runs `govhall check --deploy` in production settings.)

`make prod-smoke` runs the web server, the workers and nginx from the same files."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from cases.services import case_limit
from govhall.deploy_files import (
    DEPLOY,
    REPO,
    UNITS,
    env_example_names,
    env_names_read,
    nginx_body_limit_bytes,
    nginx_main,
    nginx_site,
    self_signed_certificate,
    unit_commands,
    unit_text,
)


def _instance(name: str) -> str:
    return name.replace("@.", "@1.")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is missing")
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    env_file = tmp_path / "govhall.env"
    env_file.write_text("", encoding="utf-8")
    for name in UNITS:
        (tmp_path / _instance(name)).write_text(
            unit_text(name, root=REPO, env_file=env_file), encoding="utf-8"
        )
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(path) for path in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_govhall_command_of_the_units_parses() -> None:
    commands = get_commands()
    checked = 0
    for name in UNITS:
        for command in unit_commands(name):
            if Path(command[0]).name != "govhall":
                continue
            subcommand, *arguments = command[1:]
            parser = load_command_class(commands[subcommand], subcommand).create_parser(
                "govhall", subcommand
            )
            parser.parse_args(arguments)
            checked += 1
    assert checked == 5


def test_the_web_unit_runs_gunicorn_with_a_valid_configuration(tmp_path: Path) -> None:
    (command,) = unit_commands("govhall-web.service")
    assert Path(command[0]).name == "gunicorn"
    result = subprocess.run(
        [*command, "--check-config"],
        cwd=REPO,
        env={**os.environ, "GOVHALL_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_environment_example_lists_every_variable_govhall_reads() -> None:
    read = env_names_read(REPO / "govhall" / "settings.py") | env_names_read(
        DEPLOY / "gunicorn.conf.py"
    )
    listed = env_example_names()
    assert read - listed == set(), "missing from deploy/govhall.env.example"
    assert listed - read == set(), "deploy/govhall.env.example lists what nothing reads"


def test_nginx_takes_a_whole_case_of_uploads_in_one_request() -> None:
    limit = nginx_body_limit_bytes()
    assert case_limit() < limit <= case_limit() + 2 * 1024 * 1024


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_nginx_site_passes_nginx_test(tmp_path: Path) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    (tmp_path / "govhall.conf").write_text(
        nginx_site(
            upstream="127.0.0.1:9",
            http_port=8080,
            https_port=8443,
            static_root=tmp_path,
            certificate=certificate,
            certificate_key=key,
            log_dir=tmp_path,
        ),
        encoding="utf-8",
    )
    (tmp_path / "nginx.conf").write_text(nginx_main(tmp_path), encoding="utf-8")
    result = subprocess.run(
        ["nginx", "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate is missing")
def test_logrotate_rotates_the_gunicorn_logs(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "access.log").write_text("GET /healthz\n", encoding="utf-8")
    text = (DEPLOY / "logrotate" / "govhall").read_text(encoding="utf-8")
    assert "/var/log/govhall/" in text and "create 0640 govhall adm" in text
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True, check=True).stdout
    config = tmp_path / "govhall.logrotate"
    config.write_text(
        text.replace("/var/log/govhall/", f"{logs}/").replace(
            "create 0640 govhall adm", f"create 0640 {user.strip()} {group.strip()}"
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["logrotate", "--force", "--state", str(tmp_path / "state"), str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rotated = sorted(path.name for path in logs.iterdir())
    assert len(rotated) == 2 and "access.log" in rotated, rotated
    assert (logs / "access.log").read_text(encoding="utf-8") == ""
