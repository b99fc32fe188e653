"""Key-encryption keys (KEKs) and the keyring that holds them, outside the database.

Production reads the keyring text from a secret store or the environment (config is read in
one place; this module only parses it). Development keeps it in an instance-folder file made
by :func:`load_or_create_keyring_file`. Text form: ``id:base64url`` entries separated by
commas or newlines; the first entry is the current KEK, the others stay for unwrapping.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SealingError(Exception):
    """Base of sealing errors; carries an English and a Chinese message."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        """Keep both messages; ``str(error)`` is the English one."""
        super().__init__(message_en)
        self.message_en, self.message_zh = message_en, message_zh


class UnknownKek(SealingError):
    """The wrapped key names a KEK id the keyring does not hold."""


class KeyFormatError(SealingError):
    """A stored key, sealed bid or keyring text is malformed."""


def b64e(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str, size: int | None = None) -> bytes:
    """Strict inverse of :func:`b64e`, optionally of an exact byte size."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("bad base64", "base64 格式错误") from exc
    if b64e(data) != text or (size is not None and len(data) != size):
        raise KeyFormatError("bad base64 field", "base64 字段错误")
    return data


@dataclass(frozen=True)
class Kek:
    """A key-encryption key: an id (for rotation) and 32 secret bytes (never printed)."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        """Check the id's alphabet and the key size."""
        if not isinstance(self.key_id, str) or not KEY_ID_PATTERN.fullmatch(self.key_id):
            raise KeyFormatError("KEK id must be 1–64 of A-Z a-z 0-9 _ -", "KEK 标识格式错误")
        if not isinstance(self.secret, bytes) or len(self.secret) != KEY_BYTES:
            raise KeyFormatError("KEK must be 32 bytes", "KEK 必须为 32 字节")

    @classmethod
    def generate(cls, key_id: str) -> Kek:
        """A fresh random KEK."""
        return cls(key_id, os.urandom(KEY_BYTES))


@dataclass(frozen=True)
class KeyRing:
    """KEKs by id; the first one wraps new batch keys, all of them can unwrap."""

    keks: tuple[Kek, ...]

    def __post_init__(self) -> None:
        """At least one KEK, ids unique."""
        ids = [kek.key_id for kek in self.keks]
        if not ids or len(set(ids)) != len(ids):
            raise KeyFormatError("keyring needs one or more KEKs with unique ids", "密钥环错误")

    @property
    def current(self) -> Kek:
        """The KEK that wraps new batch keys."""
        return self.keks[0]

    def get(self, key_id: str) -> Kek:
        """The KEK with this id, or :class:`UnknownKek`."""
        for kek in self.keks:
            if kek.key_id == key_id:
                return kek
        raise UnknownKek(f"unknown KEK id {key_id!r}", f"未知的 KEK 标识 {key_id!r}")

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """Read ``id:base64url,id:base64url`` (commas or newlines; first = current)."""
        entries = [e.strip() for e in re.split(r"[,\n]", text) if e.strip()]
        keks = []
        for entry in entries:
            key_id, sep, secret = entry.partition(":")
            if not sep:
                raise KeyFormatError("keyring entry must be id:base64url", "密钥环条目格式错误")
            keks.append(Kek(key_id.strip(), b64d(secret.strip(), KEY_BYTES)))
        return cls(tuple(keks))

    def to_text(self) -> str:
        """The text :meth:`parse` reads (contains secrets: write it only to a secret store)."""
        return "\n".join(f"{kek.key_id}:{b64e(kek.secret)}" for kek in self.keks) + "\n"


def load_or_create_keyring_file(path: Path, key_id: str = "dev-1") -> KeyRing:
    """Development keyring: read ``path``, or create it (mode 0600) with one fresh KEK."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return KeyRing.parse(path.read_text(encoding="ascii"))
    ring = KeyRing((Kek.generate(key_id),))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(ring.to_text())
    return ring
