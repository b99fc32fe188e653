"""Order pages (采购订单): the list per role (and its Excel export), the hospital's new-order form,
one order with the step each party may take — send or withdraw a draft, confirm or refuse lines,
ship with lots, accept or reject shipped packs — and the lot trace (thin routes)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.export import workbook_bytes
from core.formats import date_cell, price_cell, qty_cell, yuan_cell
from orders import delivery, lists, queries, services
from orders.rules import OrderRefused, shown
from web.auth import requires
from web.db import get_session
from web.downloads import xlsx_download
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query

bp = Blueprint("orders", __name__, url_prefix="/orders")
PARTIES = (Role.HOSPITAL_BUYER, Role.DISTRIBUTOR_REP, Role.SUPPLIER_REP, Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER,
           Role.ADMIN)


class OrderForm(FlaskForm):
    """The head of a new order (the quantities are read per product by the view)."""

    distributor = SelectField(_l("Distributor"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


def _refused(exc: OrderRefused) -> None:
    """Flash each problem (the first twenty), naming its line."""
    for problem in exc.problems[:20]:
        flash(str(shown(problem)), "error")


def _title() -> str:
    return {Role.HOSPITAL_BUYER: _("My orders"), Role.DISTRIBUTOR_REP: _("Incoming orders"),
            Role.SUPPLIER_REP: _("Orders for my products")}.get(g.actor.role, _("Orders in the region"))


@bp.get("")
@requires(*PARTIES)
def index():
    """The orders the user sees; ``?xlsx=1`` exports every row the filters keep."""
    query = list_query(sorts=lists.ORDER_SORTS, filters=lists.ORDER_FILTERS)
    if request.args.get("xlsx"):
        header = [_("Order number"), _("Order date"), _("Hospital"), _("Distributor"), _("Lines"), _("Amount (yuan)"),
                  _("Packs accepted"), _("Status")]
        rows = [[o.number, date_cell(o.order_date), hospital, distributor, qty_cell(n), yuan_cell(amount),
                 qty_cell(accepted), label(o.status, "order")] for o, hospital, distributor, n, amount, accepted in
                lists.order_rows(get_session(), g.actor, query)]
        return xlsx_download(workbook_bytes([(_title(), header, rows), _lines_sheet(query)]), "orders.xlsx")
    page = lists.order_page(get_session(), g.actor, query)
    return render_template("orders/index.html", p=page, title=_title())


def _lines_sheet(query) -> tuple:
    """The export's second sheet: every line of the orders kept, with the payment standard and
    the fund / patient split the order page shows (``orders.queries.LinePayment``)."""
    found = lists.order_line_rows(get_session(), g.actor, query)
    payments = queries.lines_payments(get_session(), [(o, line) for o, line, _p, _h in found])
    header = [_("Order number"), _("Order date"), _("Hospital"), _("Line"), _("Product code"), _("Product"),
              _("Packs"), _("Price per pack (yuan)"), _("Amount (yuan)"), _("Packs accepted"), _("Status"),
              _("Standard for this pack (yuan)"), _("Transition year"), _("Cap per pack (yuan)"),
              _("Fund pays (yuan)"), _("Patient pays (yuan)"), _("Standard of the day")]
    rows = []
    for o, line, product, hospital in found:
        pl = payments.get(line.id)
        split = ([price_cell(pl.pay.standard_e4), pl.pay.year, price_cell(pl.pay.cap_e4), yuan_cell(pl.fund_fen),
                  yuan_cell(pl.patient_fen), _("%(on)s (provisional: nothing accepted yet)", on=pl.on.isoformat())
                  if pl.provisional else _("%(on)s (accepted)", on=pl.on.isoformat())]
                 if pl else ["—", "—", "—", "—", "—", _("no payment standard for the generic")])
        rows.append([o.number, date_cell(o.order_date), hospital, line.line_no, product.code,
                     f"{product.generic_name} {product.spec}", qty_cell(line.quantity), price_cell(line.price_e4),
                     yuan_cell(line.amount_fen), qty_cell(line.accepted), label(line.status, "order_line"), *split])
    return _("Order lines"), header, rows


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.HOSPITAL_BUYER)
def new():
    """A new order: a distributor and packs per listed product; saved as a draft or sent."""
    products, distributors = queries.orderable(get_session(), g.actor)
    form = OrderForm()
    form.distributor.choices = [(d.code, f"{d.name} · {d.code}") for d in distributors]
    typed = {p.id: (request.form.get(f"qty-{p.id}") or "").strip()[:20] for p in products}
    if form.validate_on_submit():
        lines = [services.LineInput(p.code, typed[p.id]) for p in products if typed[p.id]]
        if not lines:
            flash(_("Enter the packs of at least one product."), "error")
        else:
            try:
                placed = services.place_orders(get_session(), g.actor, [services.OrderInput(
                    form.distributor.data, lines, form.note.data or "")], utcnow(), send="send" in request.form)
            except OrderRefused as exc:
                _refused(exc)
            else:
                flash(_("Order sent to the distributor.") if "send" in request.form else _("Order saved as a draft."),
                      "success")
                return redirect(url_for("orders.order", order_id=placed.orders[0].id))
    elif request.method == "POST":
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return render_template("orders/new.html", form=form, products=products, typed=typed,
                           prices=queries.prices_on(get_session(), [p.id for p in products],
                                                   services.local_date(utcnow())))


@bp.get("/<int:order_id>")
@requires(*PARTIES)
def order(order_id: int):
    """One order, its lines, shipments and acceptances, and the steps the user may take."""
    view = queries.order_view(get_session(), g.actor, order_id)
    if view is None:
        abort(404)
    return render_template("orders/order.html", v=view, form=EmptyForm(formdata=None),
                           today=services.local_date(utcnow()))


def _step(order_id: int, run, done: str):
    """Shared by every POST of an order: scope, CSRF, the step, back to the order."""
    if queries.order_of(get_session(), g.actor, order_id) is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        run()
    except OrderRefused as exc:
        _refused(exc)
    except Forbidden:
        abort(403)
    else:
        flash(done, "success")
    return redirect(url_for("orders.order", order_id=order_id))


@bp.post("/<int:order_id>/send")
@requires(Role.HOSPITAL_BUYER)
def send(order_id: int):
    """Send a draft to the distributor."""
    return _step(order_id, lambda: services.send_order(get_session(), g.actor, order_id, utcnow()),
                 _("Order sent to the distributor."))


@bp.post("/<int:order_id>/withdraw")
@requires(Role.HOSPITAL_BUYER)
def withdraw(order_id: int):
    """Withdraw a draft, with the reason."""
    return _step(order_id, lambda: services.withdraw_order(get_session(), g.actor, order_id,
                                                           request.form.get("reason", ""), utcnow()),
                 _("Order withdrawn."))


def _ids(prefix: str) -> list[int]:
    """The line ids named by form keys ``<prefix><id>`` (bounded)."""
    out = []
    for key in list(request.form)[:2000]:
        tail = key.removeprefix(prefix)
        if key.startswith(prefix) and tail.isascii() and tail.isdigit() and len(tail) < 10:
            out.append(int(tail))
    return out


@bp.post("/<int:order_id>/decide")
@requires(Role.DISTRIBUTOR_REP)
def decide(order_id: int):
    """Confirm or refuse the lines chosen on the page (``decision-<line>``: confirm | refuse)."""
    decisions = [(line_id, request.form.get(f"decision-{line_id}") == "confirm",
                  request.form.get(f"note-{line_id}", "")) for line_id in _ids("decision-")
                 if request.form.get(f"decision-{line_id}") in ("confirm", "refuse")]
    return _step(order_id, lambda: delivery.decide_lines(get_session(), g.actor, order_id, decisions, utcnow()),
                 _("Lines answered."))


@bp.post("/<int:order_id>/ship")
@requires(Role.DISTRIBUTOR_REP)
def ship(order_id: int):
    """Ship the packs typed per confirmed line, each with its lot and expiry."""
    items = [delivery.ShipInput(line_id, request.form.get(f"ship-{line_id}", ""), request.form.get(f"lot-{line_id}", ""),
                                request.form.get(f"expiry-{line_id}", ""))
             for line_id in _ids("ship-") if (request.form.get(f"ship-{line_id}") or "").strip()]
    return _step(order_id, lambda: delivery.ship(get_session(), g.actor, order_id, items, utcnow()),
                 _("Shipment recorded."))


@bp.post("/<int:order_id>/shipment-lines/<int:shipment_line_id>/answer")
@requires(Role.HOSPITAL_BUYER)
def answer(order_id: int, shipment_line_id: int):
    """Accept the packs typed of a shipment line, or reject them with the reason."""
    accept = request.form.get("decision") != "reject"
    return _step(order_id, lambda: delivery.answer_shipment_line(
        get_session(), g.actor, shipment_line_id, request.form.get("quantity", ""), accept,
        request.form.get("reason", ""), utcnow(), order_id=order_id), _("Accepted.") if accept else _("Rejected."))


@bp.get("/trace")
@requires(*PARTIES)
def trace():
    """追溯: which hospitals received a lot of a product (as far as the user may see)."""
    code, lot = (request.args.get("product") or "").strip()[:27], (request.args.get("lot") or "").strip()[:40]
    rows = queries.trace_rows(get_session(), g.actor, code, lot) if code and lot else []
    return render_template("orders/trace.html", rows=rows, code=code, lot=lot)
