"""Workbooks of retained savings (pure: rows in, .xlsx bytes out through ``core.export``): a
batch's assessment list, and a hospital's statement (结余留用结算单) — the decided version, the
amount and how it is paid, and the lines per item it adds up from, to the fen."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from core.export import workbook_bytes
from core.formats import pct_cell, price_cell, qty_cell, yuan_cell
from core.i18n import N_


def list_workbook(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The officers' list of a batch as one sheet."""
    return workbook_bytes([(title, header, rows)])


HEADER = (N_("Item code"), N_("Item"), N_("Agreed volume"), N_("Purchased volume"), N_("Pre-VBP average price (yuan)"),
          N_("Fund payment ratio"), N_("Benchmark (yuan)"), N_("Actual fund spend (yuan)"),
          N_("of it non-selected products of the generic (orders)"), N_("Savings base (yuan)"),
          N_("Retention rate"), N_("Retained (yuan)"))


def _optional_yuan(fen: int | None):
    """A yuan cell, or empty for a version stored before the figure was kept."""
    return None if fen is None else yuan_cell(fen)


def statement_workbook(facts: Sequence[tuple[str, object]], shown: dict, item_names: dict[str, str]) -> bytes:
    """A hospital's statement: a sheet of facts (label, value) and a sheet of its lines per item,
    headed in the reader's language."""
    lines = [(r["item_code"], item_names.get(r["item_code"], ""), qty_cell(r["agreed"]), qty_cell(r["purchased"]),
              price_cell(r["pre_vbp_price_e4"]), pct_cell(Decimal(r["fund_payment_ratio"])),
              yuan_cell(r["benchmark_fen"]), yuan_cell(r["spend_fen"]), _optional_yuan(r.get("non_selected_fen")),
              yuan_cell(r["base_fen"]),
              pct_cell(Decimal(r["rate"])), yuan_cell(r["retained_fen"])) for r in shown["rows"]]
    lines.append((str(N_("Total")), "", None, None, None, None, yuan_cell(shown["benchmark_fen"]),
                  yuan_cell(shown["spend_fen"]), _optional_yuan(shown.get("non_selected_fen")), yuan_cell(shown["base_fen"]),
                  None, yuan_cell(shown["retained_fen"])))
    return workbook_bytes([(str(N_("Retained-savings statement")), [str(N_("Statement entry")), str(N_("Statement value"))],
                            facts), (str(N_("Savings per item")), [str(h) for h in HEADER], lines)])
