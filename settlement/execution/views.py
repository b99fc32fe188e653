"""Settlement pages for suppliers and hospitals: deliveries, acceptance, application,
reconciliation, statements. Officer pages live in :mod:`settlement.runs.views`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.i18n import either
from core.inputs import InputError, whole
from core.money import format_price_e4, format_yuan
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from procurement.lifecycle import BatchStatus
from procurement.names import item_title
from procurement.queries import list_batches
from review.queries import contract_labels
from settlement import services
from settlement.execution import lists, queries
from settlement.execution.uploads import upload_deliveries
from settlement.execution.workbook import build_delivery_template
from settlement.forms import (
    AcceptForm,
    ApplyForm,
    DeliveryForm,
    ReconcileForm,
    ReturnForm,
    UploadForm,
)
from settlement.payments import queries as payment_queries
from settlement.runs import lists as run_lists
from web.auth import requires
from web.db import app_settings, get_session, visible_batch
from web.downloads import hold, xlsx_download
from web.listing import list_query

bp = Blueprint("settlement", __name__, url_prefix="/settlement")
OFFICERS = (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.ADMIN)


def _contract_choices() -> list[SelectChoice]:
    """The supplier's signed contracts for a select."""
    return [SelectChoice(r.contract.code, f"{item_title(r.item)} · {r.hospital.name} · "
                         f"{format_price_e4(r.contract.ucp_e4)}/{r.item.minimal_unit} ({r.contract.code})")
            for r in queries.contracts(get_session(), g.actor)]


def _execution_batches() -> list[SelectChoice]:
    """Batches in execution the actor sees, for a select."""
    return [SelectChoice(b.code, f"{b.code} {b.name}")
            for b in list_batches(get_session(), g.actor, BatchStatus.EXECUTION)]


def _deliveries(db, open_only: bool = False):
    """The page of deliveries the settlement home shows (query-string keys ``d_…``)."""
    query = list_query(sorts=lists.DELIVERY_SORTS, filters=lists.DELIVERY_FILTERS, prefix="d_")
    return lists.delivery_page(db, g.actor, query, open_only=open_only)


def _lines(db):
    """The page of acceptance lines the settlement home shows (query-string keys ``l_…``)."""
    return lists.line_page(db, g.actor, list_query(sorts=lists.LINE_SORTS, filters=lists.LINE_FILTERS, prefix="l_"))


@bp.get("/")
@requires(Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, *OFFICERS)
def home():
    """The settlement home of each role."""
    db = get_session()
    if g.actor.role == Role.SUPPLIER_REP:
        form, apply_form, dp, lp = DeliveryForm(), ApplyForm(), _deliveries(db), _lines(db)
        form.contract_code.choices = _contract_choices()
        apply_form.batch_code.choices = _execution_batches()
        return render_template("settlement/supplier.html", form=form, apply_form=apply_form,
                               contracts=queries.contracts(db, g.actor), dp=dp, deliveries=dp.rows,
                               lines=lp.rows, lp=lp, refunds=queries.refunds(db, g.actor),
                               labels=contract_labels(db, [r.contract for r in dp.rows] + [c for _a, c, _p in lp.rows]),
                               failed_payments=payment_queries.failed_count(db, g.actor))
    if g.actor.role == Role.HOSPITAL_BUYER:
        dp, lp = _deliveries(db, open_only=True), _lines(db)
        to_reconcile = queries.to_reconcile(db, g.actor)
        labels = contract_labels(db, [r.contract for r in dp.rows] + [r.contract for r in to_reconcile]
                                 + [c for _a, c, _p in lp.rows])
        return render_template("settlement/hospital.html", open=dp.rows, dp=dp, to_reconcile=to_reconcile,
                               lines=lp.rows, lp=lp, labels=labels, accept_form=AcceptForm(),
                               return_form=ReturnForm(), reconcile_form=ReconcileForm(), today=utcnow().date())
    return redirect(url_for("settlement_officer.batches"))


def _refused(exc: Exception) -> None:
    """Flash a service refusal."""
    flash(str(exc), "error")


@bp.post("/deliveries")
@requires(Role.SUPPLIER_REP)
def record_delivery():
    """Record one shipment from the form."""
    form = DeliveryForm()
    form.contract_code.choices = _contract_choices()
    if form.validate_on_submit():
        try:
            services.record_delivery(get_session(), g.actor, services.DeliveryInput(
                form.contract_code.data, form.quantity.data, form.shipped_on.data, form.supplier_ref.data or ""),
                utcnow())
            flash(_("Delivery recorded."), "success")
        except services.SettlementRefused as exc:
            _refused(exc)
    else:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return redirect(url_for("settlement.home"))


@bp.get("/batches/<code>/deliveries-template.xlsx")
@requires(Role.SUPPLIER_REP)
def delivery_template(code: str):
    """The delivery workbook template of a batch, with the supplier's contracts listed."""
    batch = visible_batch(code)
    rows = [(r.contract.code, r.hospital.name, f"{r.item.code} {r.item.generic_name}")
            for r in queries.contracts(get_session(), g.actor, batch.id)]
    return xlsx_download(build_delivery_template(rows), f"deliveries-{batch.code}.xlsx")


@bp.route("/deliveries/upload", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP)
def delivery_upload():
    """Upload a day's deliveries: all or nothing, with an annotated workbook when refused."""
    form = UploadForm()
    errors, error_token, done, error_count = [], None, 0, 0
    if form.validate_on_submit():
        data, name = form.file.data.read(), form.file.data.filename or "deliveries.xlsx"
        try:
            result = upload_deliveries(get_session(), g.actor, data, name, utcnow(),
                                       max_rows=app_settings().upload_rows_deliveries)
            if result.errors:
                errors, error_count = [e.shown() for e in result.errors], result.error_count
                error_token = hold(build_error_workbook(data, result.errors, filename=name), f"errors-{name}",
                                   g.actor.user_id)
            else:
                done = result.recorded
                flash(_("%(n)s delivery lines recorded from the workbook.", n=done), "success")
        except WorkbookError as exc:
            errors = [f"{name}: {either(exc.zh, exc.en)}"]
        except services.SettlementRefused as exc:
            errors = [str(exc)]
    return render_template("settlement/upload.html", form=form, errors=errors[:50],
                           error_count=max(error_count, len(errors)),
                           error_token=error_token, done=done, batches=_execution_batches())


@bp.post("/apply")
@requires(Role.SUPPLIER_REP)
def apply():
    """Apply for settlement of a batch's finished month."""
    form = ApplyForm()
    form.batch_code.choices = _execution_batches()
    if form.validate_on_submit():
        batch = next((b for b in list_batches(get_session(), g.actor, BatchStatus.EXECUTION)
                      if b.code == form.batch_code.data), None)
        try:
            if batch is None:
                raise Forbidden("no such batch")
            n = services.apply_for_settlement(get_session(), g.actor, batch.id, form.month.data, utcnow())
            flash(_("Applied for settlement of %(n)s lines.", n=n), "success")
        except services.SettlementRefused as exc:
            _refused(exc)
        except Forbidden:
            abort(404)
    else:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return redirect(url_for("settlement.home"))


@bp.post("/deliveries/<int:delivery_id>/accept")
@requires(Role.HOSPITAL_BUYER)
def accept(delivery_id: int):
    """Accept all or part of a delivery."""
    form = AcceptForm()
    try:
        if not form.validate_on_submit():
            services.accept_delivery(get_session(), g.actor, delivery_id, 0, utcnow().date(), utcnow())
        services.accept_delivery(get_session(), g.actor, delivery_id, form.quantity.data, form.accepted_on.data,
                                 utcnow())
        flash(_("Delivery accepted."), "success")
    except services.SettlementRefused as exc:
        _refused(exc)
    except Forbidden:
        abort(404)
    return redirect(url_for("settlement.home"))


@bp.post("/acceptances/<int:acceptance_id>/return")
@requires(Role.HOSPITAL_BUYER)
def return_goods(acceptance_id: int):
    """Send accepted, unsettled goods back."""
    form = ReturnForm()
    try:
        if not form.validate_on_submit():
            services.return_goods(get_session(), g.actor, acceptance_id, 0, utcnow().date(), "", utcnow())
        services.return_goods(get_session(), g.actor, acceptance_id, form.quantity.data, form.returned_on.data,
                              form.reason.data, utcnow())
        flash(_("Return recorded."), "success")
    except services.SettlementRefused as exc:
        _refused(exc)
    except Forbidden:
        abort(404)
    return redirect(url_for("settlement.home"))


def _decisions(form) -> list[services.LineDecision]:
    """The per-line decisions of the reconciliation form: ``decision-<id>`` is ``confirm``,
    ``dispute`` or empty (undecided, left out), ``reason-<id>`` the line's reason."""
    out = []
    for key in form:
        if not key.startswith("decision-") or not (value := form.get(key, "")):
            continue
        pk = whole(key.removeprefix("decision-"), "line")
        if value not in ("confirm", "dispute"):
            raise InputError(key, "须为“确认”或“有异议”", "must be confirm or dispute")
        out.append(services.LineDecision(pk, value == "confirm", form.get(f"reason-{pk}", "")))
    return out


@bp.post("/reconcile")
@requires(Role.HOSPITAL_BUYER)
def reconcile():
    """Reconcile line by line: first show what the decisions will do, then (``step=record``)
    record them — only the lines decided change."""
    form = ReconcileForm()
    if not form.validate_on_submit():
        return redirect(url_for("settlement.home"))
    decisions = _decisions(request.form)
    try:
        if request.form.get("step") != "record":
            plan = services.plan_reconciliation(get_session(), g.actor, decisions)
            return render_template("settlement/reconcile_confirm.html", plan=plan, form=form,
                                   decisions=decisions)
        outcome = services.reconcile_lines(get_session(), g.actor, decisions, utcnow())
        plan = outcome.value
        flash(_("These decisions were recorded already: nothing changed.") if outcome.repeated else
              _("%(c)s lines confirmed (%(ca)s), %(d)s lines disputed (%(da)s).", c=len(plan.confirmed),
                ca=format_yuan(plan.confirmed_fen), d=len(plan.disputed), da=format_yuan(plan.disputed_fen)),
              "success")
    except services.SettlementRefused as exc:
        _refused(exc)
    except Forbidden:
        abort(404)
    return redirect(url_for("settlement.home") + "#reconcile")


@bp.get("/statements")
@requires(Role.HOSPITAL_BUYER, *OFFICERS)
def statements():
    """Deduction statements and the prepayment ledger (hospital: its own; bureau: its region)."""
    db = get_session()
    entries = queries.ledger(db, g.actor)
    balance: dict[tuple[str, str], int] = {}
    for e, b, h in entries:
        balance[(b.code, h.name)] = balance.get((b.code, h.name), 0) + e.amount_fen
    sp = run_lists.my_statement_page(db, g.actor, list_query(sorts=run_lists.MY_STATEMENT_SORTS,
                                                         filters=run_lists.MY_STATEMENT_FILTERS, prefix="s_"))
    return render_template("settlement/statements.html", statements=sp.rows, sp=sp,
                           entries=entries, balance=balance, refunds=queries.refunds(db, g.actor))
