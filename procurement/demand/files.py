"""Rejected uploads' annotated workbooks, kept for download for a short while.

A rejected upload writes nothing to the business tables; its error workbook is held in a
file under the instance folder, keyed by a random token and tied to the user who uploaded
it (and the batch). Files older than :data:`KEEP_SECONDS` are swept on each store.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

KEEP_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _sweep(folder: Path, now: float) -> None:
    """Remove expired files (best effort)."""
    for path in folder.glob("*.json"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.with_suffix(".xlsx").unlink(missing_ok=True)
                path.unlink(missing_ok=True)
        except OSError:
            continue


def store_error_workbook(folder: Path, user_id: int, batch_code: str, data: bytes, filename: str) -> str:
    """Keep ``data`` for ``user_id``; return the token that fetches it."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    _sweep(folder, now)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.xlsx").write_bytes(data)
    meta = {"user_id": user_id, "batch": batch_code, "filename": filename, "at": now}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load_error_workbook(folder: Path, token: str, user_id: int, batch_code: str) -> tuple[bytes, str] | None:
    """The workbook and a download name, or None when unknown, expired or someone else's."""
    if not _TOKEN.match(token):
        return None
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.xlsx"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["user_id"] != user_id or meta["batch"] != batch_code or time.time() - meta["at"] > KEEP_SECONDS:
            return None
        stem = Path(str(meta["filename"])).stem or "demand"
        return data_path.read_bytes(), f"{stem}_错误标注.xlsx"
    except (OSError, ValueError, KeyError):
        return None
