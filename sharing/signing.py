"""The center's Ed25519 key that signs the registry's certificates, and checks of signatures."""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_KEY_NAME = "certificate_signing_key.pem"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    key_id: str

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def key_path() -> tuple[Path, bool]:
    """The key file, and whether govhall may create it (only the default one under the data
    directory: a configured path that is missing is a mistake to report, not to paper over)."""
    configured = settings.GOVHALL_CERTIFICATE_KEY_PATH
    if configured:
        return Path(configured), False
    return Path(settings.DATA_DIR) / DEFAULT_KEY_NAME, True


def signing_key() -> SigningKey:
    path, may_create = key_path()
    return _load(str(path), may_create)


@functools.cache
def _load(path_name: str, may_create: bool) -> SigningKey:
    path = Path(path_name)
    if not path.exists():
        if not may_create:
            raise ImproperlyConfigured(
                f"GOVHALL_CERTIFICATE_KEY_PATH={path} does not exist: create the key "
                "(openssl genpkey -algorithm ed25519) or unset the variable."
            )
        _create(path)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"The certificate key {path} cannot be read: {exc}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"The certificate key {path} is not an Ed25519 key.")
    public = loaded.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return SigningKey(loaded, public, hashlib.sha256(raw).hexdigest()[:16])


def _create(path: Path) -> None:
    """Write a new key readable by its owner only; a second process racing here loses cleanly."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: a reader never sees half a
    # key, and when two processes race the first link wins and the other keeps that key.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def sign(payload: bytes) -> tuple[str, str]:
    """The payload's signature (base64url without padding) and the signing key's id."""
    key = signing_key()
    signature = base64.urlsafe_b64encode(key.private.sign(payload)).rstrip(b"=").decode("ascii")
    return signature, key.key_id


def signature_holds(payload: bytes, signature: str, key_id: str) -> bool:
    """Whether `signature` by the key `key_id` covers exactly `payload`."""
    key = signing_key()
    if key_id != key.key_id:
        return False
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        key.public.verify(raw, payload)
    except (InvalidSignature, ValueError):
        return False
    return True
