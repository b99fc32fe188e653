"""A neutral ``Server`` response header on both servers the platform runs on.

The header is written by the server, not the app: Werkzeug's development server sends
``Werkzeug/<version> Python/<version>`` (``BaseHTTPRequestHandler.version_string``) and
gunicorn sends ``gunicorn`` (``gunicorn.http.wsgi.SERVER``, read for every response). A header
the app set would come as a second ``Server`` line beside theirs, so instead both are told the
name to send. Neither server offers a setting for it; these are the attributes they read.
"""

from __future__ import annotations

import importlib
import sys

SERVER_NAME = "jicai"


def neutral_server_header() -> None:
    """Make the development server and gunicorn (when it runs this process) send ``Server: jicai``."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER_NAME  # type: ignore[method-assign]
    if "gunicorn" in sys.modules:  # served by gunicorn (a worker, or the master with --preload)
        importlib.import_module("gunicorn.http.wsgi").SERVER = SERVER_NAME
