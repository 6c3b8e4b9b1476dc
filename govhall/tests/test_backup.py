"""`govhall backup` and `govhall restore`: a center with a case, its uploads, its certificate and
a rating, backed up and restored into an empty database and an empty data directory, where every
row, every file, the signing key and the audit chain are found again."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.selectors import chain_verify
from cases.models import Case, CaseMaterial, CaseStatus
from cases.services import Decision, case_decide, material_upload
from cases.tests.conftest import (  # noqa: F401 -- fixtures shared with the cases' tests
    PDF,
    PNG,
    World,
    _english,
    accept,
    frozen,
    submit,
    world,
)
from cases.tests.test_decision import finish_stages
from feedback.models import Rating, RatingChannel
from feedback.services import RatingInput, rating_give
from govhall.backup import BackupError, backup_create, backup_restore
from sharing.models import Certificate
from sharing.selectors import GENUINE, certificate_verify
from sharing.tests.conftest import Registry, registry  # noqa: F401 -- the shared fixture

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Seeded:
    case: Case
    certificate: Certificate
    rating: Rating
    uploads: dict[str, bytes]


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    """The deployment's own data directory with its secret key file, as embedded mode keeps it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text(settings.SECRET_KEY, encoding="utf-8")
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "media"
    settings.GOVHALL_CERTIFICATE_KEY_PATH = ""


@pytest.fixture
def seeded(registry: Registry) -> Seeded:  # noqa: F811 -- the imported fixture
    people = registry.world
    case = submit(people, key="backup")
    licence = material_upload(
        case=case,
        user=people.citizen,
        upload=SimpleUploadedFile("营业执照.pdf", PDF),
        spec=people.licence,
    )
    photo = material_upload(
        case=case,
        user=people.citizen,
        upload=SimpleUploadedFile("photo.png", PNG + b"backup"),
        spec=people.photo,
    )
    accept(people, case)
    finish_stages(case, registry.head)
    case_decide(case=case, staff=registry.head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    case.refresh_from_db()
    rating = rating_give(
        case=case,
        channel=RatingChannel.ONLINE,
        given=RatingInput(level=5, comment="很快"),
        rater=people.citizen,
    )
    return Seeded(
        case=case,
        certificate=Certificate.objects.get(case_certificate__case=case),
        rating=rating,
        uploads={licence.file.name: PDF, photo.file.name: PNG + b"backup"},
    )


def model_counts() -> dict[str, int]:
    """Rows of every table Django knows, many-to-many tables included, through the ORM."""
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@contextmanager
def pointed_at(target: dict[str, Any]) -> Iterator[None]:
    """The ORM reads the restored database for a while, then the test database again."""
    original = connection.settings_dict
    connection.close()
    connection.settings_dict = target
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = original


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second, empty database of the same vendor: a file, or `<test db>_restore` created here
    and dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_into_an_empty_deployment_finds_every_row_and_file(
    seeded: Seeded, empty_database: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    before = model_counts()
    old_media = Path(settings.MEDIA_ROOT)
    old_key = (Path(settings.DATA_DIR) / "certificate_signing_key.pem").read_bytes()
    (tmp_path / "backups").mkdir()

    made = backup_create(destination=tmp_path / "backups")

    assert made.path.parent == tmp_path / "backups"
    assert made.path.name.startswith("govhall-backup-")
    assert made.path.stat().st_mode & 0o077 == 0
    assert (made.files, made.keys) == (2, ["certificate_signing_key.pem", "secret_key"])
    assert made.rows == sum(before.values()) + unmodelled_rows(made.path, before)

    new_data = tmp_path / "new-machine"
    restored = backup_restore(
        archive_path=made.path,
        database=empty_database,
        media_root=new_data / "media",
        data_dir=new_data,
    )

    assert (restored.files, restored.rows, restored.tables) == (2, made.rows, made.tables)
    settings.MEDIA_ROOT = new_data / "media"
    settings.DATA_DIR = new_data
    with pointed_at(empty_database):
        assert model_counts() == before
        case = Case.objects.get(number=seeded.case.number)
        assert case.status == CaseStatus.CONCLUDED_APPROVED
        assert case.applicant_name == "张小三"
        materials = {m.file.name: m for m in CaseMaterial.objects.filter(case=case)}
        assert set(materials) == set(seeded.uploads)
        for name, content in seeded.uploads.items():
            with materials[name].file.open("rb") as stored:
                assert stored.read() == content
        assert Rating.objects.get(pk=seeded.rating.pk).level == 5
        # The signing key came back too: the old certificate still proves genuine.
        verification = certificate_verify(
            identifier=seeded.certificate.identifier,
            token=seeded.certificate.token,
            today=seeded.certificate.issued_on,
        )
        assert verification.verdict == GENUINE
        chain = chain_verify()
        assert chain.broken is None
        assert chain.entries > 0
    old_files = {
        p.relative_to(old_media): p.read_bytes() for p in old_media.rglob("*") if p.is_file()
    }
    new_files = {
        p.relative_to(new_data / "media"): p.read_bytes()
        for p in (new_data / "media").rglob("*")
        if p.is_file()
    }
    assert new_files == old_files
    assert (new_data / "certificate_signing_key.pem").read_bytes() == old_key
    assert (new_data / "secret_key").read_text(encoding="utf-8") == settings.SECRET_KEY


def unmodelled_rows(archive: Path, modelled: dict[str, int]) -> int:
    """Rows of tables no model names (django_migrations): the manifest counts every table."""
    tables = read_manifest(archive)["tables"]
    for table, count in modelled.items():
        assert tables[table] == count, table
    return sum(count for table, count in tables.items() if table not in modelled)


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as opened:
        handle = opened.extractfile("manifest.json")
        assert handle is not None
        manifest: dict[str, Any] = json.loads(handle.read())
    return manifest


def rewrite(archive: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of the archive with members changed by `change(name, content)`."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            handle = source.extractfile(member)
            assert handle is not None
            content = change(member.name, handle.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))
    return target


def restore_into(archive: Path, database: dict[str, Any], data_dir: Path) -> None:
    backup_restore(
        archive_path=archive, database=database, media_root=data_dir / "media", data_dir=data_dir
    )


@pytest.fixture
def archive(seeded: Seeded, tmp_path: Path) -> Path:
    return backup_create(destination=tmp_path / "backup.tar.gz").path


def test_a_database_with_data_is_not_overwritten_without_force(
    archive: Path, seeded: Seeded
) -> None:
    with pytest.raises(BackupError, match=r"already holds data.*--force"):
        backup_restore(archive_path=archive)
    assert Case.objects.filter(pk=seeded.case.pk).exists()


def test_force_replaces_the_data_and_keeps_the_former_media_aside(
    archive: Path, seeded: Seeded, settings: Any
) -> None:
    media = Path(settings.MEDIA_ROOT)
    (media / "stray.txt").write_text("not in the backup", encoding="utf-8")
    Rating.objects.filter(pk=seeded.rating.pk).update(comment="changed after the backup")

    report = backup_restore(archive_path=archive, force=True)

    assert Rating.objects.get(pk=seeded.rating.pk).comment == "很快"
    assert not (media / "stray.txt").exists()
    aside = [note for note in report.notes if "former media folder" in note]
    assert len(aside) == 1
    assert any(p.name == "stray.txt" for p in media.parent.glob("media.before-restore-*/*"))


def test_a_file_that_does_not_match_its_checksum_is_refused_before_anything_changes(
    archive: Path, seeded: Seeded, empty_database: dict[str, Any], tmp_path: Path
) -> None:
    upload = next(iter(seeded.uploads))
    tampered = rewrite(
        archive,
        tmp_path / "tampered.tar.gz",
        lambda name, content: content + b"!" if name.endswith(upload) else content,
    )
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore_into(tampered, empty_database, tmp_path / "new")
    assert not (tmp_path / "new" / "media").exists()
    with pointed_at(empty_database):
        assert connection.introspection.table_names() == []


def test_a_backup_of_another_database_vendor_is_refused(
    archive: Path, empty_database: dict[str, Any], tmp_path: Path
) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def vendor(name: str, content: bytes) -> bytes:
        if name != "manifest.json":
            return content
        return json.dumps({**json.loads(content), "vendor": other}).encode()

    foreign = rewrite(archive, tmp_path / "foreign.tar.gz", vendor)
    with pytest.raises(BackupError, match="Moving between databases is not something restore"):
        restore_into(foreign, empty_database, tmp_path / "new")


def test_the_commands_answer_a_missing_or_corrupt_file_with_a_message(
    archive: Path, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="There is no backup file"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:2000])
    with pytest.raises(CommandError, match="is not a usable govhall backup"):
        call_command("restore", str(truncated))
    text = tmp_path / "text.tar.gz"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(CommandError, match=r"not a usable govhall backup.*nothing was changed"):
        call_command("restore", str(text))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no-such-folder" / "b.tar.gz"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", f"{tmp_path / 'no-such-folder'}/")
    assert not (tmp_path / "no-such-folder").exists()


def test_the_backup_command_says_what_it_wrote(seeded: Seeded, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    written = list(tmp_path.glob("govhall-backup-*.tar.gz"))
    assert len(written) == 1
    assert (
        f"2 uploaded files and the keys certificate_signing_key.pem, secret_key to {written[0]}"
        in (out.getvalue())
    )
    manifest = read_manifest(written[0])
    assert manifest["media_file_count"] == 2
    assert manifest["vendor"] == connection.vendor
