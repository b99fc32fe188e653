"""File-level refusals (quality.md §2): not a workbook, old .xls, empty, corrupt, bombs."""

from __future__ import annotations

import io
import zipfile

import pytest

from imports.demand import read_demand_workbook
from imports.errors import CorruptWorkbookError, NotXlsxError, UnsafeWorkbookError, WorkbookError
from imports.xlsx_guard import GuardLimits, check_xlsx
from tests.imports.conftest import HEADER, make_xlsx, rewrite_part, row

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _read(data: bytes, context):
    """Read as a hospital upload named like the user's file."""
    return read_demand_workbook(data, filename="报量.xlsx", context=context)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("医院编码,品种编码\nH001,I001\n".encode(), "文本"),
        (PNG, "PNG"),
        (b"%PDF-1.7 renamed to xlsx", "PDF"),
        (OLE_XLS, ".xls"),
    ],
    ids=["csv-text-renamed", "png-image", "pdf-renamed", "old-xls"],
)
def test_non_workbooks_are_refused_as_not_xlsx(data, words, context):
    with pytest.raises(NotXlsxError) as caught:
        _read(data, context)
    assert "不是 .xlsx" in caught.value.zh and "not an .xlsx" in caught.value.en
    assert words in caught.value.zh


@pytest.mark.parametrize("data", [b"", b"   \n"], ids=["empty", "whitespace"])
def test_empty_file_is_refused(data, context):
    with pytest.raises(NotXlsxError) as caught:
        _read(data, context)
    assert "空" in caught.value.zh and "empty" in caught.value.en


def test_plain_zip_is_not_a_workbook(context):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(NotXlsxError):
        _read(out.getvalue(), context)


def test_word_document_renamed_to_xlsx_is_not_a_workbook(context):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    with pytest.raises(NotXlsxError):
        _read(out.getvalue(), context)


def test_truncated_workbook_is_corrupt(context):
    data = make_xlsx([HEADER, row()])
    with pytest.raises(CorruptWorkbookError) as caught:
        _read(data[: len(data) // 2], context)
    assert "损坏" in caught.value.zh and "damaged" in caught.value.en


def test_flipped_bytes_inside_the_sheet_fail_the_crc(context):
    data = bytearray(make_xlsx([HEADER, *[row(f"I00{i}") for i in range(1, 6)]]))
    start = data.index(b"xl/worksheets/sheet1.xml") + 40
    for at in range(start, start + 20):
        data[at] ^= 0xFF
    with pytest.raises(WorkbookError):
        _read(bytes(data), context)


def _bomb(size: int) -> bytes:
    """A valid workbook plus one highly compressible extra part of ``size`` bytes."""
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(make_xlsx([HEADER, row()])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        zf.writestr("xl/media/padding.bin", b"\x00" * size)
    return out.getvalue()


def test_zip_bomb_refused_by_compression_ratio_before_parsing(context):
    data = _bomb(20 * 1024 * 1024)
    assert len(data) < 100_000
    with pytest.raises(UnsafeWorkbookError) as caught:
        _read(data, context)
    assert "压缩炸弹" in caught.value.zh and "zip bomb" in caught.value.en


def test_zip_bomb_refused_by_total_unpacked_size():
    limits = GuardLimits(max_total_uncompressed=1024 * 1024, max_ratio=10**6)
    with pytest.raises(UnsafeWorkbookError):
        check_xlsx(_bomb(2 * 1024 * 1024), limits=limits)


def test_xml_entity_bomb_is_refused(context):
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    data = rewrite_part(make_xlsx([HEADER, row()]), "xl/worksheets/sheet1.xml", rb"\A(?:<\?xml[^>]*\?>\s*)?", lol)
    assert b"<!ENTITY lol2" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    with pytest.raises(UnsafeWorkbookError) as caught:
        _read(data, context)
    assert "ENTITY" in caught.value.zh


def test_external_entity_in_workbook_part_is_refused(context):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    data = rewrite_part(make_xlsx([HEADER, row()]), "xl/workbook.xml", rb"\A(?:<\?xml[^>]*\?>\s*)?", xxe)
    assert b"file:///etc/passwd" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    with pytest.raises(UnsafeWorkbookError):
        _read(data, context)


def test_encrypted_zip_entry_is_refused():
    data = bytearray(make_xlsx([HEADER, row()]))
    at = data.index(b"PK\x01\x02")  # first central directory entry: set the encryption flag
    data[at + 8] |= 0x01
    with pytest.raises(WorkbookError):
        check_xlsx(bytes(data))


def test_guard_records_formula_cells():
    data = make_xlsx([HEADER, row(committed="=C2*0.9")])
    info = check_xlsx(data)
    assert info.formulas_of("报量") == frozenset({"D2"})
