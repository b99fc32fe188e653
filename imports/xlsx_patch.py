"""Fast annotation of a large .xlsx by editing its parts in place (no full openpyxl load).

Only the rows holding bad cells are rewritten; every other byte of the user's sheets is
kept. Bad cells get a copy of their own cell format with a light-red fill; comments are added
as a comments part plus the legacy VML drawing Excel needs to show them; the summary sheet
is written as a new worksheet part with inline strings. Anything unusual (existing comments,
prefixed XML, cells or rows without references) raises :class:`PatchUnsupported` and the
caller falls back to openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import column_index_from_string, get_column_letter

from imports.xlsx_guard import sheet_parts

RED = "FFFFC7CE"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_COMMENTS = _NS_R + "/comments"
_REL_VML = _NS_R + "/vmlDrawing"
_REL_SHEET = _NS_R + "/worksheet"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"[^>]*?(/?)>')
_AFTER_LEGACY = (b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls", b"<webPublishItems", b"<tableParts", b"<extLst")


class PatchUnsupported(Exception):
    """The workbook has a feature the fast path does not edit; use the openpyxl path."""


def xml_text(value: str) -> str:
    """Escape text for XML content, dropping characters XML 1.0 forbids."""
    return escape(_ILLEGAL.sub("", value))


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """Set (or add) an attribute on a start tag given as bytes."""
    pattern = re.compile(rb"\b" + name + rb'="[^"]*"')
    if pattern.search(tag):
        return pattern.sub(name + b'="' + value + b'"', tag, count=1)
    end = -2 if tag.endswith(b"/>") else -1
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


class _Styles:
    """Adds a red fill and red copies of cell formats to styles.xml."""

    def __init__(self, xml: bytes) -> None:
        """Locate fills and cellXfs; refuse unusual layouts."""
        fills = re.search(rb"<fills\b[^>]*>(.*?)</fills>", xml, re.S)
        xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        if fills is None or xfs is None:
            raise PatchUnsupported("styles layout")
        self.xml, self.fills, self.xfs = xml, fills, xfs
        self.fill_id = len(re.findall(rb"<fill\b", fills.group(1)))
        self.xf_list = re.findall(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
        self.added: dict[int, int] = {}

    def red(self, style: int) -> int:
        """Index of a copy of cell format ``style`` with the red fill."""
        if style not in self.added:
            self.added[style] = len(self.xf_list) + len(self.added)
        return self.added[style]

    def render(self) -> bytes:
        """styles.xml with the new fill and formats appended."""
        fill = b'<fill><patternFill patternType="solid"><fgColor rgb="' + RED.encode() + b'"/><bgColor indexed="64"/></patternFill></fill>'
        new_xfs = []
        for style in sorted(self.added, key=self.added.__getitem__):
            base = self.xf_list[style] if style < len(self.xf_list) else self.xf_list[0]
            head_end = base.index(b">") + 1
            head = base[:head_end]
            head = _set_attr(_set_attr(head, b"fillId", str(self.fill_id).encode()), b"applyFill", b"1")
            new_xfs.append(head + base[head_end:])
        xf_block = self.xfs.group(0)
        xf_block = xf_block.replace(b"</cellXfs>", b"".join(new_xfs) + b"</cellXfs>")
        xf_block = _set_attr(xf_block[: xf_block.index(b">") + 1], b"count", str(len(self.xf_list) + len(new_xfs)).encode()) + xf_block[xf_block.index(b">") + 1 :]
        fill_block = self.fills.group(0).replace(b"</fills>", fill + b"</fills>")
        fill_block = _set_attr(fill_block[: fill_block.index(b">") + 1], b"count", str(self.fill_id + 1).encode()) + fill_block[fill_block.index(b">") + 1 :]
        out = self.xml[: self.fills.start()] + fill_block + self.xml[self.fills.end() : self.xfs.start()] + xf_block + self.xml[self.xfs.end() :]
        return out


def _patch_row(body: bytes, row: int, refs: Mapping[str, str], styles: _Styles) -> bytes:
    """Restyle the bad cells of one row's content, inserting empty cells where needed."""
    cells: list[tuple[int, bytes]] = []
    wanted = {column_index_from_string(ref.rstrip("0123456789")): ref for ref in refs}
    for match in _CELL.finditer(body):
        ref = _ATTR_R.search(match.group(1))
        if ref is None:
            raise PatchUnsupported("cell without reference")
        col = column_index_from_string(ref.group(1).decode())
        text = match.group(0)
        if col in wanted:
            if match.group(2) is None:
                head, rest = text, b""
            else:
                head_end = text.index(b">") + 1
                head, rest = text[:head_end], text[head_end:]
            style = _ATTR_S.search(head)
            new = styles.red(int(style.group(1)) if style else 0)
            text = _set_attr(head, b"s", str(new).encode()) + rest
            del wanted[col]
        cells.append((col, text))
    for col in wanted:
        cells.append((col, f'<c r="{get_column_letter(col)}{row}" s="{styles.red(0)}"/>'.encode()))
    cells.sort(key=lambda pair: pair[0])
    return b"".join(text for _, text in cells)


def _find_row(xml: bytes, row: int, pos: int) -> re.Match[bytes] | None:
    """The start tag of row ``row`` at or after ``pos`` (fast when ``r`` is the first attribute)."""
    at = xml.find(b'<row r="%d"' % row, pos)
    if at >= 0:
        match = _ROW.match(xml, at)
        if match is not None and int(match.group(1)) == row:
            return match
    for match in _ROW.finditer(xml, pos):
        found = int(match.group(1))
        if found >= row:
            return match if found == row else None
    return None


def _patch_sheet(xml: bytes, marks: Mapping[str, str], styles: _Styles, legacy_rid: str) -> bytes:
    """Rewrite the rows holding marked cells and add the legacyDrawing reference."""
    if not xml.lstrip().startswith((b"<?xml", b"<worksheet")) or b"<legacyDrawing" in xml:
        raise PatchUnsupported("sheet layout")
    by_row: dict[int, dict[str, str]] = {}
    for ref, text in marks.items():
        by_row.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), {})[ref] = text
    out, pos = [], 0
    for row in sorted(by_row):
        start = _find_row(xml, row, pos)
        if start is None:
            raise PatchUnsupported(f"row {row} not found")
        tag = re.sub(rb'\s+spans="[^"]*"', b"", start.group(0))
        if start.group(2):
            body_end = end = start.end()
            tag = tag[:-2] + b">"
            closing = b"</row>"
        else:
            body_end = xml.index(b"</row>", start.end())
            end, closing = body_end + len(b"</row>"), b"</row>"
        body = xml[start.end() : body_end] if not start.group(2) else b""
        out += [xml[pos : start.start()], tag, _patch_row(body, row, by_row[row], styles), closing]
        pos = end
    tail = xml[pos:]
    at = min((i for i in (tail.find(tag) for tag in _AFTER_LEGACY) if i >= 0), default=tail.rfind(b"</worksheet>"))
    legacy = f'<legacyDrawing xmlns:r="{_NS_R}" r:id="{legacy_rid}"/>'.encode()
    out += [tail[:at], legacy, tail[at:]]
    return b"".join(out)


def _comments_xml(marks: Mapping[str, str]) -> bytes:
    """The comments part for one sheet."""
    items = "".join(
        f'<comment ref="{ref}" authorId="0"><text><r><t xml:space="preserve">{xml_text(text)}</t></r></text></comment>'
        for ref, text in marks.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<authors><author>jicai</author></authors><commentList>{items}</commentList></comments>"
    ).encode()


def _vml(marks: Mapping[str, str], block: int) -> bytes:
    """The legacy VML drawing that makes Excel show the comments (one shape per comment)."""
    blocks = ",".join(str(b) for b in range(block, block + len(marks) // 1024 + 1))
    shapes = []
    for n, ref in enumerate(marks):
        letters = ref.rstrip("0123456789")
        row, col = int(ref[len(letters) :]) - 1, column_index_from_string(letters) - 1
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + n + 1}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            'margin-top:1.5pt;width:180pt;height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
            f"<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes)
        + "</xml>"
    ).encode()


def _add_rels(rels: bytes | None, entries: Sequence[tuple[str, str, str]]) -> bytes:
    """A relationships part with entries (id, type, target) appended."""
    xml = rels or b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    new = "".join(f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(g)}/>" for i, t, g in entries)
    return xml.replace(b"</Relationships>", new.encode() + b"</Relationships>")


def patch_workbook(data: bytes, marks: Mapping[str, Mapping[str, str]], summary_name: str, summary_xml: bytes) -> bytes:
    """The workbook with marked cells red and commented and a summary sheet appended."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        parts, files = sheet_parts(zf), {name: zf.read(name) for name in names}
    if "xl/workbook.xml" not in files or "xl/styles.xml" not in files or b"<sheets>" not in files["xl/workbook.xml"]:
        raise PatchUnsupported("workbook layout")
    styles, types = _Styles(files["xl/styles.xml"]), files["[Content_Types].xml"]
    for n, (sheet, cells) in enumerate(sorted(marks.items()), start=1):
        part = parts.get(sheet)
        if part is None or part not in files or not cells:
            continue
        folder, base = part.rsplit("/", 1)
        rels_name = f"{folder}/_rels/{base}.rels"
        if rels_name in files and _REL_COMMENTS.encode() in files[rels_name]:
            raise PatchUnsupported("sheet already has comments")
        files[part] = _patch_sheet(files[part], cells, styles, f"rIdJicaiVml{n}")
        files[f"xl/comments_jicai{n}.xml"] = _comments_xml(cells)
        files[f"xl/drawings/vmlDrawing_jicai{n}.vml"] = _vml(cells, 10 * n)
        files[rels_name] = _add_rels(files.get(rels_name), [(f"rIdJicaiCmt{n}", _REL_COMMENTS, f"../comments_jicai{n}.xml"), (f"rIdJicaiVml{n}", _REL_VML, f"../drawings/vmlDrawing_jicai{n}.vml")])
        types = types.replace(b"</Types>", f'<Override PartName="/xl/comments_jicai{n}.xml" ContentType="{_CT_COMMENTS}"/></Types>'.encode())
    if b'Extension="vml"' not in types:
        types = types.replace(b"</Types>", f'<Default Extension="vml" ContentType="{_CT_VML}"/></Types>'.encode())
    types = types.replace(b"</Types>", f'<Override PartName="/xl/worksheets/jicai_errors.xml" ContentType="{_CT_SHEET}"/></Types>'.encode())
    files["[Content_Types].xml"], files["xl/styles.xml"] = types, styles.render()
    files["xl/worksheets/jicai_errors.xml"] = summary_xml
    book = files["xl/workbook.xml"]
    sheet_id = max((int(x) for x in re.findall(rb'sheetId="([0-9]+)"', book)), default=0) + 1
    entry = f'<sheet xmlns:r="{_NS_R}" name={quoteattr(summary_name)} sheetId="{sheet_id}" r:id="rIdJicaiSummary"/>'
    files["xl/workbook.xml"] = book.replace(b"</sheets>", entry.encode() + b"</sheets>")
    files["xl/_rels/workbook.xml.rels"] = _add_rels(files.get("xl/_rels/workbook.xml.rels"), [("rIdJicaiSummary", _REL_SHEET, "worksheets/jicai_errors.xml")])
    names += [name for name in files if name not in names]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, files[name], compresslevel=1 if len(files[name]) > 1 << 20 else 6)
    return out.getvalue()
