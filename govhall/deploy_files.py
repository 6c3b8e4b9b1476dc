"""The files of deploy/ read and rendered for a run on this machine (`make prod-smoke`, tests).

The files are kept as an operator installs them (/srv/govhall, /etc/govhall, port 443); a test
run swaps those values for its own. Every swap must find its text, so a change to a file that a
run no longer matches fails loudly instead of testing something else.
"""

from __future__ import annotations

import ast
import datetime as dt
import ipaddress
import os
import re
import shlex
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
INSTALL_ROOT = "/srv/govhall"
ENV_FILE = "/etc/govhall/govhall.env"
LOOPBACK = "127.0.0.1"
UNITS = (
    "govhall-web.service",
    "govhall-worker@.service",
    "govhall-scheduler.service",
    "govhall-migrate.service",
)
_ENV_CALL = re.compile(r"^env_(str|bool|int|list)$")


def _swap(text: str, swaps: dict[str, str], source: str) -> str:
    for old, new in swaps.items():
        if old not in text:
            raise ValueError(f"{source} no longer contains {old!r}: update govhall/deploy_files.py")
        text = text.replace(old, new)
    return text


def unit_text(name: str, *, root: Path, env_file: Path) -> str:
    """The unit with the checkout at `root` and the environment file at `env_file`."""
    path = DEPLOY / "systemd" / name
    return _swap(
        path.read_text(encoding="utf-8"),
        {INSTALL_ROOT: str(root), ENV_FILE: str(env_file)},
        str(path),
    )


def unit_commands(name: str, *, root: Path = REPO) -> list[list[str]]:
    """The unit's ExecStart commands, in order, as argument lists run from `root`."""
    text = unit_text(name, root=root, env_file=Path(ENV_FILE))
    return [
        shlex.split(line.partition("=")[2])
        for line in text.splitlines()
        if line.startswith("ExecStart=")
    ]


def nginx_site(
    *,
    upstream: str,
    http_port: int,
    https_port: int,
    static_root: Path,
    certificate: Path,
    certificate_key: Path,
    log_dir: Path,
) -> str:
    """The site file listening on loopback ports, with its own certificate, logs and files."""
    path = DEPLOY / "nginx" / "govhall.conf"
    return _swap(
        path.read_text(encoding="utf-8"),
        {
            "server 127.0.0.1:8000;": f"server {upstream};",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;\n": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;\n": "",
            "/etc/ssl/govhall/fullchain.pem": str(certificate),
            "/etc/ssl/govhall/privkey.pem": str(certificate_key),
            "/var/log/nginx/": f"{log_dir}/",
            "alias /var/lib/govhall/static/;": f"alias {static_root}/;",
        },
        str(path),
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid for a day, that the scenario's client trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return certificate_path, key_path


def nginx_main(prefix: Path) -> str:
    """An nginx.conf of a test run: everything under `prefix`, the site in prefix/govhall.conf."""
    temp_paths = "".join(
        f"    {kind}_temp_path {prefix}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would become `nobody`, who may not read the checkout.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 256; }}\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n    sendfile on;\n"
        f"    access_log {prefix}/access.log;\n{temp_paths}"
        f"    include {prefix}/govhall.conf;\n}}\n"
    )


def nginx_body_limit_bytes() -> int:
    """The site file's client_max_body_size in bytes."""
    text = (DEPLOY / "nginx" / "govhall.conf").read_text(encoding="utf-8")
    match = re.search(r"client_max_body_size (\d+)([km]?);", text)
    if match is None:
        raise ValueError("deploy/nginx/govhall.conf sets no client_max_body_size")
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]


def env_names_read(path: Path) -> set[str]:
    """The environment variables a module reads through govhall.env's helpers."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and _ENV_CALL.match(node.func.id)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def env_example_names() -> set[str]:
    """The variables deploy/govhall.env.example sets or shows commented out, `_FILE` dropped."""
    text = (DEPLOY / "govhall.env.example").read_text(encoding="utf-8")
    return {
        re.sub(r"_FILE$", "", match.group(1))
        for match in re.finditer(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)
    }
