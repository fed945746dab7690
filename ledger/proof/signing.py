"""Signed checkpoints: each chain's head signed with its entity's Ed25519 key (docs/audit.md).

The keys come from one secret: FOLIO_LEDGER_SIGNING_KEY (64 hex digits) in production, or a file
created on first use under .local/ (ignored by git) elsewhere. Each entity's key is derived from it
with HKDF-SHA256 and the entity's id, so every entity signs with its own key and one secret is kept.
"""

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from erp.exceptions import RuleViolation
from erp.models import Entity
from numbering.chains import chain_field, chain_time

SIGNING_KEY_ENV = "FOLIO_LEDGER_SIGNING_KEY"
# Secrets used before a rotation (comma-separated, 64 hex digits each): their keys still verify the
# checkpoints they signed, and sign nothing new.
RETIRED_KEYS_ENV = "FOLIO_LEDGER_RETIRED_SIGNING_KEYS"
MESSAGE_FORMAT = "folio-ledger-checkpoint-v1"


def _local_secret_path() -> Path:
    return Path(settings.BASE_DIR) / ".local" / "ledger-signing-key"


def _secret_from_hex(text: str, name: str) -> bytes:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        secret = b""
    if len(secret) != 32:
        raise RuleViolation(
            f"{name} must hold 64 hexadecimal digits (32 bytes) per key.", code="ledger_signing_key_invalid"
        )
    return secret


def signing_secret() -> bytes:
    """Return the 32-byte secret every entity's signing key is derived from."""
    configured = os.environ.get(SIGNING_KEY_ENV, "").strip()
    if configured:
        return _secret_from_hex(configured, SIGNING_KEY_ENV)
    if getattr(settings, "PRODUCTION", False):
        # A refusal, not a crash: the command prints it in one line, the API answers it in its envelope.
        raise RuleViolation(
            f"{SIGNING_KEY_ENV} is not set: checkpoints can be neither signed nor checked in production.",
            code="ledger_signing_key_missing",
        )
    path = _local_secret_path()
    if not path.exists():
        _local_secret_create(path)
    return _secret_from_hex(path.read_text(), str(path))


def _local_secret_create(path: Path) -> None:
    """Write a new secret to `path`, whole and private; of two concurrent first runs, the first one's stays.

    Written to a private temporary file, then linked into place: the name never shows an empty or
    half-written file, which would give every entity a key derived from a secret anyone knows.
    """
    path.parent.mkdir(exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another run linked its secret first: that one stays
            os.link(partial, path)
    finally:
        partial.unlink()


def entity_signing_key(*, entity: Entity, secret: bytes | None = None) -> Ed25519PrivateKey:
    """Return the entity's Ed25519 private key, derived from the signing secret and its id."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"folio ledger signing key", info=str(entity.pk).encode()
    ).derive(secret or signing_secret())
    return Ed25519PrivateKey.from_private_bytes(seed)


def derived_public_keys(*, entity: Entity) -> set[str]:
    """Return the entity's public keys: the current signing key's and each retired one's."""
    current = public_key_hex(entity_signing_key(entity=entity, secret=signing_secret()))
    return {current, *retired_public_keys(entity=entity)}


def retired_public_keys(*, entity: Entity) -> set[str]:
    """Return the entity's public keys of FOLIO_LEDGER_RETIRED_SIGNING_KEYS (no current secret needed)."""
    retired = [item for item in os.environ.get(RETIRED_KEYS_ENV, "").split(",") if item.strip()]
    return {
        public_key_hex(entity_signing_key(entity=entity, secret=_secret_from_hex(item, RETIRED_KEYS_ENV)))
        for item in retired
    }


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """Return the raw public key of `key` as 64 hex digits."""
    return key.public_key().public_bytes_raw().hex()


def checkpoint_message(checkpoint) -> bytes:
    """Return the bytes a checkpoint's signature covers (the same field encoding as the chains)."""
    fields = (
        MESSAGE_FORMAT,
        checkpoint.chain_id,
        str(checkpoint.position),
        checkpoint.record_type,
        checkpoint.record_id,
        checkpoint.chain_hash,
        chain_time(checkpoint.signed_at),
    )
    return "".join(chain_field(value) for value in fields).encode()


def signature_valid(*, public_key: str, signature: str, message: bytes) -> bool:
    """Tell whether `signature` (hex) is the key's signature of `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def key_fingerprint(public_key: str) -> str:
    """Return a short fingerprint of a public key, for people comparing keys by eye."""
    return hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:16]
