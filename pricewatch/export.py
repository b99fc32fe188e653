"""The monthly indicator report as a workbook (written by ``core.export``)."""

from __future__ import annotations

from core.export import workbook_bytes
from core.formats import pct_cell, price_cell, qty_cell, yuan_cell
from pricewatch.report import Report


def report_workbook(report: Report, _) -> bytes:
    """Three sheets: products, hospitals, suppliers; ``_`` translates the headers."""
    products = [[p.name, qty_cell(p.hospitals), qty_cell(p.quantity), price_cell(p.average_e4 or None),
                 pct_cell(p.index), pct_cell(p.dispersion), p.raised, p.closed] for p in report.products]
    orgs = [[o.name, qty_cell(o.lines), yuan_cell(o.amount_fen), o.raised, o.closed]
            for o in report.hospitals]
    suppliers = [[o.name, qty_cell(o.lines), yuan_cell(o.amount_fen), o.raised, o.closed]
                 for o in report.suppliers]
    org_head = [_("Name"), _("Purchase lines"), _("Amount"), _("Alerts raised"), _("Alerts closed")]
    return workbook_bytes([
        (_("Products") + f" {report.month}", [_("Product"), _("Hospitals buying"), _("Quantity"), _("Average price"),
                                              _("Price index"), _("Dispersion"), _("Alerts raised"),
                                              _("Alerts closed")], products),
        (_("Hospitals monitored"), org_head, orgs), (_("Suppliers"), org_head, suppliers)])
