"""The evaluation run (and the result under review) as a workbook a reader can check offline.

Three sheets: one row per item (anchor, thresholds, status, cost), one row per bid (supplier
name, price, outcome, the sentence that explains it, awarded regions, volume and amount), and
the binding constraints in words. Prices and amounts are numbers with number formats, never
text; every sheet goes through ``core.export.save``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from evaluation.queries import ReadableItem
from evaluation.reading import ItemReading, Translate

PRICE_FORMAT = '"¥"#,##0.0000'
MONEY_FORMAT = '"¥"#,##0.00'
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class ExportItem:
    """One item of the workbook: its catalog name and unit, the reading, and the run's figures."""

    code: str
    title: str
    unit: str
    reading: ItemReading
    agreed_volume: int
    objective: Decimal | None
    baseline: Decimal | None
    previous_price: Decimal | None = None
    price_cut: Decimal | None = None
    saving_vs_previous: Decimal | None = None


def export_item(it: ReadableItem, **extra) -> ExportItem:
    """A readable item as a row group of the evaluation workbook."""
    res = it.result
    return ExportItem(it.item.code, it.title, it.item.minimal_unit, it.reading, res.get("agreed_volume") or 0,
                      Decimal(res["objective"]) if res.get("objective") else None,
                      Decimal(res["baseline_objective"]) if res.get("baseline_objective") else None, **extra)


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[tuple[object, str | None]]]) -> None:
    """A sheet with a bold frozen header; each cell is (value, number format or None)."""
    ws = wb.create_sheet(title[:31])
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([value for value, _fmt in row])
        for cell, (_value, fmt) in zip(ws[ws.max_row], row, strict=True):
            if fmt and cell.value is not None:
                cell.number_format = fmt
    for column, width in zip("ABCDEFGHIJKLMN", (12, 24, 18, 14, 14, 14, 14, 14, 40, 24, 12, 14, 14, 14), strict=False):
        ws.column_dimensions[column].width = width


def build_evaluation_workbook(title: str, items: Sequence[ExportItem], _: Translate,
                              outcome_label=None) -> bytes:
    """The workbook of one run: items, bids with reasons, binding constraints."""
    label = outcome_label or (lambda reason: reason)
    wb = Workbook()
    wb.remove(wb.active)
    summary = []
    for it in items:
        r = it.reading
        spread = next((t.value for t in r.thresholds[2:3]), None) if r.anchor is not None else None
        summary.append([(it.code, None), (it.title, None), (title, None), (r.status_sentence, None),
                        (r.max_valid_price, PRICE_FORMAT), (r.anchor, PRICE_FORMAT), (spread, PRICE_FORMAT),
                        (r.anchor_sentence, None), (r.valid_count, COUNT_FORMAT), (r.winner_limit, COUNT_FORMAT),
                        (it.agreed_volume, COUNT_FORMAT), (it.unit, None), (it.objective, MONEY_FORMAT),
                        (it.baseline, MONEY_FORMAT), (it.previous_price, PRICE_FORMAT), (it.price_cut, PERCENT_FORMAT),
                        (it.saving_vs_previous, MONEY_FORMAT), (r.reason or "", None)])
    _sheet(wb, _("Items"), [_("Item code"), _("Item"), _("Batch"), _("Solver"), _("Maximum valid price"),
                            _("Anchor price"), _("Price-spread line"), _("How the anchor was derived"), _("Valid bids"),
                            _("Most winners"), _("Agreed volume"), _("Unit"), _("Optimal cost"), _("Baseline cost"),
                            _("Previous price"), _("Price cut"), _("Saving vs previous prices"), _("Reason")], summary)
    bids = []
    for it in items:
        for b in it.reading.bids:
            bids.append([(it.code, None), (it.title, None), (b.rank, COUNT_FORMAT), (b.name, None), (b.supplier, None),
                         (b.ucp, PRICE_FORMAT), (str(label(b.reason)), None), (b.sentence, None),
                         (_(", ").join(b.regions), None), (_(", ").join(b.backup_regions), None),
                         (b.volume, COUNT_FORMAT), (b.paid_ucp, PRICE_FORMAT), (b.cost, MONEY_FORMAT)])
    _sheet(wb, _("Bids and outcomes"), [_("Item code"), _("Item"), _("Rank"), _("Supplier"), _("Supplier code"),
                                        _("Unit comparable price"), _("Outcome"), _("Why"), _("Regions"),
                                        _("Backup regions"), _("Volume"), _("Paid price"), _("Amount")], bids)
    thresholds = [[(it.code, None), (it.title, None), (t.label, None), (t.value, PRICE_FORMAT), (t.rule, None)]
                  for it in items for t in it.reading.thresholds]
    _sheet(wb, _("Price lines"), [_("Item code"), _("Item"), _("Price line"), _("Unit price"), _("Rule")], thresholds)
    binding = [[(it.code, None), (it.title, None), (s, None)] for it in items for s in it.reading.binding]
    _sheet(wb, _("Binding constraints"), [_("Item code"), _("Item"), _("Binding constraints")], binding)
    return save(wb)
