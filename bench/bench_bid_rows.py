"""Large bid workbooks (issue 13 item 12): ``python -m bench.bench_bid_rows [--rows 100000 1000000] [--root DIR]``.

Writes bid workbooks of N identical rows (shared strings, as Excel writes them) and reads each
with ``bidding.workbook.read_bid_workbook`` in a fresh process, printing seconds, peak RSS and
the outcome (peak RSS is the reading process's own VmHWM: ``ru_maxrss`` would carry the
parent's high-water mark over the exec). ``--root`` reads with another checkout (e.g. the code before the row limit) for a
before/after table from one run.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tests.imports.hostile import workbook

_BID = ["品种编码", "申报规格含量", "含量单位", "每包装数量", "包装价（元）", "年供应产能", "资格声明"]
_SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>'
_READ = r"""
import json, sys, time
from decimal import Decimal
from bidding.pricing import Strength
from bidding.validation import ItemTerms
from bidding.workbook import read_bid_workbook
from imports.errors import WorkbookError
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
try:
    parsed = read_bid_workbook(data, filename="b.xlsx", terms={"YP001": ItemTerms(Strength(Decimal(20), "mg"), 5000)})
    outcome = f"parsed {len(parsed.rows)} rows, {getattr(parsed, 'error_count', len(parsed.errors))} errors"
except WorkbookError as exc:
    outcome = "refused: " + exc.en[:70]
seconds = time.perf_counter() - start
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": seconds, "rss_mb": hwm / 1024, "outcome": outcome}))
"""


def bid_workbook(rows: int) -> bytes:
    """A bid sheet: the header (shared strings 0–6) and ``rows`` copies of one bid."""
    strings = [*_BID, "YP001", "mg", "参比制剂"]
    head = "".join(f'<c r="{chr(65 + c)}1" t="s"><v>{c}</v></c>' for c in range(7))
    body = ['<row r="1">' + head + "</row>"]
    cells = ('<c r="A@" t="s"><v>7</v></c><c r="B@"><v>20</v></c><c r="C@" t="s"><v>8</v></c><c r="D@"><v>7</v></c>'
             '<c r="E@"><v>1.4</v></c><c r="F@"><v>100</v></c><c r="G@" t="s"><v>9</v></c>').split("@")
    body += [f'<row r="{r}">' + str(r).join(cells) + "</row>" for r in range(2, rows + 2)]
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(body)}</sheetData></worksheet>')
    return workbook([("申报", sheet)], shared_strings=_SST.format("".join(f"<si><t>{s}</t></si>" for s in strings)))


def measure(path: Path, root: Path) -> dict:
    """Read one workbook in a fresh process with the code at ``root``."""
    done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True, text=True, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, check=False)
    if done.returncode != 0:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "outcome": f"crashed ({done.returncode}): {done.stderr[-120:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Build, read, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--root", type=Path, action="append", default=[])
    args = parser.parse_args()
    roots = [Path.cwd(), *args.root]
    print(f"{'rows':>9}  {'file MB':>7}  {'code':<28} {'seconds':>8}  {'peak RSS MB':>11}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"bids-{rows}.xlsx"
            path.write_bytes(bid_workbook(rows))
            unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(path.read_bytes())).infolist()) / 1e6
            for root in roots:
                got = measure(path, root)
                print(f"{rows:>9}  {path.stat().st_size / 1e6:>7.1f}  {str(root)[-28:]:<28} {got['seconds']:>8.2f}  "
                      f"{got['rss_mb']:>11.0f}  {got['outcome']} (unpacked {unpacked:.0f} MB)")


if __name__ == "__main__":
    main()
