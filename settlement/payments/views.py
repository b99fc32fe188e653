"""Payment pages. Suppliers: payments per month with status, bank reference and re-issue links,
one payment's lines and how its amount comes about, the remittance advice (.xlsx). Fund
(settlement officers): a batch's failed payments and the four-eyes re-issue — request,
approve (a second officer), reject."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from settlement import services
from settlement.forms import ConfirmForm, ReissueForm
from settlement.payments import queries
from settlement.payments.remittance import AdviceHeader, build_remittance_advice
from web.auth import requires
from web.db import get_session, visible_batch
from web.downloads import xlsx_download
from web.labels import label

bp = Blueprint("settlement_payments", __name__, url_prefix="/settlement")
OFFICER = Role.SETTLEMENT_OFFICER


@bp.get("/payments")
@requires(Role.SUPPLIER_REP)
def mine():
    """The supplier's payments, month by month."""
    return render_template("settlement/payments.html", months=queries.by_month(queries.payments(get_session(),
                                                                                                   g.actor)))


def _payment(instruction_id: int) -> queries.PaymentRow:
    """One payment in scope, else 404."""
    row = queries.payment(get_session(), g.actor, instruction_id)
    if row is None:
        abort(404)
    return row


@bp.get("/payments/<int:instruction_id>")
@requires(Role.SUPPLIER_REP, OFFICER)
def payment(instruction_id: int):
    """One payment: its hospitals' shares and the lines it pays."""
    row = _payment(instruction_id)
    shares, lines, count = queries.covered(get_session(), row.instruction)
    return render_template("settlement/payment.html", row=row, shares=shares, lines=lines, count=count)


@bp.get("/payments/<int:instruction_id>/advice.xlsx")
@requires(Role.SUPPLIER_REP, OFFICER)
def advice(instruction_id: int):
    """The remittance advice of one payment as a workbook."""
    row = _payment(instruction_id)
    i = row.instruction
    shares, lines, _count = queries.covered(get_session(), i, limit=None)
    head = AdviceHeader(i.reference, label(i.status, "instruction"), f"{row.batch.code} {row.batch.name}",
                        row.run.month, i.payer_name, i.payee_name, i.payee_account, i.payee_bank, i.amount_fen,
                        i.bank_ref, i.status_at.date().isoformat() if i.status_at else "", row.reissue_of or "")
    return xlsx_download(build_remittance_advice(head, shares, lines), f"remittance-{i.reference}.xlsx")


@bp.get("/officer/batches/<code>/failed-payments")
@requires(OFFICER)
def failed(code: str):
    """A batch's failed payments and re-issue requests."""
    b = visible_batch(code)
    db = get_session()
    return render_template("settlement/failed_payments.html", batch=b, failed=queries.failed_payments(db, g.actor, b.id),
                           history=queries.reissue_history(db, g.actor, b.id), form=ReissueForm(),
                           confirm=ConfirmForm())


def _back(batch_id: int):
    """Back to the batch's failed payments."""
    return redirect(url_for("settlement_payments.failed", code=queries.batch_code(get_session(), batch_id)))


@bp.post("/officer/instructions/<int:instruction_id>/reissue")
@requires(OFFICER)
def request_reissue(instruction_id: int):
    """Ask to re-issue a failed payment to the supplier's account as it is now."""
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = services.request_reissue(get_session(), g.actor, instruction_id, form.note.data or "", utcnow())
    except services.SettlementRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("settlement_payments.payment", instruction_id=instruction_id))
    except Forbidden:
        abort(404)
    flash(_("A re-issue of this payment was requested already: it awaits a second officer.") if outcome.repeated
          else _("Re-issue requested: a second settlement officer approves it."), "success")
    return _back(outcome.value.batch_id)


@bp.post("/officer/reissues/<int:request_id>/approve")
@requires(OFFICER)
def approve_reissue(request_id: int):
    """A second officer approves a re-issue: the new instruction, ready for the next bank file."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = services.approve_reissue(get_session(), g.actor, request_id, utcnow())
    except services.SettlementRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("settlement_officer.batches"))
    except Forbidden:
        abort(404)
    new = outcome.value
    flash(_("This re-issue was approved already; nothing changed.") if outcome.repeated else
          _("Re-issue approved: instruction %(ref)s. Release its bank file now.", ref=new.reference), "success")
    return redirect(url_for("settlement_officer.run_page", run_id=new.run_id))


@bp.post("/officer/reissues/<int:request_id>/reject")
@requires(OFFICER)
def reject_reissue(request_id: int):
    """Reject (or withdraw) a pending re-issue request."""
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        request = services.reject_reissue(get_session(), g.actor, request_id, form.note.data or "", utcnow())
    except services.SettlementRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("settlement_officer.batches"))
    except Forbidden:
        abort(404)
    flash(_("Re-issue request rejected: the payment stays failed."), "success")
    return _back(request.batch_id)
