"""The request class: uploaded files stay in memory, never in a temporary file.

Werkzeug spools any uploaded file over 500 KB into a temporary file on disk; a bid workbook
would then rest in the temp dir in clear before the opening. Uploads are bounded by
``MAX_CONTENT_LENGTH`` (checked before the body is read), so keeping them in memory is safe.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryRequest(Request):
    """A Flask request whose multipart files are parsed into memory."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        """Every uploaded file goes into a BytesIO (the body's size is already bounded)."""
        return io.BytesIO()
