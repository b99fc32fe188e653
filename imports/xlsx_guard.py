"""Is this upload an .xlsx workbook, and is it safe to parse? Checked before any parser runs.

The checks, in order: empty file; magic bytes (old .xls / encrypted OLE files, images, PDF,
text); zip directory readable; part count, declared total size and compression ratio (zip
bomb); then every part is decompressed once in chunks, counting real bytes (a lying header
cannot get past the limits) and verifying CRCs (truncation); XML parts are refused if they
carry a ``<!DOCTYPE`` or ``<!ENTITY`` (entity bombs, external entities) or are not UTF-8.
The same pass (``imports.extent``) records which worksheet cells hold formulas, so readers can tell a formula
without a cached value from a blank cell, and bounds every worksheet's extent and the shared
strings (``imports.extent``) before any reader builds a range.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from imports.errors import CorruptWorkbookError, NotXlsxError, UnsafeWorkbookError
from imports.extent import Segments, SharedStrings, SheetExtent, too_large

_CHUNK = 1 << 20
_SMALL_PART = 16 << 20
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SUFFIXES = (".xml", ".rels", ".vml")

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 .xls 或加密的工作簿", "an old .xls or encrypted workbook"),
    (b"\x89PNG", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"%PDF", "PDF 文件", "a PDF file"),
)


@dataclass(frozen=True)
class GuardLimits:
    """Limits applied before parsing; defaults fit a 200,000-row bureau demand file with room.

    ``max_rows`` is the per-kind setting: each upload kind passes its own (see each reader).
    ``max_cells`` bounds the dense ranges of all sheets together (python-calamine: 32 bytes
    a cell, so 5 million cells ≈ 160 MB), and the cell elements and merged cells of each sheet.
    """

    max_file_bytes: int = 64 * 1024 * 1024
    max_total_uncompressed: int = 256 * 1024 * 1024
    max_ratio: int = 200
    ratio_min_size: int = 1024 * 1024
    max_parts: int = 2000
    max_rows: int = 200_000
    max_columns: int = 1_000
    max_cells: int = 5_000_000
    max_shared_strings: int = 2_000_000
    max_string_bytes: int = 256 * 1024
    max_expanded_text: int = 128 * 1024 * 1024


DEFAULT_LIMITS = GuardLimits()


def with_max_rows(limits: GuardLimits, max_rows: int | None) -> GuardLimits:
    """``limits`` with a deployment's row limit for the kind (``None``: the kind's default)."""
    return limits if max_rows is None else replace(limits, max_rows=max_rows)


@dataclass(frozen=True)
class XlsxInfo:
    """What the guard learnt: sheet name → part path, and formula cells per part path."""

    sheet_parts: Mapping[str, str]
    formula_cells: Mapping[str, frozenset[str]] = field(default_factory=dict)
    uncompressed_bytes: int = 0
    cells: int = 0
    """Cells of the dense ranges of all worksheets together (what a full load would build)."""

    def formulas_of(self, sheet: str) -> frozenset[str]:
        """Cell references (``"E7"``) holding a formula on the named sheet."""
        part = self.sheet_parts.get(sheet)
        return self.formula_cells.get(part, frozenset()) if part else frozenset()


def _not_xlsx(filename: str, what_zh: str, what_en: str) -> NotXlsxError:
    """Build the 'not an .xlsx' error naming what the file looks like instead."""
    name = f"「{filename}」" if filename else "上传的文件"
    name_en = f"'{filename}'" if filename else "the upload"
    return NotXlsxError(
        f"{name}不是 .xlsx 工作簿（看起来是{what_zh}），请用 Excel 另存为 .xlsx 后重新上传",
        f"{name_en} is not an .xlsx workbook (it looks like {what_en}); save it as .xlsx in Excel and upload again",
    )


def _check_magic(data: bytes, filename: str, limits: GuardLimits) -> None:
    """Refuse empty, oversized and non-zip uploads by their first bytes."""
    if not data or not data.strip(b"\x00 \t\r\n"):
        raise NotXlsxError("文件是空的，不是 .xlsx 工作簿", "the file is empty; it is not an .xlsx workbook")
    if len(data) > limits.max_file_bytes:
        raise UnsafeWorkbookError(
            f"文件过大（{len(data)} 字节，上限 {limits.max_file_bytes}）",
            f"file too large ({len(data)} bytes, limit {limits.max_file_bytes})",
        )
    for magic, zh, en in _MAGIC:
        if data.startswith(magic):
            raise _not_xlsx(filename, zh, en)
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"PK"):
            raise CorruptWorkbookError("文件已损坏（zip 结构无效）", "the file is damaged (invalid zip structure)")
        raise _not_xlsx(filename, "文本或其他格式的文件", "text or another kind of file")


def _check_directory(zf: zipfile.ZipFile, limits: GuardLimits) -> list[zipfile.ZipInfo]:
    """Refuse by the zip directory alone: too many parts, encryption, declared bomb sizes."""
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise UnsafeWorkbookError(f"压缩包内文件过多（{len(infos)} 个）", f"too many parts in the zip ({len(infos)})")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeWorkbookError("工作簿已加密，请取消密码后上传", "the workbook is encrypted; remove the password and upload again")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_min_size and ratio > limits.max_ratio:
            raise UnsafeWorkbookError(
                f"压缩比异常（{info.filename} 为 {ratio:.0f} 倍），疑似压缩炸弹，已拒绝",
                f"abnormal compression ratio ({info.filename}: {ratio:.0f}x), suspected zip bomb; refused",
            )
    if total > limits.max_total_uncompressed:
        raise UnsafeWorkbookError(
            f"解压后体积过大（{total} 字节），疑似压缩炸弹，已拒绝",
            f"unpacked size too large ({total} bytes), suspected zip bomb; refused",
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise NotXlsxError("这是 zip 压缩包而不是 .xlsx 工作簿", "this is a zip archive, not an .xlsx workbook")
    return infos


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, measure: SheetExtent | SharedStrings | None = None) -> tuple[int, set[str], bytes]:
    """Decompress one part in chunks; return real size, formula refs and its first bytes.

    ``measure`` (a worksheet's extent or the shared strings) is fed complete-tag segments.
    """
    is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    is_sheet = isinstance(measure, SheetExtent)
    segments = Segments(info.filename, b"<c" if is_sheet else b"<") if measure is not None else None
    size, head, tail, refs = 0, b"", b"", set()
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size or size > budget:
                raise UnsafeWorkbookError("解压后体积超出声明或上限，疑似压缩炸弹", "unpacked size exceeds the declared size or limit; suspected zip bomb")
            if not is_xml:
                continue
            if not head:
                head = chunk[:4096]
                if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
                    raise UnsafeWorkbookError(f"{info.filename} 不是 UTF-8 编码的 XML", f"{info.filename} is not UTF-8 XML")
            window = tail + chunk
            if b"<!" in window and _DTD.search(window):  # the plain find first: far faster than the regex
                raise UnsafeWorkbookError(
                    "工作簿含有 XML 实体声明（DOCTYPE/ENTITY），出于安全原因拒绝",
                    "the workbook contains XML entity declarations (DOCTYPE/ENTITY); refused for safety",
                )
            if segments is not None:
                measure.feed(segments.feed(chunk))
            tail = chunk[-512:]
    if segments is not None:
        measure.feed(segments.close())
    if is_sheet:
        refs = measure.formulas
        if measure.unplaced:
            measure.place_exactly(_segments_of(zf, info))
    return size, refs, head


def _segments_of(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The part again as complete-tag segments (its size was checked by the first pass)."""
    segments = Segments(info.filename)
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            yield segments.feed(chunk)
    yield segments.close()


def _parse_xml(zf: zipfile.ZipFile, name: str) -> SafeET.Element | None:
    """Parse a small XML part with defusedxml, or ``None`` when the part is absent."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _SMALL_PART:  # a tree of this part is ~10× its size: keep it small
        raise UnsafeWorkbookError(f"{name} 过大（{info.file_size} 字节），已拒绝", f"{name} is too large ({info.file_size} bytes); refused")
    raw = zf.read(info)
    return SafeET.fromstring(raw)


def _main_part(zf: zipfile.ZipFile) -> str:
    """Find the workbook part from the package relationships (``xl/workbook.xml`` usually)."""
    root = _parse_xml(zf, "_rels/.rels")
    if root is not None:
        for rel in root.iter(f"{{{_NS_PKG}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
    return "xl/workbook.xml"


def _workbook_rels(zf: zipfile.ZipFile, main: str) -> list[tuple[str, str, str]]:
    """The workbook part's relationships as (id, type, part path)."""
    base = posixpath.dirname(main)
    rels_root = _parse_xml(zf, posixpath.join(base, "_rels", posixpath.basename(main) + ".rels"))
    out = []
    if rels_root is not None:
        for rel in rels_root.iter(f"{{{_NS_PKG}}}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out.append((rel.get("Id", ""), rel.get("Type", ""), path))
    return out


def _shared_strings_parts(zf: zipfile.ZipFile) -> set[str]:
    """Where a reader may look for shared strings: the workbook's relationship and the usual path."""
    found = {path for _id, typ, path in _workbook_rels(zf, _main_part(zf)) if typ.endswith("/sharedStrings")}
    return found | {name for name in zf.namelist() if name.lower().endswith("sharedstrings.xml")}


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet name to its worksheet part path."""
    main = _main_part(zf)
    if not main.endswith(".xml"):
        raise NotXlsxError("不支持 .xlsb 等二进制工作簿，请另存为 .xlsx", "binary workbooks (.xlsb) are not supported; save as .xlsx")
    book = _parse_xml(zf, main)
    if book is None or not str(book.tag).endswith("workbook"):
        raise NotXlsxError("压缩包中没有工作簿（workbook.xml），不是 .xlsx 文件", "the zip holds no workbook part; it is not an .xlsx file")
    targets = {rid: path for rid, _typ, path in _workbook_rels(zf, main)}
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
        rid = sheet.get(f"{{{_NS_REL}}}id", "")
        if rid in targets:
            parts[sheet.get("name", "")] = targets[rid]
    return parts


def _scan_all(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: GuardLimits) -> tuple[dict[str, str], dict[str, frozenset[str]], int, int]:
    """Scan the package parts first (so a DTD in them is refused as such), then every other
    part, measuring worksheets and shared strings; return sheets, formulas, bytes, cells."""
    files = [info for info in infos if not info.is_dir()]
    first = {"_rels/.rels", _main_part_name(zf)}
    first |= {posixpath.join(posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels") for name in list(first)}
    budget, formulas = limits.max_total_uncompressed, {}
    for info in files:
        if info.filename in first:
            budget -= _scan_part(zf, info, budget)[0]
    parts = sheet_parts(zf)
    sheets = {path: name for name, path in parts.items()}
    strings = _shared_strings_parts(zf)
    cells, expanded, sizes = 0, 0, array("I")
    rest = sorted((info for info in files if info.filename not in first), key=lambda info: info.filename not in strings)
    for info in rest:  # shared strings first: the sheets' citations of them are summed
        name = info.filename
        is_sheet = name in sheets or (name.startswith("xl/worksheets/") and name.lower().endswith(".xml"))
        measure: SheetExtent | SharedStrings | None = None
        if is_sheet:
            measure = SheetExtent(sheets.get(name, posixpath.basename(name)), limits, sizes)
        elif name in strings:
            measure = SharedStrings(name, limits)
        size, refs, _ = _scan_part(zf, info, budget, measure)
        budget -= size
        if refs:
            formulas[name] = frozenset(refs)
        if isinstance(measure, SharedStrings):
            sizes = max(sizes, measure.close(), key=len)
        elif isinstance(measure, SheetExtent):
            cells, expanded = cells + measure.area, expanded + measure.expanded
            if cells > limits.max_cells:
                raise too_large(measure.sheet, measure.rows, measure.cols, limits, cells)
            if expanded > limits.max_expanded_text:
                raise UnsafeWorkbookError(
                    f"工作簿引用的文本总量过大（超过 {limits.max_expanded_text // (1 << 20)} MB），已拒绝",
                    f"the workbook cites too much text in all (over {limits.max_expanded_text // (1 << 20)} MB); refused",
                )
    return parts, formulas, limits.max_total_uncompressed - budget, cells


def _main_part_name(zf: zipfile.ZipFile) -> str:
    """The workbook part's name, read from the package relationships only after their own scan."""
    try:
        info = zf.getinfo("_rels/.rels")
    except KeyError:
        return "xl/workbook.xml"
    _scan_part(zf, info, info.file_size + 1)
    return _main_part(zf)


def check_xlsx(data: bytes, *, filename: str = "", limits: GuardLimits = DEFAULT_LIMITS) -> XlsxInfo:
    """Refuse anything that is not a safe .xlsx; raise only :class:`WorkbookError` subclasses."""
    _check_magic(data, filename, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = _check_directory(zf, limits)
            parts, formulas, unpacked, cells = _scan_all(zf, infos, limits)
    except (UnsafeWorkbookError, NotXlsxError, CorruptWorkbookError):
        raise
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise CorruptWorkbookError("工作簿的 XML 已损坏", f"the workbook XML is damaged ({type(exc).__name__})") from exc
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, struct.error …: all mean damaged
        raise CorruptWorkbookError(
            "文件已损坏或不完整（zip 无法读取），请重新保存后上传",
            f"the file is damaged or truncated (unreadable zip: {type(exc).__name__}); save it again and upload",
        ) from exc
    if not parts:
        raise CorruptWorkbookError("工作簿中没有工作表", "the workbook has no worksheets")
    return XlsxInfo(sheet_parts=parts, formula_cells=formulas, uncompressed_bytes=unpacked, cells=cells)
