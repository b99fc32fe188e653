"""Settlement officer pages: runs, four-eyes approval, bank files, bank returns, overdue lines,
clawbacks asked back (退货款追回), progress (序时进度) and retained savings (结余留用) with
Excel export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.export import workbook_bytes
from core.formats import qty_cell, yuan_cell
from core.money import MoneyError, parse_amount_fen
from procurement.lifecycle import BatchStatus, Procedure
from procurement.names import name_book
from procurement.queries import list_batches
from settlement import services
from settlement.execution import queries as execution_queries
from settlement.forms import (
    ConfirmForm,
    RecoveryForm,
    RefundReceivedForm,
    ReissueForm,
    RunForm,
    UploadForm,
)
from settlement.monitoring import queries as monitoring_queries
from settlement.monitoring.charts import progress_chart
from settlement.payments import queries as payment_queries
from settlement.payments.banking import files_of, instructions_of
from settlement.runs import lists, queries
from settlement.runs.services import officer_run
from web.actions import act
from web.auth import requires
from web.charts import chart_download
from web.db import get_session, visible_batch
from web.downloads import attachment, xlsx_download
from web.labels import label
from web.listing import list_query

bp = Blueprint("settlement_officer", __name__, url_prefix="/settlement/officer")
OFFICER = Role.SETTLEMENT_OFFICER
VIEWERS = (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.ADMIN)


def _run(run_id: int):
    """A run of the officer's region, else 404."""
    try:
        return officer_run(get_session(), g.actor, run_id)
    except Forbidden:
        abort(404)


@bp.get("/")
@requires(*VIEWERS)
def batches():
    """Batches in execution with their runs."""
    db = get_session()
    rows = [(b, services.runs_of(db, g.actor, b.id)) for b in list_batches(db, g.actor, BatchStatus.EXECUTION,
                                                                                 containers=True)]
    return render_template("settlement/officer_batches.html", rows=rows)


@bp.get("/batches/<code>")
@requires(*VIEWERS)
def batch(code: str):
    """One batch: run a month, its runs, overdue lines, progress chart (a container of direct
    settlement has its own page: no contracts, only runs)."""
    b = visible_batch(code)
    if b.procedure == Procedure.DIRECT:
        return redirect(url_for("directpay.runs"))
    db = get_session()
    today = utcnow().date()
    report, names = monitoring_queries.progress_report(db, g.actor, b, today)
    late, waiting = monitoring_queries.overdue(db, b, today), services.waiting_clawbacks(db, b.id)
    book = name_book(db, orgs={r.hospital_code for r in report.rows} | set(report.not_started_hospitals)
                     | {o.hospital_code for o in late.worst} | {o.supplier_code for o in late.worst}
                     | {w.hospital_code for w in waiting}, items={r.item_code for r in report.rows})
    progress = progress_chart(report, book)
    if (download := chart_download([progress], b.code)) is not None:
        return download
    return render_template("settlement/officer_batch.html", batch=b, progress=progress, runs=services.runs_of(db, g.actor, b.id),
                           form=RunForm(), overdue=late, report=report, names=names, book=book,
                           waiting=waiting, refunds=execution_queries.refunds(db, g.actor, b.id),
                           confirm=ConfirmForm(), received_form=RefundReceivedForm(), today=today,
                           failed_payments=payment_queries.failed_count(db, g.actor, b.id),
                           advances=services.advance_states(db, b.id), recovery_form=RecoveryForm(),
                           cycle_ended=bool(b.cycle_end and today > b.cycle_end))


def _to_advances(code: str):
    """Back to the batch page's prepayment card."""
    return url_for("settlement_officer.batch", code=code) + "#prepayment"


@bp.post("/batches/<code>/advances/<int:hospital_id>/propose")
@requires(OFFICER)
def propose_advance(code: str, hospital_id: int):
    """Propose paying a hospital its granted advance (a second officer approves)."""
    b = visible_batch(code)
    if not ConfirmForm().validate_on_submit():
        return redirect(_to_advances(b.code))
    return act(lambda: services.propose_advance_payment(get_session(), g.actor, b.code, hospital_id, utcnow()),
               _("The payment of the advance is proposed: a second settlement officer approves it."),
               _to_advances(b.code), services.SettlementRefused)


def _fund_payment_batch(payment_id: int) -> str:
    """The batch code of a fund payment of the officer's region, else 404."""
    found = payment_queries.fund_payment(get_session(), g.actor, payment_id)
    if found is None:
        abort(404)
    return found[1].code


@bp.post("/fund-payments/<int:payment_id>/approve")
@requires(OFFICER)
def approve_fund_payment(payment_id: int):
    """A second officer approves a fund payment: its instruction, ready for the bank file."""
    code = _fund_payment_batch(payment_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(_to_advances(code))
    return act(lambda: services.approve_fund_payment(get_session(), g.actor, payment_id, utcnow()),
               _("Approved: the payment instruction is ready for its bank file."), _to_advances(code),
               services.SettlementRefused)


@bp.post("/fund-payments/<int:payment_id>/reject")
@requires(OFFICER)
def reject_fund_payment(payment_id: int):
    """Reject (or withdraw) a proposed fund payment."""
    code = _fund_payment_batch(payment_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        return redirect(_to_advances(code))
    return act(lambda: services.reject_fund_payment(get_session(), g.actor, payment_id, form.note.data or "",
                                                    utcnow()),
               _("The proposed payment is rejected."), _to_advances(code), services.SettlementRefused)


@bp.post("/batches/<code>/advances/<int:hospital_id>/recover")
@requires(OFFICER)
def recover_advance(code: str, hospital_id: int):
    """Record the recovery of an advance no run offset by the cycle's end."""
    b = visible_batch(code)
    form = RecoveryForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
        return redirect(_to_advances(b.code))
    try:
        amount = parse_amount_fen(form.amount.data.strip())
    except MoneyError as exc:
        flash(str(exc), "error")
        return redirect(_to_advances(b.code))
    return act(lambda: services.record_recovery(get_session(), g.actor, b.code, hospital_id, amount_fen=amount,
                                                method=form.method.data, reason=form.reason.data,
                                                bank_ref=form.bank_ref.data or "", now=utcnow()),
               _("The recovery of the advance is recorded."), _to_advances(b.code), services.SettlementRefused)


@bp.post("/batches/<code>/refunds")
@requires(OFFICER)
def request_refunds(code: str):
    """Ask the batch's waiting clawbacks back from the suppliers (one refund per pair)."""
    b = visible_batch(code)
    if ConfirmForm().validate_on_submit():
        try:
            made = services.request_refunds(get_session(), g.actor, b.code, utcnow())
            flash(_("%(n)s refund(s) requested from the suppliers.", n=len(made)), "success")
        except services.SettlementRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("settlement_officer.batch", code=b.code) + "#refunds")


@bp.post("/refunds/<int:refund_id>/received")
@requires(OFFICER)
def refund_received(refund_id: int):
    """Record that a requested refund has arrived (bank reference, date)."""
    db = get_session()
    found = execution_queries.refund(db, g.actor, refund_id)
    if found is None:
        abort(404)
    back = redirect(url_for("settlement_officer.batch", code=found[1].code) + "#refunds")
    form = RefundReceivedForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
        return back
    try:
        refund = services.record_refund(db, g.actor, refund_id, form.bank_ref.data, form.received_on.data, utcnow())
        flash(_("Refund %(ref)s recorded as received.", ref=refund.reference), "success")
    except services.SettlementRefused as exc:
        flash(str(exc), "error")
    except Forbidden:
        abort(404)
    return back


@bp.post("/batches/<code>/run")
@requires(OFFICER)
def run(code: str):
    """Run the settlement of a month (a rerun with nothing new opens the existing run)."""
    b = visible_batch(code)
    form = RunForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
        return redirect(url_for("settlement_officer.batch", code=b.code))
    try:
        outcome = services.run_settlement(get_session(), g.actor, b.code, form.month.data, utcnow())
    except services.SettlementRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("settlement_officer.batch", code=b.code))
    except Forbidden:
        abort(404)
    flash(_("Settlement computed.") if outcome.created else _("Nothing new to settle; this is the existing run."),
          "success")
    return redirect(url_for("settlement_officer.run_page", run_id=outcome.run.id))


@bp.get("/runs/<int:run_id>")
@requires(OFFICER)
def run_page(run_id: int):
    """A run: totals, instructions, statements, approval, files, bank returns."""
    r = _run(run_id)
    db = get_session()
    inst = lists.instruction_page(db, r, list_query(sorts=lists.INSTRUCTION_SORTS, filters=lists.INSTRUCTION_FILTERS,
                                                    prefix="i_"))
    sts = lists.statement_page(db, r, list_query(sorts=lists.STATEMENT_SORTS, filters=lists.STATEMENT_FILTERS,
                                                 prefix="s_"))
    return render_template("settlement/run.html", run=r, instructions=inst.rows, statements=sts.rows, ip=inst, sp=sts,
                           statuses=[(s, label(s, "instruction")) for s in lists.INSTRUCTION_STATUSES],
                           files=files_of(db, r.id), form=ConfirmForm(), upload=UploadForm(),
                           batch_code=payment_queries.batch_code(db, r.batch_id),
                           differences=queries.differences_netted(db, r), credits=queries.credits_netted(db, r),
                           parts=queries.netted_parts(db, r))


@bp.post("/runs/<int:run_id>/approve")
@requires(OFFICER)
def approve(run_id: int):
    """Approve a run (a second officer)."""
    _run(run_id)
    if ConfirmForm().validate_on_submit():
        try:
            outcome = services.approve_run(get_session(), g.actor, run_id, utcnow())
            flash(_("This run was already approved; nothing changed.") if outcome.repeated else _("Run approved."),
                  "success")
        except services.SettlementRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("settlement_officer.run_page", run_id=run_id))


@bp.post("/runs/<int:run_id>/release")
@requires(OFFICER)
def release(run_id: int):
    """Write the bank files of an approved run."""
    _run(run_id)
    if ConfirmForm().validate_on_submit():
        try:
            outcome = services.release_files(get_session(), g.actor, run_id, utcnow())
            flash(_("The bank files were already released; nothing changed.") if outcome.repeated
                  else _("Bank files released."), "success")
        except services.SettlementRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("settlement_officer.run_page", run_id=run_id))


@bp.get("/runs/<int:run_id>/files/<int:file_id>")
@requires(OFFICER)
def download(run_id: int, file_id: int):
    """One released bank file."""
    r = _run(run_id)
    f = next((x for x in files_of(get_session(), r.id) if x.id == file_id), None)
    if f is None:
        abort(404)
    mime = "application/xml" if f.kind == "xml" else "text/csv"
    return attachment(f.content, f.name, mime)


@bp.get("/runs/<int:run_id>/instructions.xlsx")
@requires(OFFICER)
def instructions_xlsx(run_id: int):
    """The run's payment instructions and deduction statements as a workbook."""
    r = _run(run_id)
    instructions, statements = queries.run_detail(get_session(), r)
    sheets = [("付款指令", ["指令编号 Reference", "企业 Supplier", "收款账号 Payee account", "收款行行号 CNAPS",
                          "金额(元) Amount", "笔数 Lines", "状态 Status"],
               [[i.reference, o.name, i.payee_account, i.payee_cnaps, yuan_cell(i.amount_fen), qty_cell(i.line_count),
                 label(i.status, "instruction")] for i, o in instructions]),
              ("扣款单", ["医疗机构 Hospital", "应付(元) Gross", "预付冲抵(元) Offset", "基金扣款(元) Deducted",
                       "冲抵后预付余额(元) Advance after"],
               [[o.name, yuan_cell(s.gross_fen), yuan_cell(s.offset_fen), yuan_cell(s.net_deducted_fen),
                 yuan_cell(s.advance_after_fen)] for s, o in statements])]
    return xlsx_download(workbook_bytes(sheets), f"run-{r.run_ref}.xlsx")


@bp.post("/runs/<int:run_id>/bank-return")
@requires(OFFICER)
def bank_return(run_id: int):
    """Import the bank's result file for a released run (all or nothing)."""
    _run(run_id)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            outcome = services.import_bank_return(get_session(), g.actor, run_id, form.file.data.read(),
                                                  form.file.data.filename or "return.csv", utcnow())
            if outcome.repeated:
                flash(_("This bank return was already applied: nothing changed."), "success")
            else:
                flash(_("Bank return imported: %(p)s paid, %(f)s failed.", p=outcome.paid, f=outcome.failed),
                      "success")
        except services.SettlementRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for("settlement_officer.run_page", run_id=run_id))


@bp.get("/runs/<int:run_id>/bank-return-template.csv")
@requires(OFFICER)
def bank_return_template(run_id: int):
    """The return file to fill in for this run: its instruction references, status and reason
    blank (the format: docs/bank-return.md)."""
    from settlement.payments.bankreturns import return_template

    r = _run(run_id)
    references = [i.reference for i in instructions_of(get_session(), run_id)]
    return attachment(return_template(references), f"bank-return-{r.run_ref}.csv", "text/csv")


@bp.get("/batches/<code>/savings")
@requires(*VIEWERS)
def savings(code: str):
    """Retained savings moved to their own pages (``savings/``): assessed, stored and decided there."""
    b = visible_batch(code)
    return redirect(url_for("savings.batch", code=b.code, **({"xlsx": 1} if request.args.get("xlsx") else {})))
