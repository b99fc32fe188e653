"""Payment-standard routes of ``/api/v1`` (on the blueprint of :mod:`api.views`): the standards
in force on a date and what the fund pays for each listed product, as the page shows them."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request

from api.views import _money, api, error, token_required
from core.clock import utcnow
from listing.services import local_date
from paystd import queries
from web.db import get_session


@api.get("/payment-standards")
@token_required
def payment_standards():
    """The standards in force on ``date`` (default today) and the listed products' payments."""
    raw = request.args.get("date", "")
    try:
        if raw and len(raw) != 10:
            raise ValueError(raw)
        on = date.fromisoformat(raw) if raw else local_date(utcnow())
    except ValueError:
        return error(422, "invalid_query", "日期应为 2026-12-01 格式 / date must look like 2026-12-01",
                     {"date": "not a date"})
    session = get_session()
    standards = [{"item": s.item.code, "generic_name": s.item.generic_name, "dosage_form": s.item.dosage_form,
                  "supplier": s.supplier, "standard": _money(s.standard_e4), "per": "minimal unit of the "
                  "representative specification", "effective_on": s.version.effective_on.isoformat(),
                  "batch": s.batch_code, "version": s.version.version, "basis": s.rules.basis,
                  "fund_ratio": str(s.rules.fund_ratio)} for s in queries.in_force(session, g.actor, on)]
    products = [{"code": p.product.code, "price": _money(p.pay.price_e4), "standard": _money(p.pay.standard_e4),
                 "transition_year": p.pay.year, "cap": _money(p.pay.cap_e4), "paid": _money(p.pay.paid_e4),
                 "fund_pays": _money(p.pay.fund_e4), "patient_pays": _money(p.pay.patient_e4)}
                for p in queries.product_payments(session, g.actor, on)]
    return jsonify(date=on.isoformat(), standards=standards, products=products)
