"""Held files: a file made for one user (the annotated workbook of a rejected upload) kept briefly,
encrypted so that only the holder of its download token can read it.

A rejected bid workbook's annotated copy carries every row's price and capacity before the
opening, so nothing here rests in clear: each file is sealed with AES-256-GCM under a random key
that exists only inside the token handed to the user. The server keeps the ciphertext under a
name derived from a hash of the key, beside a small record (owner, expiry, size) bound to the
ciphertext as associated data — never the key. Neither the server's disk nor a backup can read
a held file; the token alone is not enough either, the owner must be signed in.

Bounds: a file larger than ``max_file_bytes`` is not held (:class:`HeldTooLarge`); each user
keeps at most ``user_files`` files and ``user_bytes`` bytes — holding a new one removes that
user's oldest first (the newest annotated workbook is the one the user needs; the older ones
belong to uploads already superseded). Expired files are removed by :func:`sweep`, which the
scheduler runs hourly (and every hold runs too). Pure file handling (no Flask):
``web.downloads`` serves the files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, base64url without padding
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How long files are kept and how much one user may hold (``core.config`` settings)."""

    keep_seconds: int = 24 * 3600
    max_file_bytes: int = 32 * _MB
    user_files: int = 5
    user_bytes: int = 64 * _MB


class HeldTooLarge(Exception):
    """The file is over the size bound of one held file; it is not kept."""

    def __init__(self, size: int, limit: int) -> None:
        """Keep both sizes for the message."""
        self.size, self.limit = size, limit
        self.zh = f"标注错误的工作簿过大（{size / _MB:.1f} MB，上限 {limit / _MB:.0f} MB），未予保留；请按页面列出的错误修改后重新上传"
        self.en = (f"the annotated workbook is too large to keep ({size / _MB:.1f} MB, limit {limit / _MB:.0f} MB); "
                   "fix the errors listed on the page and upload again")
        super().__init__(f"{self.zh} / {self.en}")


def folder_of(instance_path: str | Path) -> Path:
    """Where held files live: ``<instance>/held`` (the web process and the scheduler agree)."""
    return Path(instance_path) / "held"


def _name(key: bytes) -> str:
    """The storage name of the file sealed under ``key`` (a one-way hash: it reveals no key)."""
    return hashlib.sha256(b"jicai-held-file\x00" + key).hexdigest()


def _key(token: str) -> bytes | None:
    """The key inside a download token, or None for anything that is not a token."""
    if not _TOKEN.match(token):
        return None
    try:
        return base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None


def _aad(name: str, meta: dict) -> bytes:
    """Associated data: the storage name and the record (owner, expiry) the ciphertext is bound to."""
    return json.dumps({"name": name, "user": meta["user"], "expires": meta["expires"]}, sort_keys=True).encode()


def _write(path: Path, data: bytes) -> None:
    """Write a file readable by this user only, atomically (a reader never sees half of it)."""
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _remove(folder: Path, name: str) -> None:
    """Remove one held file and its record (best effort: another process may do it too)."""
    for suffix in (".bin", ".json"):
        (folder / f"{name}{suffix}").unlink(missing_ok=True)


def _records(folder: Path) -> list[tuple[str, dict | None]]:
    """(storage name, record or None when unreadable) for every held file."""
    out = []
    for meta in folder.glob("*.json"):
        try:
            out.append((meta.stem, json.loads(meta.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            out.append((meta.stem, None))
    return out


def sweep(folder: Path, now: float | None = None) -> int:
    """Remove expired files, files in the old clear format (a record without an expiry) and
    leftovers of interrupted writes; how many files were removed."""
    now = time.time() if now is None else now
    if not folder.is_dir():
        return 0
    removed = 0
    for name, meta in _records(folder):
        if meta is None or not isinstance(meta.get("expires"), (int, float)) or meta["expires"] <= now:
            _remove(folder, name)
            removed += 1
    for stray in [*folder.glob("*.tmp"), *folder.glob("*.bin")]:
        try:
            if not stray.with_suffix(".json").exists() and now - stray.stat().st_mtime > 3600:
                stray.unlink(missing_ok=True)
        except OSError:
            continue
    return removed


def _make_room(folder: Path, user_id: int, size: int, limits: Limits) -> None:
    """Remove the user's oldest files until one more of ``size`` bytes fits the quota."""
    mine = sorted(((m.get("at", 0), name, int(m.get("size", 0))) for name, m in _records(folder)
                   if m is not None and m.get("user") == user_id), reverse=True)
    count, total = 0, 0
    for _at, name, held_size in mine:  # newest first: keep while the new file still fits
        if count + 1 < limits.user_files and total + held_size + size <= limits.user_bytes:
            count, total = count + 1, total + held_size
        else:
            _remove(folder, name)


def hold(folder: Path, content: bytes, filename: str, user_id: int, limits: Limits = Limits(),
         now: float | None = None) -> str:
    """Keep ``content`` encrypted for ``user_id``; the token that fetches it (it holds the key)."""
    if len(content) > limits.max_file_bytes or len(content) > limits.user_bytes:
        raise HeldTooLarge(len(content), min(limits.max_file_bytes, limits.user_bytes))
    now = time.time() if now is None else now
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    sweep(folder, now)
    _make_room(folder, user_id, len(content), limits)
    key = secrets.token_bytes(32)
    name = _name(key)
    meta = {"user": user_id, "expires": now + limits.keep_seconds, "at": now, "size": len(content)}
    name_bytes = filename.encode("utf-8")[:1000]
    plain = len(name_bytes).to_bytes(2, "big") + name_bytes + content
    nonce = secrets.token_bytes(12)
    _write(folder / f"{name}.bin", nonce + AESGCM(key).encrypt(nonce, plain, _aad(name, meta)))
    _write(folder / f"{name}.json", json.dumps(meta).encode())
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode()


def take(folder: Path, token: str, user_id: int, now: float | None = None) -> tuple[bytes, str] | None:
    """The held file and its download name, or None when unknown, expired or someone else's."""
    key = _key(token)
    if key is None:
        return None
    name = _name(key)
    now = time.time() if now is None else now
    try:
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        if meta["user"] != user_id or not meta["expires"] > now:
            return None
        sealed = (folder / f"{name}.bin").read_bytes()
        plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], _aad(name, meta))
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        return None
    length = int.from_bytes(plain[:2], "big")
    return plain[2 + length:], plain[2:2 + length].decode("utf-8", errors="replace")
