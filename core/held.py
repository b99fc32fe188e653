"""Held files: a file made for one user (the annotated workbook of a rejected upload) kept
briefly under a folder, keyed by a random token, and handed back only to that user.

Nothing goes into the business tables, so a rejected upload still writes nothing. Files older
than :data:`KEEP_SECONDS` are swept whenever another is held. Pure file handling (no Flask):
``web.downloads`` serves the files at ``/downloads/<token>``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _sweep(folder: Path, now: float) -> None:
    """Remove expired files (best effort: another process may sweep at the same time)."""
    for meta in folder.glob("*.json"):
        try:
            if now - meta.stat().st_mtime > KEEP_SECONDS:
                meta.with_suffix(".bin").unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
        except OSError:
            continue


def hold(folder: Path, content: bytes, filename: str, user_id: int) -> str:
    """Keep ``content`` for ``user_id``; the token that fetches it."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    _sweep(folder, now)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps({"user": user_id, "filename": filename, "at": now},
                                                     ensure_ascii=False), encoding="utf-8")
    return token


def take(folder: Path, token: str, user_id: int) -> tuple[bytes, str] | None:
    """The held file and its download name, or None when unknown, expired or someone else's."""
    if not _TOKEN.match(token):
        return None
    meta_path = folder / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["user"] != user_id or time.time() - meta["at"] > KEEP_SECONDS:
            return None
        return meta_path.with_suffix(".bin").read_bytes(), str(meta["filename"])
    except (OSError, ValueError, KeyError):
        return None
