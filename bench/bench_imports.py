"""Benchmark of the demand workbook reader: ``python -m bench.bench_imports [--rows N]``.

Builds a bureau-side demand workbook (500 hospitals × 200 items = 100,000 rows, 12 columns)
and, in the same run: openpyxl read-only merely iterating every value; a bare python-calamine
parse (open, load the sheet, every value as a Python object: what any reader pays); our
parse + validate (guard, reader and demand rules; no database); the same for a copy whose
texts are shared strings, as Excel saves them; peak memory of a fresh process doing only the
parse; and a copy with 5% bad rows: parse plus the annotated error workbook, against the clean
import time. Each figure is the best of ``--repeat`` runs, measured in turn.
Targets: parse + validate ≤ 2× the bare calamine parse (issue 18), ≤ 25% of openpyxl (issue 3);
peak memory ≤ 300 MB; error workbook ≤ 2× clean import.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import python_calamine as pc
from openpyxl import Workbook, load_workbook

from imports.demand import BatchItem, BrandOption, BulkDemandContext, read_demand_workbook_bulk
from imports.errors_workbook import build_error_workbook

HEADER = ["医院编码", "医院名称", "品种编码", "通用名", "剂型", "代表规格", "最小单位", "上年用量", "承诺年采购量", "意向品牌", "原因", "备注"]
BAD_KINDS = ("negative", "decimal", "unknown_item", "below_floor", "unknown_hospital", "not_number")


def context(hospitals: int, items: int) -> BulkDemandContext:
    """The batch the generated workbook belongs to."""
    batch_items = tuple(BatchItem(f"Y{i:04d}", f"药品{i}", "片剂", "10mg×7片", "片") for i in range(items))
    brands = tuple(BrandOption(f"B{b:03d}", f"企业{b}") for b in range(20))
    return BulkDemandContext("GJ-2026-11", batch_items, frozenset(f"H{h:05d}" for h in range(hospitals)), Decimal("0.8"), brands)


def build_workbook(hospitals: int, items: int, bad_share: float = 0.0) -> bytes:
    """Generate the bulk workbook with openpyxl write-only mode; every 1/bad_share-th row is bad."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报量")
    ws.append(HEADER)
    step = int(1 / bad_share) if bad_share else 0
    n = 0
    for h in range(hospitals):
        for i in range(items):
            last = 1000 + (h * 7 + i * 13) % 5000
            row: list[object] = [f"H{h:05d}", f"第{h}人民医院", f"Y{i:04d}", f"药品{i}", "片剂", "10mg×7片", "片", last, last, f"企业{(h + i) % 20}" if i % 3 == 0 else None, None, None]
            if step and n % step == step // 2:
                kind = BAD_KINDS[(n // step) % len(BAD_KINDS)]
                row = _spoil(row, kind, n)
            ws.append(row)
            n += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _spoil(row: list[object], kind: str, n: int) -> list[object]:
    """Make row ``n`` bad in the given way (exactly one error per bad row)."""
    last = int(row[7])  # type: ignore[call-overload]
    if kind == "negative":
        row[8] = -5
    elif kind == "decimal":
        row[8] = last + 0.5
    elif kind == "unknown_item":
        row[2] = f"Z{n:06d}"
    elif kind == "below_floor":
        row[8] = last // 2
    elif kind == "unknown_hospital":
        row[0] = f"X{n:06d}"
    else:
        row[7] = "约一千"
    return row


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')
_SST_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def as_shared_strings(data: bytes) -> bytes:
    """The same workbook with every inline string moved to a shared-strings part (as Excel saves)."""
    strings: dict[bytes, int] = {}

    def cite(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(2), len(strings))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), index)

    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                raw = _INLINE.sub(cite, raw)
            elif info.filename == "[Content_Types].xml":
                raw = raw.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                  b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                raw = raw.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                                  b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            dst.writestr(info.filename, raw)
        items = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        dst.writestr("xl/sharedStrings.xml", _SST_HEAD + items + b"</sst>")
    return out.getvalue()


def calamine_parse(data: bytes, sheet: str = "报量") -> float:
    """Seconds for a bare python-calamine parse: open, load the sheet, every value as a Python object."""
    start = time.perf_counter()
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(sheet).to_python()
    assert rows
    return time.perf_counter() - start


def best(repeat: int, *measures):
    """Run each measure (a no-argument callable returning seconds) ``repeat`` times in turn; the best of each."""
    times: list[list[float]] = [[] for _ in measures]
    for _ in range(repeat):
        for found, measure in zip(times, measures, strict=True):
            found.append(measure())
    return [min(found) for found in times]


def openpyxl_iterate(data: bytes) -> float:
    """Seconds for openpyxl read-only mode to iterate every value."""
    start = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True)
    count = 0
    for row in wb["报量"].iter_rows(values_only=True):
        count += len(row)
    wb.close()
    return time.perf_counter() - start


def child(path: str, hospitals: int, items: int) -> None:
    """In a fresh process: parse once, print seconds, peak RSS and row count as JSON."""
    data = Path(path).read_bytes()
    base = peak_rss_mb()
    start = time.perf_counter()
    parse = read_demand_workbook_bulk(data, filename="bench.xlsx", context=context(hospitals, items))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "base_mb": base, "rows": len(parse.rows), "errors": parse.error_count}))


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the best counts (noisy machines)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.hospitals, args.items)
        return
    rows = args.hospitals * args.items
    ctx = context(args.hospitals, args.items)
    print(f"generating {rows:,} rows × {len(HEADER)} columns (clean and 5% bad) …", flush=True)
    clean, bad = build_workbook(args.hospitals, args.items), build_workbook(args.hospitals, args.items, 0.05)
    shared = as_shared_strings(clean)

    def parse(data: bytes, name: str):
        def measure() -> float:
            start = time.perf_counter()
            parsed = read_demand_workbook_bulk(data, filename=name, context=ctx)
            assert parsed.ok and len(parsed.rows) == rows, parsed.errors[:3]
            return time.perf_counter() - start
        return measure

    t_openpyxl = openpyxl_iterate(clean)
    t_bare, t_parse, t_bare_sst, t_parse_sst = best(
        args.repeat, lambda: calamine_parse(clean), parse(clean, "clean.xlsx"),
        lambda: calamine_parse(shared), parse(shared, "shared.xlsx"))
    parsed = read_demand_workbook_bulk(clean, filename="clean.xlsx", context=ctx)
    with tempfile.TemporaryDirectory(prefix="bench_imports-") as work:  # unique per run, removed after
        tmp = Path(work) / "clean.xlsx"
        tmp.write_bytes(clean)
        proc = subprocess.run([sys.executable, "-m", "bench.bench_imports", "--child", str(tmp), "--hospitals", str(args.hospitals), "--items", str(args.items)], capture_output=True, text=True, check=True)
    mem = json.loads(proc.stdout)

    start = time.perf_counter()
    spoiled = read_demand_workbook_bulk(bad, filename="bad.xlsx", context=ctx)
    t_bad_parse = time.perf_counter() - start
    start = time.perf_counter()
    annotated = build_error_workbook(bad, spoiled.errors, filename="bad.xlsx")
    t_annotate = time.perf_counter() - start

    line = "-" * 86
    print(line)
    print(f"{'measure':52} {'figure':>14} {'ratio':>8} {'target':>8}")
    print(line)
    print(f"{'file size (clean / bad), MB':52} {len(clean) / 2**20:>6.1f} / {len(bad) / 2**20:<5.1f}")
    print(f"{'openpyxl read-only, iterate all values':52} {t_openpyxl:>12.2f} s {1:>8.2f}")
    print(f"{f'bare python-calamine parse (best of {args.repeat})':52} {t_bare:>12.2f} s {t_bare / t_openpyxl:>8.2f}")
    print(f"{'parse + validate (guard, reader, rules), clean':52} {t_parse:>12.2f} s {t_parse / t_openpyxl:>8.2f} {'≤ 0.25':>8}")
    print(f"{'  the same ÷ bare calamine parse':52} {'':>14} {t_parse / t_bare:>8.2f} {'≤ 2':>8}")
    print(f"{'  same, fresh process':52} {mem['seconds']:>12.2f} s {mem['seconds'] / t_openpyxl:>8.2f}")
    print(f"{'shared strings (as Excel saves): bare calamine parse':52} {t_bare_sst:>12.2f} s")
    print(f"{'  parse + validate ÷ bare calamine parse':52} {t_parse_sst:>12.2f} s {t_parse_sst / t_bare_sst:>8.2f} {'≤ 2':>8}")
    print(f"{'peak RSS of that process (interpreter {:.0f} MB)'.format(mem['base_mb']):52} {mem['peak_mb']:>11.0f} MB {'':>8} {'≤ 300':>8}")
    print(f"{'rows accepted (clean)':52} {len(parsed.rows):>14,}")
    print(f"{'parse + validate, 5% bad rows':52} {t_bad_parse:>12.2f} s {t_bad_parse / t_parse:>8.2f}")
    print(f"{'  errors found / bad rows':52} {spoiled.error_count:>7,} / {rows // 20:<6,}")
    print(f"{'annotated error workbook (after parse)':52} {t_annotate:>12.2f} s {t_annotate / t_parse:>8.2f} {'≤ 2':>8}")
    print(f"{'parse + annotate, bad file, vs clean import':52} {t_bad_parse + t_annotate:>12.2f} s {(t_bad_parse + t_annotate) / t_parse:>8.2f}")
    print(f"{'annotated workbook size, MB':52} {len(annotated) / 2**20:>12.1f}")
    print(line)
    print("persistence (SQLite/PostgreSQL) is not included: this is the workbook layer alone.")


if __name__ == "__main__":
    main()
