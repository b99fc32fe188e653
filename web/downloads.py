"""Downloads: the one helper every file the platform hands out goes through (:func:`attachment`
— workbooks, bank files, OCDS JSON, receipt slips, clearing records, held files), and held
downloads (``core.held``) served to the one user they were made for.

:func:`attachment` builds ``Content-Disposition`` with Werkzeug's ``send_file``, which writes an
ASCII ``filename`` and, for any other name, an RFC 5987 ``filename*=UTF-8''…`` (RFC 6266), with
quotes escaped; before that :func:`safe_filename` removes what no header or file system may
carry (control characters such as CR/LF, path separators). ``Cache-Control: no-store`` is set on
every dynamic response by ``web.setup``.

A held file's token carries its decryption key, so it travels in a POST body (``POST /downloads``,
a button under the refused upload), never in a URL: it stays out of access logs, the request
log, browser history and Referer headers.
"""

from __future__ import annotations

import io
import unicodedata
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


MAX_FILENAME = 150
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls (CR, LF, NUL), bidi overrides …


def _unsafe(char: str) -> bool:
    """A character no file name in a header may carry (the emoji joiner U+200D is kept)."""
    return char in "/\\" or (char != "\u200d" and unicodedata.category(char) in UNSAFE_CATEGORIES)


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` without control or format characters and path separators, at most
    :data:`MAX_FILENAME` characters (the extension kept); ``fallback`` when nothing is left."""
    cleaned = "".join("_" if _unsafe(c) else c for c in name).strip(" .")
    if len(cleaned) > MAX_FILENAME:
        _stem, dot, ext = cleaned.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        cleaned = cleaned[:MAX_FILENAME - len(keep) - 1] + "." + keep if keep else cleaned[:MAX_FILENAME]
    return cleaned or fallback


def attachment(content: bytes | str, filename: str, mimetype: str):
    """Send ``content`` as a file download named ``filename`` (any text: Chinese, quotes, CR/LF)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=safe_filename(filename))


def xlsx_download(content: bytes, filename: str):
    """Send workbook bytes as an attachment."""
    return attachment(content, filename, XLSX_MIME)
