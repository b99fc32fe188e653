"""One chart: the figures a page shows as an ECharts chart, as the table beside it (the no-JS
view) and as an Excel sheet — all three from the same :class:`Chart`, so they cannot disagree.

A chart is categories (hospitals, batches, months …) and one or more series of exact values in
one of the platform's formats: ``qty`` (whole units), ``yuan`` (integer fen), ``pct`` (a Decimal
ratio, 0.5 = 50 %). :meth:`Chart.island` is the JSON the page embeds next to the table for
``web/static/charts.js``; numbers there are decimal strings in display units (yuan, per cent) —
the browser only draws them, every figure a person reads in the table comes from the server.

Pure: no Flask, no database. Titles and labels arrive already translated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.export import workbook_bytes
from core.formats import Cell, pct_cell, plain_decimal, qty_cell, yuan_cell
from core.money import fen_to_decimal

FORMATS = ("qty", "yuan", "pct")
KINDS = ("bar", "line")
_SHEET_UNSAFE = re.compile(r"[\\/*?:\[\]\x00-\x1f]")
_CELL = {"qty": qty_cell, "yuan": yuan_cell, "pct": pct_cell}


@dataclass(frozen=True)
class Series:
    """One series: its name, unit shown on the axis and in the tooltip, format and values
    (one per category; None where there is no figure)."""

    name: str
    unit: str
    fmt: str
    values: tuple[int | Decimal | None, ...]
    kind: str = "bar"
    drawn: bool = True  # False: a column of the table and the export only (e.g. the quantities behind a ratio)

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown chart format {self.fmt!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")

    def display(self, value: int | Decimal | None) -> str | None:
        """``value`` in display units as a decimal string (yuan for fen, per cent for a ratio)."""
        if value is None:
            return None
        if self.fmt == "yuan":
            return plain_decimal(fen_to_decimal(value))
        if self.fmt == "pct":
            return plain_decimal(Decimal(value) * 100)
        return str(value)


@dataclass(frozen=True)
class Chart:
    """A chart with a page-unique ``key`` (also the export's name), a title, the label of the
    category axis, categories and series; ``horizontal`` puts categories on the vertical axis."""

    key: str
    title: str
    category_label: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    horizontal: bool = False

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")

    @property
    def header(self) -> list[str]:
        """Column titles: the category label, then each series with its unit."""
        return [self.category_label] + [f"{s.name} ({s.unit})" if s.unit else s.name for s in self.series]

    def rows(self) -> list[tuple[str, list[tuple[str, int | Decimal | None]]]]:
        """(category, [(format, value) per series]) — what the table beside the chart shows."""
        return [(c, [(s.fmt, s.values[i]) for s in self.series]) for i, c in enumerate(self.categories)]

    def island(self) -> dict:
        """The JSON data island for ``charts.js``."""
        return {"key": self.key, "title": self.title, "category_label": self.category_label,
                "categories": list(self.categories), "horizontal": self.horizontal,
                "series": [{"name": s.name, "unit": s.unit, "fmt": s.fmt, "kind": s.kind,
                            "values": [s.display(v) for v in s.values]} for s in self.series if s.drawn]}

    def workbook(self) -> bytes:
        """The chart's data as an Excel sheet: numbers with their number formats."""
        body: list[Sequence[object]] = []
        for category, cells in self.rows():
            body.append([category] + [_CELL[fmt](value) for fmt, value in cells])
        return workbook_bytes([(sheet_title(self.title), self.header, body)])


def sheet_title(text: str) -> str:
    """``text`` as an Excel sheet name: without the characters a sheet name may not hold, at most
    31 characters, never empty."""
    cleaned = _SHEET_UNSAFE.sub(" ", text).strip(" '")[:31].strip(" '")
    return cleaned or "chart"


def find(charts: Sequence[Chart], key: str) -> Chart | None:
    """The chart named ``key``, else None."""
    return next((c for c in charts if c.key == key), None)


__all__ = ["Cell", "Chart", "Series", "find"]
