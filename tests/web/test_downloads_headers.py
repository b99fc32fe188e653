"""Downloads and response headers (issue 13, items 6, 10 and 15).

- Every download's ``Content-Disposition`` is built by ``web.downloads.attachment`` (RFC 6266 /
  5987 through Werkzeug's ``send_file``): CR/LF, quotes, semicolons, Chinese and emoji in a name
  can neither break the header nor add a parameter.
- ``Cache-Control: no-store`` on every page and download (money and bids stay out of caches),
  static files cacheable; ``Strict-Transport-Security`` in production.
- A neutral ``Server`` header on the development server and on gunicorn (real processes).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.http import parse_options_header
from werkzeug.serving import make_server

from accounts.roles import Role
from app import create_app
from tests.conftest import FAST_HASH, csrf_token, fetch_held, login
from tests.settlement.fixtures_db import delivery_workbook, make_setup
from web.downloads import attachment, safe_filename

ROOT = Path(__file__).resolve().parents[2]
NAMES = {
    "crlf": ("a\r\nSet-Cookie: x=1.json", "a__Set-Cookie: x=1.json"),
    "quote": ('x"; filename*=UTF-8\'\'evil.exe.json', 'x"; filename*=UTF-8\'\'evil.exe.json'),
    "semicolon": ("a;b=c.json", "a;b=c.json"),
    "chinese": ("回执-集采第十批.json", "回执-集采第十批.json"),
    "emoji": ("receipt-💊👨\u200d⚕️.json", "receipt-💊👨\u200d⚕️.json"),
    "path": ("../../etc/passwd", "_.._etc_passwd"),
    "bidi": ("invoice\u202egpj.exe", "invoice_gpj.exe"),
}


def _disposition(response) -> tuple[str, dict[str, str]]:
    """The parsed Content-Disposition header (``filename*`` decoded into ``filename``)."""
    raw = response.headers["Content-Disposition"]
    assert "\r" not in raw and "\n" not in raw
    return parse_options_header(raw)


@pytest.mark.parametrize("case", sorted(NAMES))
def test_attachment_names_cannot_break_or_extend_the_header(app, case):
    name, expected = NAMES[case]
    assert safe_filename(name) == expected
    with app.test_request_context("/"):
        response = attachment(b"{}", name, "application/json")
    value, params = _disposition(response)
    assert value == "attachment" and params["filename"] == expected, params
    assert set(params) == {"filename"}  # no injected parameter survives parsing
    assert ("filename*=UTF-8''" in response.headers["Content-Disposition"]) is not expected.isascii() or case == "quote"


def test_overlong_names_keep_their_extension():
    name = safe_filename("回" * 400 + ".xlsx")
    assert len(name) == 150 and name.endswith(".xlsx")
    assert safe_filename(" . ") == "download"


def _slip(client, fields: dict) -> object:
    token = csrf_token(client, "/")
    slip = json.dumps({"batch": "SD", "item": "YP001", "receipt": "ab" * 32, **fields}, ensure_ascii=False)
    return client.post("/bids/receipt-slip", data={"csrf_token": token, "slip": slip})


@pytest.mark.parametrize("field", ["batch", "item", "receipt"])
@pytest.mark.parametrize("value", ["X\r\nSet-Cookie: a=b", 'x"; filename*=UTF-8\'\'evil.exe', "a;b", "集采批次", "💊🏥"])
def test_receipt_slip_download_names_are_encoded(client, world, field, value):
    login(client, world.username("A", Role.SUPPLIER_REP))
    response = _slip(client, {field: value})
    assert response.status_code == 200
    disposition, params = _disposition(response)
    assert disposition == "attachment" and set(params) == {"filename"}
    assert params["filename"].startswith("receipt-") and params["filename"].endswith(".json")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"




def test_downloads_carrying_money_or_bids_are_never_stored(client, session, world):
    setup = make_setup(session, world)
    session.commit()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, "/settlement/")
    refused = client.post("/settlement/deliveries/upload", data={
        "csrf_token": token, "file": (io.BytesIO(delivery_workbook([("HT-NOPE", "1", "2026-10-05", "A")])), "发货\"; 表.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    template = f"/settlement/batches/{setup.code}/deliveries-template.xlsx"
    for path, response in ((template, client.get(template)), ("POST /downloads", fetch_held(client, refused))):
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert _disposition(response)[0] == "attachment", path
    client.post("/logout", data={"csrf_token": token})
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    for path in (f"/batches/{setup.code}/contracts.xlsx", f"/savings/batches/{setup.code}?xlsx=1",
                 "/settlement/statements", "/"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


def test_static_files_stay_cacheable(client):
    response = client.get("/static/tablesort.js")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_hsts_only_in_production(db, database_url, tmp_path):
    for secure in (False, True):
        app = create_app({"database_url": database_url, "instance_path": str(tmp_path / "i"), "TESTING": True,
                          "secure_cookies": secure, **FAST_HASH})
        app.extensions["jicai.db"].dispose()
        app.extensions["jicai.db"] = db
        response = app.test_client().get("/login")
        assert ("Strict-Transport-Security" in response.headers) is secure
        if secure:
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _server_headers(port: int) -> list[str]:
    """The ``Server`` header lines of ``GET /login`` on a loopback port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    return [v for k, v in response.getheaders() if k.lower() == "server"]


def test_the_development_server_sends_a_neutral_server_header(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _server_headers(server.server_port) == ["jicai"]
    finally:
        server.shutdown()
        thread.join()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_sends_a_neutral_server_header(database_url, db, tmp_path):
    port = _free_port()
    env = {**os.environ, "JICAI_DATABASE_URL": database_url, "JICAI_INSTANCE_PATH": str(tmp_path / "instance"),
           "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _attempt in range(300):  # wait until it listens (not a timed assertion: it must come up)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.1)
        assert _server_headers(port) == ["jicai"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
