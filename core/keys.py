"""Keyrings of 32-byte secret keys kept outside the database, and the development key files.

A keyring's text form is ``id:base64url`` entries separated by commas or newlines; the first
entry is the current key (it seals or signs new things), the others stay for reading what older
keys made, so keys rotate by prepending a new one. Production passes the text in a secret
(``JICAI_SEAL_KEK``, ``JICAI_AUDIT_KEY``); development keeps it in a file of the instance folder,
created only by a command that needs it (:func:`load_or_create_keyring_file`, mode 0600, the
folder 0700), never as a side effect of reading configuration.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class KeyringError(Exception):
    """Base of key errors; carries an English and a Chinese message."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        """Keep both messages; ``str(error)`` is the English one."""
        super().__init__(message_en)
        self.message_en, self.message_zh = message_en, message_zh


class UnknownKey(KeyringError):
    """Something names a key id the keyring does not hold."""


class KeyFormatError(KeyringError):
    """A stored key, sealed value or keyring text is malformed."""


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
class Key:
    """A secret key: an id (for rotation) and 32 secret bytes (never printed)."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        """Check the id's alphabet and the key size."""
        if not isinstance(self.key_id, str) or not KEY_ID_PATTERN.fullmatch(self.key_id):
            raise KeyFormatError("key id must be 1–64 of A-Z a-z 0-9 _ -", "密钥标识格式错误")
        if not isinstance(self.secret, bytes) or len(self.secret) != KEY_BYTES:
            raise KeyFormatError("key must be 32 bytes", "密钥必须为 32 字节")

    @classmethod
    def generate(cls, key_id: str) -> Key:
        """A fresh random key."""
        return cls(key_id, os.urandom(KEY_BYTES))


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; the first one makes new things, all of them can read."""

    keys: tuple[Key, ...]

    def __post_init__(self) -> None:
        """At least one key, ids unique."""
        ids = [key.key_id for key in self.keys]
        if not ids or len(set(ids)) != len(ids):
            raise KeyFormatError("keyring needs one or more keys with unique ids", "密钥环错误")

    @property
    def keks(self) -> tuple[Key, ...]:
        """The keys, by the sealing name (key-encryption keys)."""
        return self.keys

    @property
    def current(self) -> Key:
        """The key that seals or signs new things."""
        return self.keys[0]

    def get(self, key_id: str) -> Key:
        """The key with this id, or :class:`UnknownKey`."""
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise UnknownKey(f"unknown key id {key_id!r}", f"未知的密钥标识 {key_id!r}")

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """Read ``id:base64url,id:base64url`` (commas or newlines; first = current)."""
        entries = [e.strip() for e in re.split(r"[,\n]", text) if e.strip()]
        keys = []
        for entry in entries:
            key_id, sep, secret = entry.partition(":")
            if not sep:
                raise KeyFormatError("keyring entry must be id:base64url", "密钥环条目格式错误")
            keys.append(Key(key_id.strip(), b64d(secret.strip(), KEY_BYTES)))
        return cls(tuple(keys))

    def to_text(self) -> str:
        """The text :meth:`parse` reads (contains secrets: write it only to a secret store)."""
        return "\n".join(f"{key.key_id}:{b64e(key.secret)}" for key in self.keys) + "\n"


def create_secret_file(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` unless it exists (mode 0600, its folder made 0700); the file's
    text either way. Atomic: the text is written to a private temporary file first and linked
    into place, so a concurrent creator never reads a half-written key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return path.read_text(encoding="ascii")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text(encoding="ascii")
    finally:
        temporary.unlink(missing_ok=True)
    return text


def load_or_create_keyring_file(path: Path, key_id: str = "dev-1") -> KeyRing:
    """Development keyring: read ``path``, or create it (mode 0600) with one fresh key."""
    return KeyRing.parse(create_secret_file(path, KeyRing((Key.generate(key_id),)).to_text()))


def read_keyring_file(path: Path) -> KeyRing | None:
    """The keyring in ``path``, or None when there is no such file (nothing is created)."""
    try:
        return KeyRing.parse(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        return None
