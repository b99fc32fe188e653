"""Held downloads (``core.held``) served at ``/downloads/<token>`` to the one user they were made
for, and the xlsx attachment helper every workbook download uses."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, abort, current_app, g, send_file

from core import held
from core.export import XLSX_MIME
from web.auth import requires

bp = Blueprint("downloads", __name__)


def _folder() -> Path:
    """instance/held."""
    return Path(current_app.extensions["jicai.settings"].instance_path) / "held"


def hold(content: bytes, filename: str, user_id: int) -> str:
    """Keep ``content`` for ``user_id`` (24 hours); the token for :func:`fetch`."""
    return held.hold(_folder(), content, filename, user_id)


@bp.get("/downloads/<token>")
@requires()
def fetch(token: str):
    """Serve a held file to the user it was made for (404 for anyone else, or once expired)."""
    found = held.take(_folder(), token, g.actor.user_id)
    if found is None:
        abort(404)
    content, filename = found
    return xlsx_download(content, filename)


def xlsx_download(content: bytes, filename: str):
    """Send workbook bytes as an attachment (the filename may be Chinese)."""
    return send_file(io.BytesIO(content), mimetype=XLSX_MIME, as_attachment=True, download_name=filename)
