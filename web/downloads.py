"""Held downloads (``core.held``) served to the one user they were made for, and the xlsx
attachment helper every workbook download uses.

A held file's token carries its decryption key, so it travels in a POST body (``POST /downloads``,
a button under the refused upload), never in a URL: it stays out of access logs, the request
log, browser history and Referer headers.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, request, send_file

from core import held
from core.export import XLSX_MIME
from web.auth import requires

bp = Blueprint("downloads", __name__)


def _folder() -> Path:
    """instance/held."""
    return held.folder_of(current_app.extensions["jicai.settings"].instance_path)


def hold(content: bytes, filename: str, user_id: int) -> str | None:
    """Keep ``content`` encrypted for ``user_id``; the token for :func:`fetch`, or None (with the
    reason flashed) when the file is over the size bound of a held file."""
    try:
        return held.hold(_folder(), content, filename, user_id, current_app.extensions["jicai.settings"].held_limits)
    except held.HeldTooLarge as exc:
        flash(str(exc), "error")
        return None


@bp.post("/downloads")
@requires()
def fetch():
    """Serve a held file to the user it was made for (404 for anyone else, or once expired)."""
    found = held.take(_folder(), request.form.get("token", ""), g.actor.user_id)
    if found is None:
        abort(404)
    content, filename = found
    return xlsx_download(content, filename)


def xlsx_download(content: bytes, filename: str):
    """Send workbook bytes as an attachment (the filename may be Chinese)."""
    return send_file(io.BytesIO(content), mimetype=XLSX_MIME, as_attachment=True, download_name=filename)
