"""Self-settled payment pages (自行结算货款, thin routes): the hospital sees its unpaid and overdue
accepted lines and records a payment of some of them; the bureau sees, per hospital of its region,
the overdue lines and the on-time payment rate, and exports them to Excel."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.export import workbook_bytes
from core.formats import date_cell, pct_cell, qty_cell, yuan_cell
from listing.services import local_date
from orders.rules import OrderRefused, shown
from selfpay import queries, services
from selfpay.rules import DEFAULT_DEADLINE_DAYS
from web.auth import requires
from web.db import get_session
from web.downloads import xlsx_download
from web.forms import EmptyForm

bp = Blueprint("selfpay", __name__, url_prefix="/selfpay")
BUREAU = (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN)


def _days() -> int:
    return int(current_app.config.get("SELF_PAY_DAYS") or DEFAULT_DEADLINE_DAYS)


@bp.get("")
@requires(Role.HOSPITAL_BUYER, *BUREAU)
def index():
    """The hospital's unpaid lines and payments, or the bureau's figures per hospital
    (``?xlsx=1``: the bureau's workbook)."""
    today, days = local_date(utcnow()), _days()
    if g.actor.role == Role.HOSPITAL_BUYER:
        rows = queries.ledger(get_session(), g.actor, today, days, unpaid_only=True)
        return render_template("selfpay/hospital.html", rows=rows, days=days, today=today, form=EmptyForm(formdata=None),
                               payments=queries.payments(get_session(), g.actor),
                               figures=queries.figures(queries.ledger(get_session(), g.actor, today, days), today))
    figures = queries.figures(queries.ledger(get_session(), g.actor, today, days), today)
    if request.args.get("xlsx"):
        return xlsx_download(_workbook(figures), "self-settled-payments.xlsx")
    return render_template("selfpay/monitor.html", figures=figures, days=days, today=today)


def _workbook(figures: list[queries.HospitalFigures]) -> bytes:
    head = [_("Hospital"), _("Lines due"), _("Paid on time"), _("On-time rate"), _("Unpaid lines"),
            _("Unpaid (yuan)"), _("Overdue lines"), _("Overdue (yuan)"), _("Oldest overdue (days)")]
    rows = [[f.hospital, qty_cell(f.due), qty_cell(f.on_time), pct_cell(f.ratio), qty_cell(f.unpaid),
             yuan_cell(f.unpaid_fen), qty_cell(f.overdue), yuan_cell(f.overdue_fen), qty_cell(f.oldest_days)]
            for f in figures]
    late_head = [_("Hospital"), _("Supplier"), _("Order"), _("Product"), _("Lot number"), _("Packs"), _("Amount (yuan)"),
                 _("Accepted on"), _("Due on"), _("Days overdue")]
    late = [[r.hospital, r.supplier, r.order_number, r.product, r.lot_no, qty_cell(r.quantity), yuan_cell(r.amount_fen),
             date_cell(r.accepted_on), date_cell(r.due_on), qty_cell(r.days_overdue)] for f in figures for r in f.rows]
    return workbook_bytes([(_("On-time rates"), head, rows), (_("Overdue lines"), late_head, late)])


@bp.post("/payments")
@requires(Role.HOSPITAL_BUYER)
def record():
    """Record the hospital's payment of the lines ticked (``line-<acceptance id>``)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = []
    for key in list(request.form)[:2000]:
        tail = key.removeprefix("line-")
        if key.startswith("line-") and tail.isascii() and tail.isdigit() and len(tail) < 10:
            ids.append(int(tail))
    try:
        services.record_self_payment(get_session(), g.actor, ids, request.form.get("paid_on", ""),
                                     request.form.get("amount", ""), request.form.get("bank_ref", ""), utcnow())
    except OrderRefused as exc:
        for problem in exc.problems[:20]:
            flash(str(shown(problem)), "error")
    except Forbidden:
        flash(_("Only the hospital records its payments."), "error")
    else:
        flash(_("Payment recorded."), "success")
    return redirect(url_for("selfpay.index"))
