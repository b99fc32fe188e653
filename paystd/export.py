"""The payment standards in force on a date as a workbook (written by ``core.export``): the
standards, and what the fund pays for each listed product of their generics."""

from __future__ import annotations

from datetime import date

from core.export import workbook_bytes
from core.formats import date_cell, pct_cell, price_cell
from paystd.queries import InForce, ProductPayment


def standards_workbook(on: date, standards: list[InForce], payments: list[ProductPayment], _) -> bytes:
    """Two sheets: 支付标准 (one row per standard) and 产品支付 (one row per listed product);
    ``_`` translates the headers (the reader's language)."""
    head = [_("Item code"), _("Generic name"), _("Dosage form"), _("Representative specification"),
            _("Supplier (per-product rule)"), _("Payment standard per minimal unit"), _("Effective from"),
            _("Batch"), _("Version"), _("Rule"), _("Fund ratio")]
    rows = [[s.item.code, s.item.generic_name, s.item.dosage_form or "",
             f"{s.item.rep_strength or ''}{s.item.strength_unit or ''}", s.supplier or "", price_cell(s.standard_e4),
             date_cell(s.version.effective_on), s.batch_code, s.version.version,
             _("Highest selected price of the generic") if s.rules.basis == "highest"
             else _("Each product's selected price"), pct_cell(s.rules.fund_ratio)] for s in standards]
    phead = [_("Product code"), _("Generic name"), _("Specification"), _("Pack"), _("Price in force"),
             _("Standard for this pack"), _("Transition year"), _("Cap"), _("Paid by the standard"),
             _("Fund pays"), _("Patient pays")]
    prows = [[p.product.code, p.product.generic_name, p.product.spec, p.product.pack, price_cell(p.pay.price_e4),
              price_cell(p.pay.standard_e4), p.pay.year, price_cell(p.pay.cap_e4), price_cell(p.pay.paid_e4),
              price_cell(p.pay.fund_e4), price_cell(p.pay.patient_e4)] for p in payments]
    return workbook_bytes([(_("Payment standards") + f" {on.isoformat()}", head, rows),
                           (_("Product payments"), phead, prows)])
