"""Hostile workbooks written straight as XML (fast at 100,000 rows, and able to lie)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter as column_letters

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '{sheets}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
       '{sst}</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="1"><font/></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders>'
           '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>')
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(ref: str, value: object) -> str:
    """One cell: a number, or an inline string."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Sequence[object]], start: int = 1) -> Iterable[str]:
    """``<row>`` elements for rows of values from column A (None = no cell)."""
    for r, values in enumerate(rows, start=start):
        cells = "".join(cell(f"{column_letters(c)}{r}", v) for c, v in enumerate(values, start=1) if v is not None)
        yield f'<row r="{r}">{cells}</row>'


def repeated(header: Sequence[object], values: Sequence[object], copies: int) -> Iterable[str]:
    """The header row, then ``copies`` rows of the same values (fast: one template per row)."""
    yield from rows_xml([header])
    template = "".join(cell(f"{column_letters(c)}@@", v) for c, v in enumerate(values, start=1) if v is not None)
    parts = template.split("@@")
    for r in range(2, copies + 2):
        yield f'<row r="{r}">' + str(r).join(parts) + "</row>"


def sheet_xml(body: Iterable[str], *, dimension: str | None = None, after: str = "") -> str:
    """A worksheet part around ``<row>`` elements (and anything after sheetData, e.g. merges)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">{dim}<sheetData>{"".join(body)}</sheetData>{after}</worksheet>'


def workbook(sheets: Sequence[tuple[str, str]], *, shared_strings: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx of (name, worksheet XML) pairs, optionally with a sharedStrings part and extra parts."""
    entries = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, (name, _x) in enumerate(sheets, start=1))
    rels = "".join(f'<Relationship Id="rId{n}" Type="{_R}/worksheet" Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
    rels += f'<Relationship Id="rIdS" Type="{_R}/styles" Target="styles.xml"/>'
    if shared_strings is not None:
        rels += f'<Relationship Id="rIdT" Type="{_R}/sharedStrings" Target="sharedStrings.xml"/>'
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                        for n in range(1, len(sheets) + 1))
    sst = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared_strings is not None else ""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(sheets=overrides, sst=sst))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_R}"><sheets>{entries}</sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        zf.writestr("xl/styles.xml", _STYLES)
        for n, (_name, xml) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if shared_strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
    return out.getvalue()


def table(name: str, rows: Sequence[Sequence[object]], **kwargs) -> bytes:
    """A one-sheet workbook holding ``rows`` from A1."""
    return workbook([(name, sheet_xml(rows_xml(rows), **kwargs))])


def flood(name: str, header: Sequence[object], values: Sequence[object], copies: int) -> bytes:
    """A one-sheet workbook: a header and ``copies`` copies of one row."""
    return workbook([(name, sheet_xml(repeated(header, values, copies)))])
