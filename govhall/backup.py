"""Backup and restore of a whole deployment: the database, the private uploads and the keys.

One `.tar.gz` holds `manifest.json` (first), the database (`database.sqlite3`, made with
SQLite's online backup API, or `database.pgdump`, made by `pg_dump --format=custom`), every file
under MEDIA_ROOT as `media/…`, and the keys kept in the data directory as `keys/…`. The
manifest lists the row count of every table, taken inside the same snapshot as the dump, and the
size and SHA-256 of every file, so a restore proves what it brought back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.signing import DEFAULT_KEY_NAME, key_path

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY_NAME = "secret_key"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# What `migrate` alone leaves empty: rows here mean the database already holds a center's data.
DATA_TABLES = ("accounts_user", "catalog_center", "cases_case")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message that says what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    keys: list[str]
    notes: list[str]


@dataclass(frozen=True)
class RestoreReport:
    vendor: str
    created_at: str
    version: str
    tables: int
    rows: int
    files: int
    keys: list[str]
    notes: list[str] = field(default_factory=list)


def vendor_label(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


@contextmanager
def _database(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the database `settings_dict` names, closed afterwards: the
    backup's snapshot and the restore's checks never share the application's transaction."""
    backend = load_backend(settings_dict["ENGINE"])
    wrapper: BaseDatabaseWrapper = backend.DatabaseWrapper(dict(settings_dict), "govhall_backup")
    try:
        try:
            wrapper.ensure_connection()
        except DatabaseError as exc:
            raise BackupError(
                _("Cannot open the database %(name)s: %(error)s")
                % {"name": settings_dict["NAME"], "error": str(exc).strip()}
            ) from exc
        yield wrapper
    finally:
        wrapper.close()


def _table_names(raw: Any, vendor: str) -> list[str]:
    cursor = raw.cursor()
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(str(row[0]) for row in cursor.fetchall())


def _row_counts(raw: Any, vendor: str) -> dict[str, int]:
    cursor = raw.cursor()
    counts: dict[str, int] = {}
    for table in _table_names(raw, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 -- names from the catalog
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: the password never shows in `ps`."""
    environment = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    environment.update({key: str(value) for key, value in pairs.items() if value})
    return environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            _("%(tool)s is not installed: install the PostgreSQL client tools (postgresql-client).")
            % {"tool": command[0]}
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": result.stderr.strip()}
        )


def _dump_database(settings_dict: dict[str, Any], vendor: str, target: Path) -> dict[str, int]:
    """Write the database to `target` and count its rows in the very same snapshot."""
    with _database(settings_dict) as wrapper:
        raw = wrapper.connection
        if vendor == "sqlite":
            # One step: a read transaction for the whole copy, which WAL lets writers run beside.
            copy = sqlite3.connect(target)
            try:
                raw.backup(copy)
                return _row_counts(copy, vendor)
            finally:
                copy.close()
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            counts = _row_counts(raw, vendor)
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                _pg_environment(settings_dict),
            )
            return counts
        finally:
            cursor.execute("COMMIT")


def _keys_to_keep() -> tuple[dict[str, Path], list[str]]:
    """The key files kept in the data directory, by archive name, and notes on those left out."""
    data_dir = Path(settings.DATA_DIR)
    keys: dict[str, Path] = {}
    notes: list[str] = []
    secret_file = data_dir / SECRET_KEY_NAME
    if secret_file.exists() and secret_file.read_text(encoding="utf-8").strip() == str(
        settings.SECRET_KEY
    ):
        keys[SECRET_KEY_NAME] = secret_file
    else:
        notes.append(
            _("The secret key comes from SECRET_KEY, not the data directory: keep it yourself.")
        )
    certificate_key, in_data_dir = key_path()
    if in_data_dir and certificate_key.exists():
        keys[DEFAULT_KEY_NAME] = certificate_key
    elif not in_data_dir:
        notes.append(
            _(
                "The certificate signing key lives at %(path)s (GOVHALL_CERTIFICATE_KEY_PATH), "
                "outside the data directory: back it up yourself."
            )
            % {"path": certificate_key}
        )
    return keys, notes


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _media_files(media_root: Path) -> dict[str, Path]:
    if not media_root.is_dir():
        return {}
    return {
        "media/" + path.relative_to(media_root).as_posix(): path
        for path in sorted(media_root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _destination(named: str | Path, now: dt.datetime) -> Path:
    """The archive's path: a file named by date and time in a folder, or the file named."""
    path = Path(named)
    # "backups/" names a folder even before it exists: never a file called "backups".
    folder = path if path.is_dir() or str(named).endswith(("/", os.sep)) else path.parent
    if not folder.is_dir():
        raise BackupError(
            _("The folder %(folder)s does not exist: create it or name another.")
            % {"folder": folder}
        )
    if folder == path:
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
        return path / f"govhall-backup-{stamp}.tar.gz"
    return path


def _version() -> str:
    try:
        return importlib.metadata.version("govhall")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


class _CheckedReader:
    """Reads a file into the archive while hashing it: what goes in is what the manifest says."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def backup_create(*, destination: str | Path, now: dt.datetime | None = None) -> BackupReport:
    """Write one archive of the database, the uploads and the keys; return what it holds.

    The database is copied first: uploads are written before the rows that name them commit and
    are never changed, so every file the snapshot refers to is already on disk when the media
    folder is read.
    """
    now = now or timezone.now()
    settings_dict = connections["default"].settings_dict
    vendor = connections["default"].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(_("govhall backs up SQLite and PostgreSQL only."))
    target = _destination(destination, now)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".govhall-backup-") as work:
        database_file = Path(work) / DATABASE_FILES[vendor]
        tables = _dump_database(settings_dict, vendor, database_file)
        keys, notes = _keys_to_keep()
        members: dict[str, Path] = {DATABASE_FILES[vendor]: database_file}
        media = _media_files(Path(settings.MEDIA_ROOT))
        members.update(media)
        members.update({f"keys/{name}": path for name, path in keys.items()})
        files: dict[str, dict[str, Any]] = {}
        for name, path in members.items():
            digest, size = _digest(path)
            files[name] = {"sha256": digest, "size": size}
        manifest = {
            "format": FORMAT,
            "govhall_version": _version(),
            "vendor": vendor,
            "created_at": now.isoformat(),
            "tables": tables,
            "media_file_count": len(media),
            "keys": sorted(keys),
            "files": files,
        }
        partial = Path(work) / "archive.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
            for name, path in members.items():
                info = tarfile.TarInfo(name)
                info.size = files[name]["size"]
                info.mode = 0o600
                info.mtime = int(path.stat().st_mtime)
                with path.open("rb") as file:
                    reader = _CheckedReader(file)
                    archive.addfile(info, reader)
                if reader.digest.hexdigest() != files[name]["sha256"]:
                    raise BackupError(
                        _("%(name)s changed while it was being backed up: run the backup again.")
                        % {"name": name}
                    )
        os.replace(partial, target)
    return BackupReport(
        path=target,
        vendor=vendor,
        tables=len(tables),
        rows=sum(tables.values()),
        files=len(media),
        keys=sorted(keys),
        notes=notes,
    )


def _corrupt(path: Path, reason: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a usable govhall backup (%(reason)s): nothing was changed.")
        % {"path": path, "reason": reason}
    )


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    first = archive.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise _corrupt(path, _("it does not start with a manifest"))
    handle = archive.extractfile(first)
    if handle is None:
        raise _corrupt(path, _("the manifest cannot be read"))
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(path, _("the manifest is not valid JSON")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupt(path, _("the manifest is of an unknown format"))
    for key, kind in (("vendor", str), ("tables", dict), ("files", dict), ("keys", list)):
        if not isinstance(manifest.get(key), kind):
            raise _corrupt(path, _("the manifest lacks %(key)s") % {"key": key})
    return manifest


def _member_allowed(name: str, vendor: str, keys: list[str]) -> bool:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        return False
    if name == DATABASE_FILES.get(vendor):
        return True
    if pure.parts[0] == "media" and len(pure.parts) > 1:
        return True
    return len(pure.parts) == 2 and pure.parts[0] == "keys" and pure.parts[1] in keys


def _extract_checked(
    archive: tarfile.TarFile, path: Path, manifest: dict[str, Any], work: Path
) -> None:
    """Unpack every member into `work`, each hashed on the way against the manifest."""
    expected: dict[str, Any] = manifest["files"]
    seen: set[str] = set()
    for member in archive:
        name = member.name
        if name == MANIFEST and not seen:
            continue
        if not member.isfile() or not _member_allowed(name, manifest["vendor"], manifest["keys"]):
            raise _corrupt(path, _("it holds an unexpected entry %(name)s") % {"name": name})
        if name not in expected or name in seen:
            raise _corrupt(path, _("%(name)s is not in its manifest") % {"name": name})
        source = archive.extractfile(member)
        if source is None:
            raise _corrupt(path, _("%(name)s cannot be read") % {"name": name})
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[name].get("sha256"):
            raise _corrupt(path, _("%(name)s does not match its checksum") % {"name": name})
        seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise _corrupt(path, _("%(name)s is missing") % {"name": missing[0]})


def _target_holds_data(settings_dict: dict[str, Any], vendor: str, media_root: Path) -> str:
    """What in the target would be overwritten, or "" when it is empty."""
    if vendor == "sqlite" and not Path(settings_dict["NAME"]).exists():
        return ""
    with _database(settings_dict) as wrapper:
        raw = wrapper.connection
        tables = set(_table_names(raw, vendor))
        cursor = raw.cursor()
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608 -- fixed names
                if cursor.fetchone() is not None:
                    return _("the database %(name)s already holds data (%(table)s)") % {
                        "name": settings_dict["NAME"],
                        "table": table,
                    }
    if media_root.is_dir() and any(media_root.iterdir()):
        return _("the media folder %(folder)s is not empty") % {"folder": media_root}
    return ""


def _load_database(settings_dict: dict[str, Any], vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        with _database(settings_dict) as wrapper:
            source = sqlite3.connect(dump)
            try:
                # The online backup API in reverse: the target's pages are replaced whole, and
                # its WAL with them, which copying the file over would not do.
                source.backup(wrapper.connection)
            finally:
                source.close()
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        _pg_environment(settings_dict),
    )


def _set_aside(path: Path, stamp: str) -> Path:
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.rename(aside)
    return aside


def _place_media(work: Path, media_root: Path, stamp: str, notes: list[str]) -> None:
    if media_root.is_dir() and any(media_root.iterdir()):
        aside = _set_aside(media_root, stamp)
        notes.append(_("The former media folder was kept as %(path)s.") % {"path": aside})
    elif media_root.is_dir():
        media_root.rmdir()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    extracted = work / "media"
    if extracted.is_dir():
        shutil.move(str(extracted), str(media_root))
    else:
        media_root.mkdir()


def _place_keys(work: Path, keys: list[str], data_dir: Path, stamp: str, notes: list[str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in keys:
        content = (work / "keys" / name).read_bytes()
        target = data_dir / name
        if target.exists() and target.read_bytes() != content:
            aside = _set_aside(target, stamp)
            notes.append(
                _("The former %(name)s was kept as %(path)s.") % {"name": name, "path": aside}
            )
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    if SECRET_KEY_NAME in keys and os.environ.get("SECRET_KEY"):
        notes.append(
            _("SECRET_KEY is set in the environment, so the restored secret_key file is not used.")
        )
    configured = settings.GOVHALL_CERTIFICATE_KEY_PATH
    if DEFAULT_KEY_NAME in keys and configured:
        notes.append(
            _(
                "The certificate key was restored to %(path)s, but GOVHALL_CERTIFICATE_KEY_PATH "
                "names %(configured)s: move it there to verify old certificates."
            )
            % {"path": data_dir / DEFAULT_KEY_NAME, "configured": configured}
        )


def _verify(
    settings_dict: dict[str, Any],
    vendor: str,
    manifest: dict[str, Any],
    media_root: Path,
    data_dir: Path,
) -> None:
    with _database(settings_dict) as wrapper:
        counts = _row_counts(wrapper.connection, vendor)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            raise BackupError(
                _(
                    "After the restore the table %(table)s has %(found)s rows, the backup had "
                    "%(expected)s: the restore is incomplete; restore again with --force."
                )
                % {"table": table, "found": counts.get(table), "expected": expected}
            )
    for name, facts in manifest["files"].items():
        parts = PurePosixPath(name).parts
        if parts[0] == "media":
            path = media_root.joinpath(*parts[1:])
        elif parts[0] == "keys":
            path = data_dir / parts[1]
        else:
            continue
        if not path.is_file() or _digest(path)[0] != facts["sha256"]:
            raise BackupError(
                _("After the restore %(path)s is missing or differs from the backup.")
                % {"path": path}
            )


def backup_restore(
    *,
    archive_path: Path,
    force: bool = False,
    database: dict[str, Any] | None = None,
    media_root: Path | None = None,
    data_dir: Path | None = None,
) -> RestoreReport:
    """Check the archive whole, then replace the database, the media folder and the keys with
    its contents, and count everything again. The target defaults to this deployment's.

    Nothing is changed unless the archive is intact, of this database's vendor, and the target
    is empty or `force` is given. What `force` replaces is set aside, not deleted (the media
    folder and keys; the database itself is overwritten).
    """
    settings_dict = database or connections["default"].settings_dict
    media_root = media_root or Path(settings.MEDIA_ROOT)
    data_dir = data_dir or Path(settings.DATA_DIR)
    vendor = load_backend(settings_dict["ENGINE"]).DatabaseWrapper.vendor
    if not archive_path.is_file():
        raise BackupError(_("There is no backup file %(path)s.") % {"path": archive_path})
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".govhall-restore-") as work_name:
        work = Path(work_name)
        try:
            with tarfile.open(archive_path, mode="r:gz") as archive:
                manifest = _read_manifest(archive, archive_path)
                if manifest["vendor"] != vendor:
                    raise BackupError(
                        _(
                            "%(path)s is a backup of a %(archive)s database and this govhall "
                            "runs on %(target)s: restore it onto %(archive)s. Moving between "
                            "databases is not something restore does."
                        )
                        % {
                            "path": archive_path,
                            "archive": vendor_label(manifest["vendor"]),
                            "target": vendor_label(vendor),
                        }
                    )
                _extract_checked(archive, archive_path, manifest, work)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise _corrupt(archive_path, str(exc) or exc.__class__.__name__) from exc
        if not force:
            holds = _target_holds_data(settings_dict, vendor, media_root)
            if holds:
                raise BackupError(
                    _(
                        "Nothing was restored: %(what)s. Restore into an empty database, or "
                        "add --force to replace it."
                    )
                    % {"what": holds}
                )
        notes: list[str] = []
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        connections.close_all()
        _load_database(settings_dict, vendor, work / DATABASE_FILES[vendor])
        _place_media(work, media_root, stamp, notes)
        _place_keys(work, manifest["keys"], data_dir, stamp, notes)
    _verify(settings_dict, vendor, manifest, media_root, data_dir)
    if manifest.get("govhall_version") != _version():
        notes.append(
            _("The backup was made by govhall %(version)s: run `govhall migrate` now.")
            % {"version": manifest.get("govhall_version")}
        )
    tables: dict[str, int] = manifest["tables"]
    return RestoreReport(
        vendor=vendor,
        created_at=str(manifest.get("created_at", "")),
        version=str(manifest.get("govhall_version", "")),
        tables=len(tables),
        rows=sum(tables.values()),
        files=sum(1 for name in manifest["files"] if name.startswith("media/")),
        keys=list(manifest["keys"]),
        notes=notes,
    )
