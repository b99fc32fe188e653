"""Hostile workbooks through every workbook reader, each in a subprocess under a memory limit
(issue 13, "Done when"): no crash, a WorkbookError or a clean parse, bounded time; and through
one upload path per kind against the test database: nothing written, no 500."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
from sqlmodel import func, select

from accounts.roles import Role
from bidding.models import BidSubmission
from core.audit import AuditEntry
from core.clock import utcnow
from imports.errors import WorkbookError
from procurement.demand.models import DemandLine, DemandUpload
from procurement.demand.services import submit_demand
from settlement.execution.uploads import upload_deliveries
from settlement.models import Delivery
from tests.imports.hostile import flood, rows_xml, sheet_xml, table, workbook

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the whole reading process (its baseline is ~170 MB)
TIME_LIMIT = 120
DEMAND = ["医院编码", "品种编码", "上年用量", "承诺年采购量", "意向品牌", "原因"]
BID = ["品种编码", "申报规格含量", "含量单位", "每包装数量", "包装价（元）", "年供应产能", "资格声明"]
DELIVERY = ["合同编号", "发货数量", "发货日期", "企业单号"]
SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>'
LOL = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
       '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def _far(ref: str) -> bytes:
    """The demand header, one row, and one cell far away."""
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    body = [*rows_xml([DEMAND, ["H001", "I001", 1000, 900]]), f'<row r="{digits}"><c r="{ref}"><v>1</v></c></row>']
    return workbook([("报量", sheet_xml(body))])


def _shared(count: int, item: str, refs: int) -> bytes:
    """A sheet whose text column cites shared string 0 on ``refs`` rows; ``count`` (distinct) strings in all."""
    rows = [*rows_xml([DEMAND])]
    rows += [f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(2, refs + 2)]
    others = "".join(f"<si><t>{n:x}</t></si>" for n in range(1, count))
    return workbook([("报量", sheet_xml(rows))], shared_strings=SST.format(f"<si><t>{item}</t></si>" + others))


def _zip_bomb() -> bytes:
    """A valid workbook plus a 300 MB part of zeros (about 300 KB packed)."""
    base = table("报量", [DEMAND])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/media/image1.bin", "w", force_zip64=True) as part:
            for _ in range(300):
                part.write(b"\0" * (1 << 20))
    return out.getvalue()


CASES = {
    "cell at XFD1048576": lambda: _far("XFD1048576"),
    "cell at ZZ100000": lambda: _far("ZZ100000"),
    "lying dimension": lambda: workbook([("报量", sheet_xml(rows_xml([DEMAND, ["H001", "I001", 1000, 900]]), dimension="A1:XFD1048576"))]),
    "merge to the sheet end": lambda: workbook([("报量", sheet_xml(rows_xml([DEMAND]), after='<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'))]),
    "wide row without references": lambda: workbook([("报量", sheet_xml([*rows_xml([DEMAND]), "<row>" + "<c><v>1</v></c>" * 20_000 + "</row>"]))]),
    "100,000 copies of one demand row": lambda: flood("报量", DEMAND, ["H001", "I001", 1000, 900], 100_000),
    "9,999 copies of one bid row": lambda: flood("申报", BID, ["YP001", 20, "mg", 7, 1.4, 100, "参比制剂"], 9_999),
    "99,999 copies of one delivery row": lambda: flood("发货", DELIVERY, ["HT-1", 5, "2026-10-05", "PS-1"], 99_999),
    "one 90 KB shared string on 50,000 rows": lambda: _shared(10, "长" * 30_000, 50_000),
    "one 300 KB shared string": lambda: _shared(10, "长" * 100_000, 10),
    "2,100,000 shared strings": lambda: _shared(2_100_000, "x", 10),
    "zip bomb": _zip_bomb,
    "XML entity bomb": lambda: workbook([("报量", LOL + sheet_xml(rows_xml([DEMAND, ["&lol3;"]])).split("?>", 1)[1])]),
    "1,000 sheets": lambda: workbook([(f"S{n}", sheet_xml(rows_xml([["x"], *[[None]] * 28, [*[None] * 99, 1]]))) for n in range(1_000)]),
}

SCRIPT = r"""
import json, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from decimal import Decimal
from bidding.pricing import Strength
from bidding.validation import ItemTerms
from bidding.workbook import read_bid_workbook
from imports.demand import BatchItem, BulkDemandContext, DemandContext, read_demand_workbook, read_demand_workbook_bulk
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from settlement.execution.workbook import read_delivery_workbook

data = open(sys.argv[1], "rb").read()
items = (BatchItem("I001", "药品"),)
readers = {
    "demand": lambda: read_demand_workbook(data, filename="h.xlsx", context=DemandContext("H001", "医院", "B", items)),
    "demand-bulk": lambda: read_demand_workbook_bulk(data, filename="h.xlsx", context=BulkDemandContext("B", items, frozenset({"H001"}))),
    "bid": lambda: read_bid_workbook(data, filename="b.xlsx", terms={"YP001": ItemTerms(Strength(Decimal(20), "mg"), 5000)}),
    "delivery": lambda: read_delivery_workbook(data, filename="d.xlsx"),
}
out = {}
for name, read in readers.items():
    try:
        parsed = read()
    except WorkbookError as exc:
        assert exc.zh and exc.en
        out[name] = "refused: " + exc.en
        continue
    errors = parsed.errors
    out[name] = f"parsed: {len(parsed.rows)} rows, {len(errors)} errors listed"
    if errors:
        try:
            marked = build_error_workbook(data, errors, filename="x.xlsx")
            out[name] += f", error workbook {len(marked)} bytes"
        except WorkbookError as exc:
            out[name] += ", error workbook refused: " + exc.en
status = {l.split(":")[0]: l.split()[1] for l in open("/proc/self/status") if l.startswith(("VmPeak", "VmHWM"))}
print(json.dumps({"readers": out, "status": status}))
"""


@cache
def _built(name: str) -> bytes:
    """Each hostile workbook, built once per test run."""
    return CASES[name]()


@pytest.mark.parametrize("name", list(CASES))
def test_every_reader_survives_under_a_memory_limit(name, tmp_path):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(_built(name))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(MEMORY_LIMIT)], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIME_LIMIT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["readers"]) == {"demand", "demand-bulk", "bid", "delivery"}
    print(name, report["status"], [outcome[:60] for outcome in report["readers"].values()])
    for outcome in report["readers"].values():
        assert outcome.startswith(("refused: ", "parsed: ")), outcome
        assert "error workbook refused" not in outcome


REFUSED = ["cell at XFD1048576", "cell at ZZ100000", "merge to the sheet end", "wide row without references",
           "one 300 KB shared string", "zip bomb", "XML entity bomb"]


def _count(db, *models) -> tuple[int, ...]:
    """Rows in the given tables."""
    with db.read_session() as s:
        return tuple(s.exec(select(func.count()).select_from(m)).one() for m in models)


def test_hostile_demand_uploads_write_nothing(session, world, db):
    from tests.procurement.demand_fixtures import BEFORE, make_demand_batch

    make_demand_batch(session, world)
    before = _count(db, DemandUpload, DemandLine, AuditEntry)
    for name in [*REFUSED, "100,000 copies of one demand row"]:
        result = submit_demand(session, world.actors[("A", Role.HOSPITAL_BUYER)], "DB1", "A-hospital", _built(name), "h.xlsx", BEFORE)
        assert not result.accepted, name
    assert _count(db, DemandUpload, DemandLine, AuditEntry) == before


def test_hostile_delivery_uploads_write_nothing(session, world, db):
    before = _count(db, Delivery, AuditEntry)
    for name in [*REFUSED, "99,999 copies of one delivery row"]:
        try:
            result = upload_deliveries(session, world.actors[("A", Role.SUPPLIER_REP)], _built(name), "d.xlsx", utcnow())
        except WorkbookError:
            continue
        assert result.recorded == 0 and result.errors, name
    assert _count(db, Delivery, AuditEntry) == before


def test_hostile_bid_uploads_answer_a_page_and_write_nothing(client, session, world, db):
    from tests.bidding.conftest import bidding_open_now
    from tests.conftest import csrf_token, login
    code = bidding_open_now(session, world)
    session.close()
    login(client, world.username("A", Role.SUPPLIER_REP))
    before = _count(db, BidSubmission, AuditEntry)
    for name in [*REFUSED, "9,999 copies of one bid row"]:
        token = csrf_token(client, f"/batches/{code}/bids/upload")
        page = client.post(f"/batches/{code}/bids/upload", data={"csrf_token": token, "file": (io.BytesIO(_built(name)), "b.xlsx")},
                           content_type="multipart/form-data")
        assert page.status_code in (200, 413), name
    assert _count(db, BidSubmission, AuditEntry) == before
