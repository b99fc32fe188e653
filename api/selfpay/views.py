"""Self-settled payment routes of ``/api/v1`` (on the blueprint of :mod:`api.views`): a hospital's
HIS lists its unpaid self-settled accepted lines (a bureau those of its region) and records a
payment of some of them — all or nothing."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from accounts.actor import Forbidden
from api.orders.bodies import FieldsError
from api.selfpay.bodies import payment_of
from api.views import api, error, token_required
from core.clock import utcnow
from core.money import fen_to_decimal
from listing.services import local_date
from orders.rules import OrderRefused
from selfpay import queries, services
from selfpay.rules import DEFAULT_DEADLINE_DAYS
from web.db import get_session


def _days() -> int:
    return int(current_app.config.get("SELF_PAY_DAYS") or DEFAULT_DEADLINE_DAYS)


@api.get("/self-payments/unpaid")
@token_required
def unpaid_self_settled():
    """The unpaid self-settled accepted lines this organisation sees, oldest first (at most 5,000)."""
    today = local_date(utcnow())
    rows = queries.ledger(get_session(), g.actor, today, _days(), unpaid_only=True)
    return jsonify(total=len(rows), lines=[
        {"acceptance": r.acceptance_id, "hospital": r.hospital, "supplier": r.supplier, "order": r.order_number,
         "product": r.product, "lot_no": r.lot_no, "quantity": r.quantity, "amount": str(fen_to_decimal(r.amount_fen)),
         "accepted_on": r.accepted_on.isoformat(), "due_on": r.due_on.isoformat(), "days_overdue": r.days_overdue}
        for r in rows[:5000]])


@api.post("/self-payments")
@token_required
def record_self_payment():
    """The hospital records its own payment of accepted lines (exactly their total)."""
    try:
        lines, paid_on, amount, bank_ref = payment_of(request.get_json(silent=True))
    except FieldsError as exc:
        return error(422, "invalid_body", "请求数据无效 / invalid body", exc.fields)
    try:
        payment = services.record_self_payment(get_session(), g.actor, lines, paid_on, amount, bank_ref, utcnow())
    except Forbidden:
        return error(403, "forbidden", "只有医疗机构可以登记付款 / hospitals only")
    except OrderRefused as exc:
        return error(422, "rejected", f"{len(exc.problems)} 处错误，未写入任何内容 / {len(exc.problems)} problems; "
                                      f"nothing was written",
                     {field or "body": msg.english() for _k, field, msg in exc.problems[:500]})
    return jsonify(id=payment.id, paid_on=payment.paid_on.isoformat(), amount=str(fen_to_decimal(payment.amount_fen)),
                   bank_ref=payment.bank_ref, lines=lines), 201
