"""Property tests: whatever bytes arrive, the reader returns a parse or raises WorkbookError."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.demand import DemandParse, read_demand_workbook
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from tests.imports.conftest import CONTEXT, HEADER, ITEMS, make_xlsx, row

BASE = make_xlsx([HEADER, *[row(item.code) for item in ITEMS], row("I001", committed="=C2*0.9")], merges=[])
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def outcome(data: bytes, context=CONTEXT) -> DemandParse | WorkbookError:
    """Read and return either the parse or our own error; anything else fails the test."""
    try:
        return read_demand_workbook(data, filename="fuzz.xlsx", context=context)
    except WorkbookError as exc:
        assert exc.zh and exc.en
        return exc


def rezip(data: bytes, part: str, body: bytes) -> bytes:
    """The workbook with one part replaced (valid zip, valid CRC, mutated content)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == part else src.read(info.filename))
    return out.getvalue()


@SETTINGS
@given(st.binary(max_size=2048))
def test_random_bytes(data):
    outcome(data)


@SETTINGS
@given(st.binary(max_size=64))
def test_random_bytes_behind_a_zip_signature(tail):
    outcome(b"PK\x03\x04" + tail)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(1, 255)), min_size=1, max_size=8), st.integers(0, len(BASE)))
def test_flipped_and_truncated_workbook_bytes(flips, cut):
    data = bytearray(BASE)
    for at, mask in flips:
        data[at] ^= mask
    outcome(bytes(data[: max(cut, 1)]))


PARTS = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels")


@SETTINGS
@given(st.sampled_from(PARTS), st.integers(0, 4000), st.integers(0, 200), st.binary(max_size=40))
def test_mutated_xml_inside_a_valid_zip(part, at, cut, insert):
    src = zipfile.ZipFile(io.BytesIO(BASE))
    if part not in src.namelist():
        return
    body = src.read(part)
    at = min(at, len(body))
    outcome(rezip(BASE, part, body[:at] + insert + body[at + cut :]))


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["１２３", "1,200", " 7 ", "I001", "i002", "H001", "甲制药", "=1/0", "#N/A", "-0", "1e3"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6), st.booleans())
def test_random_cell_values_and_their_error_workbook(rows, with_header):
    data = make_xlsx(([HEADER] if with_header else []) + rows)
    result = outcome(data)
    assert isinstance(result, DemandParse)
    assert len(result.rows) + len({e.row for e in result.errors}) <= max(len(rows), 1) + 1
    if result.errors:
        annotated = build_error_workbook(data, result.errors)
        assert isinstance(outcome(annotated), DemandParse)
