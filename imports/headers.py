"""Header matching by name: Chinese or English aliases, any column order, extras ignored.

A header text is compared after folding: full-width → half-width, lower case, anything in
brackets dropped (``上年用量（片）`` → ``上年用量``), spaces, ``*`` and punctuation removed.
The header row is searched in the first rows of the sheet (a title row above it is fine);
the row matching most known columns wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from imports.normalise import CellKind, as_text

SEARCH_ROWS = 30
_BRACKETS = re.compile(r"[（(\[【〔{<《].*?[)）\]】〕}>》]")
_NOISE = re.compile(r"[\s*＊:：_\-—/\\.,，。、'\"“”‘’?？!！#№]+")


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column: a key for code, display labels, aliases, whether required, kind."""

    key: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    kind: CellKind = CellKind.TEXT
    hint_zh: str = ""
    hint_en: str = ""

    @property
    def label(self) -> str:
        """The bilingual column name used in messages: ``承诺年采购量 (committed annual volume)``."""
        return f"{self.label_zh} ({self.label_en})"

    def keys(self) -> frozenset[str]:
        """All folded names this column answers to."""
        return frozenset(header_key(name) for name in (self.label_zh, self.label_en, self.key, *self.aliases))


@dataclass(frozen=True)
class HeaderMatch:
    """Where the header row is and which column index (0-based, absolute) holds each key."""

    row: int
    columns: Mapping[str, int]
    titles: Mapping[str, str]
    missing: tuple[ColumnSpec, ...] = ()
    duplicated: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every required column is present exactly once."""
        return not self.missing and not self.duplicated


def header_key(text: object) -> str:
    """Fold a header text for comparison (width, case, brackets, spaces, punctuation)."""
    folded = unicodedata.normalize("NFKC", as_text(text)).lower()
    stripped = _BRACKETS.sub("", folded)
    return _NOISE.sub("", stripped or folded) or _NOISE.sub("", folded)


def _alias_table(specs: Sequence[ColumnSpec]) -> dict[str, str]:
    """Folded name → column key; an alias claimed by two specs is a programming error."""
    table: dict[str, str] = {}
    for spec in specs:
        for name in spec.keys():
            if table.setdefault(name, spec.key) != spec.key:
                raise ValueError(f"alias {name!r} used by {table[name]!r} and {spec.key!r}")
    return table


def match_row(cells: Sequence[object], row: int, specs: Sequence[ColumnSpec], col0: int = 0, table: dict[str, str] | None = None) -> HeaderMatch:
    """Match one candidate header row; ``col0`` is the absolute index of ``cells[0]``."""
    table = table if table is not None else _alias_table(specs)
    found: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for offset, cell in enumerate(cells):
        key = table.get(header_key(cell)) if cell not in (None, "") else None
        if key is not None:
            found.setdefault(key, []).append(col0 + offset)
            titles.setdefault(key, as_text(cell).strip())
    missing = tuple(spec for spec in specs if spec.required and spec.key not in found)
    duplicated = {key: tuple(cols) for key, cols in found.items() if len(cols) > 1}
    columns = {key: cols[0] for key, cols in found.items()}
    return HeaderMatch(row=row, columns=columns, titles=titles, missing=missing, duplicated=duplicated)


def find_header(rows: Sequence[Sequence[object]], specs: Sequence[ColumnSpec], col0: int = 0) -> HeaderMatch | None:
    """The best header row among the first ``SEARCH_ROWS`` rows, or ``None`` if nothing matches.

    ``rows[i]`` is Excel row ``i + 1``. Best means most columns found, required ones first;
    ties go to the upper row.
    """
    best: HeaderMatch | None = None
    best_score = (0, 0)
    table = _alias_table(specs)
    for index, cells in enumerate(rows[:SEARCH_ROWS]):
        match = match_row(cells, index + 1, specs, col0, table)
        required = sum(1 for spec in specs if spec.required and spec.key in match.columns)
        score = (required, len(match.columns))
        if score > best_score:
            best, best_score = match, score
    return best
