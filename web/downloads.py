"""Held downloads: files made for one user (an annotated error workbook of a rejected upload)
kept briefly in the instance folder and served only to that user. Nothing goes into the
business tables, so a rejected upload still writes nothing."""

from __future__ import annotations

import io
import json
import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, g, send_file

from core.export import XLSX_MIME
from web.auth import requires

bp = Blueprint("downloads", __name__)
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    """instance/held, created on demand."""
    folder = Path(current_app.extensions["jicai.settings"].instance_path) / "held"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def hold(content: bytes, filename: str, user_id: int) -> str:
    """Keep ``content`` for ``user_id`` and return the token that fetches it."""
    folder = _folder()
    now = time.time()
    for old in folder.glob("*.json"):
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
            old.with_suffix(".bin").unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps({"user": user_id, "filename": filename}))
    return token


@bp.get("/downloads/<token>")
@requires()
def fetch(token: str):
    """Serve a held file to the user it was made for (404 for anyone else)."""
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    meta_path = _folder() / f"{token}.json"
    if not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text())
    if meta["user"] != g.actor.user_id:
        abort(404)
    return xlsx_download(meta_path.with_suffix(".bin").read_bytes(), meta["filename"])


def xlsx_download(content: bytes, filename: str):
    """Send workbook bytes as an attachment (the filename may be Chinese)."""
    return send_file(io.BytesIO(content), mimetype=XLSX_MIME, as_attachment=True, download_name=filename)
