"""The center's key: made once, owner-only; signatures that catch tampering."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from sharing.models import Certificate
from sharing.selectors import GENUINE, NOT_GENUINE, certificate_verify
from sharing.signing import DEFAULT_KEY_NAME, signature_holds, signing_key


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    key = signing_key()
    path = tmp_path / DEFAULT_KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert signing_key().key_id == key.key_id
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_configured_key_that_is_missing_is_reported(settings: Any, tmp_path: Path) -> None:
    settings.GOVHALL_CERTIFICATE_KEY_PATH = str(tmp_path / "nowhere.pem")
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        signing_key()


def test_a_configured_key_that_is_not_ed25519_is_reported(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "wrong.pem"
    path.write_text("not a key")
    settings.GOVHALL_CERTIFICATE_KEY_PATH = str(path)
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        signing_key()


def test_the_signature_holds_and_fails_once_a_field_is_changed_in_the_database(
    certificate: Certificate,
) -> None:
    assert signature_holds(certificate.signed_payload(), certificate.signature, certificate.key_id)
    verdict = certificate_verify(
        identifier=certificate.identifier, token=certificate.token, today=certificate.issued_on
    ).verdict
    assert verdict == GENUINE
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="李四")
    tampered = certificate_verify(
        identifier=certificate.identifier, token=certificate.token, today=certificate.issued_on
    )
    assert tampered.verdict == NOT_GENUINE
    assert tampered.holder_name == "" and tampered.type_name == ""


def test_changed_data_and_a_later_expiry_break_the_signature_too(
    certificate: Certificate,
) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(data={"shop": "别家面馆", "kind": "餐饮"})
    changed = Certificate.objects.select_related("type", "issuer").get(pk=certificate.pk)
    assert not signature_holds(changed.signed_payload(), changed.signature, changed.key_id)
    Certificate.objects.filter(pk=certificate.pk).update(data=certificate.data, expires_on=None)
    changed = Certificate.objects.select_related("type", "issuer").get(pk=certificate.pk)
    assert not signature_holds(changed.signed_payload(), changed.signature, changed.key_id)


def test_a_signature_by_another_key_does_not_hold(
    certificate: Certificate, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path / "elsewhere"  # a new center key
    assert not signature_holds(
        certificate.signed_payload(), certificate.signature, certificate.key_id
    )
