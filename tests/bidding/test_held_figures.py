"""Sealed bid figures never rest in clear before the opening: not in the held annotated workbook
of a refused upload, not in a temporary file (uploads and workbook writing stay in memory), not
in the logs. The annotated workbook still reaches its owner, and nobody else, until it expires."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import secrets
import tempfile
import time
import types
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart

from accounts.roles import Role
from bidding.workbook import DATA_SHEET, build_bid_template
from core import held
from core.export import save
from imports.errors import CellError
from imports.errors_workbook import build_error_workbook
from tests.bidding.conftest import bidding_open_now
from tests.conftest import HELD_RE, csrf_token, fetch_held, login

FIGURES = ("1.2345", "9876543", "9.8765", "8765432")  # the good row's and the refused row's price and capacity


def _bid_workbook(padding_cells: int = 0) -> bytes:
    """A bid workbook with a good row (YP001) and one above the maximum price (YP003), optionally
    padded with an incompressible notes sheet so the upload is over Werkzeug's 500 KB spool size."""
    wb = load_workbook(io.BytesIO(build_bid_template("BID1", "S", [("YP001", "阿托伐他汀钙片", "20mg"),
                                                                    ("YP003", "苯磺酸氨氯地平片", "5mg")])))
    ws = wb[DATA_SHEET]
    for r, values in {2: ["20", "mg", 7, FIGURES[0], int(FIGURES[1]), "通过一致性评价仿制药"],
                      3: ["5", "mg", 7, FIGURES[2], int(FIGURES[3]), "参比制剂"]}.items():
        for c, v in enumerate(values, start=2):
            ws.cell(row=r, column=c, value=v)
    if padding_cells:
        notes = wb.create_sheet("备注")
        for n in range(padding_cells):
            notes.cell(row=n // 10 + 1, column=n % 10 + 1, value=secrets.token_hex(16))
    return save(wb, verbatim=wb.sheetnames)


def _readable(path: Path) -> bytes:
    """A file's bytes, and for a zip (an .xlsx) every member unpacked as well."""
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return data + b"".join(zf.read(name) for name in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return data


def _found(folders, extra_files=()) -> list[str]:
    """Every file under ``folders`` (and ``extra_files``) holding one of the figures."""
    hits = []
    paths = [p for folder in folders for p in Path(folder).rglob("*") if p.is_file()] + [Path(p) for p in extra_files]
    for path in paths:
        if path.exists():
            content = _readable(path)
            hits += [f"{path}: {figure}" for figure in FIGURES if figure.encode() in content]
    return hits


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """This test's own temp dir for everything that asks ``tempfile`` for one."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _open_in(folder: Path) -> list[str]:
    """Files this process has open under ``folder`` (an unlinked temp file included)."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


def test_refused_bid_workbooks_leave_no_figure_in_clear(app, client, session, world, db, database_url, temp_dir,
                                                        caplog, monkeypatch):
    open_during_requests: list[str] = []
    app.after_request(lambda response: open_during_requests.extend(_open_in(temp_dir)) or response)
    code = bidding_open_now(session, world)
    session.close()
    caplog.set_level(logging.DEBUG)
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/upload")
    pages = []
    for n, data in enumerate((_bid_workbook(), _bid_workbook(padding_cells=30_000))):
        assert (len(data) > 600_000) == (n == 1)  # the second is over Werkzeug's 500 KB spool size
        boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), "b.xlsx")})
        page = client.post(f"/batches/{code}/bids/upload", data=body,  # encoded in memory, as a socket would bring it
                           content_type=f"multipart/form-data; boundary={boundary}").get_data(as_text=True)
        assert "最高有效申报价" in page and 'data-testid="error-workbook"' in page
        pages.append(page)

    database = [database_url.removeprefix("sqlite:///") + suffix for suffix in ("", "-wal")] \
        if database_url.startswith("sqlite") else []
    assert _found([app.instance_path, temp_dir], database) == []
    assert open_during_requests == []  # no upload spooled to a temp file, not even an unlinked one
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and not [f for f in FIGURES if f in logged]

    marked = fetch_held(client, pages[0])  # the owner gets the annotated workbook, figures and all
    assert marked.status_code == 200
    assert load_workbook(io.BytesIO(marked.data))[DATA_SHEET]["E2"].value == FIGURES[0]
    other = client.application.test_client()
    login(other, world.username("B", Role.SUPPLIER_REP))
    stolen = HELD_RE.search(pages[0]).group(2)
    assert other.post("/downloads", data={"csrf_token": csrf_token(other, "/"), "token": stolen}).status_code == 404
    later = time.time() + 24 * 3600 + 1
    # move only the held store's clock: moving the whole process's time.time would also expire
    # the signed session cookie (PERMANENT_SESSION_LIFETIME) and test the login instead
    monkeypatch.setattr(held, "time", types.SimpleNamespace(time=lambda: later))
    assert fetch_held(client, pages[0]).status_code == 404  # expired


def test_uploads_are_parsed_in_memory(app):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"x" * 2_000_000), "big.xlsx")})
    environ = EnvironBuilder(method="POST", data=body, content_type=f"multipart/form-data; boundary={boundary}").get_environ()
    request = app.request_class(environ)
    stream = request.files["file"].stream
    assert isinstance(stream, io.BytesIO) and len(stream.getvalue()) == 2_000_000
    request.close()


def test_workbooks_are_written_without_temp_files(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # any temp file would fail
    data = _bid_workbook()
    error = CellError(DATA_SHEET, 3, "包装价（元）", "E3", FIGURES[2], "高于最高有效申报价", "above the maximum", "above")
    marked = build_error_workbook(data, [error], fast=False)  # the openpyxl path
    assert "错误汇总" in load_workbook(io.BytesIO(marked)).sheetnames


def test_an_annotated_workbook_over_the_size_bound_is_not_kept(app, client, session, world):
    app.extensions["jicai.settings"] = dataclasses.replace(app.extensions["jicai.settings"], held_max_file_mb=0)
    code = bidding_open_now(session, world)
    session.close()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/upload")
    page = client.post(f"/batches/{code}/bids/upload", data={"csrf_token": token, "file": (io.BytesIO(_bid_workbook()), "b.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "最高有效申报价" in page and "标注错误的工作簿过大" in page and 'data-testid="error-workbook"' not in page
    assert not list(held.folder_of(app.instance_path).glob("*.bin"))
