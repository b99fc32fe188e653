"""Supply guarantee pages (thin routes): report and answer supply problems, escalate, declare
a takeover, decide it four-eyes, restore the primary."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import local_day, utcnow
from core.paging import every_row
from procurement.names import item_title
from supply import export, lists, queries, services
from supply.forms import (
    AnswerForm,
    DecideForm,
    EscalateForm,
    ProblemForm,
    RestoreForm,
    TakeoverForm,
)
from supply.models import ProblemKind
from web.actions import act as _run
from web.auth import requires
from web.db import get_session, visible_batch
from web.downloads import attachment as file_download
from web.downloads import xlsx_download
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query


def act(action, success: str, target: str):
    """Run a use case of this package (its refusals flashed); see ``web.actions.act``."""
    return _run(action, success, target, services.SupplyError)


bp = Blueprint("supply", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)
PARTIES = (Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, *BUREAU)
MAX_EVIDENCE = 5 * 1024 * 1024
MAX_UNITS = 500


def _problem_or_404(problem_id: int) -> None:
    """404 unless the problem is in the actor's scope (before reading any form)."""
    if queries.problem_view(get_session(), g.actor, problem_id) is None:
        abort(404)


def _takeover_or_404(takeover_id: int) -> None:
    """404 unless the takeover is in the actor's scope (before reading any form)."""
    if queries.takeover_view(get_session(), g.actor, takeover_id) is None:
        abort(404)


def _upload(field):
    """An uploaded attachment as (name, bytes), None when none; too large: a refusal."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    content = upload.read(MAX_EVIDENCE + 1)
    if len(content) > MAX_EVIDENCE:
        raise services.SupplyError(_("The attachment is larger than 5 MB."))
    return upload.filename[:200], content


@bp.get("/supply/")
@requires(*PARTIES)
def problems():
    """Supply problems within the user's scope, paged, filtered and sorted on the server."""
    query = list_query(sorts=lists.PROBLEM_SORTS, filters=lists.PROBLEM_FILTERS)
    page = lists.problem_page(get_session(), g.actor, query)
    return render_template("supply/problems.html", p=page, rows=page.rows, title=item_title, now=utcnow(),
                           kinds=[(k, label(k, "supply_problem")) for k in ProblemKind.ALL],
                           states=[(s, label(s, "supply_state")) for s in lists.PROBLEM_STATES])


@bp.get("/supply/problems.xlsx")
@requires(*PARTIES)
def problems_export():
    """Every supply problem of the list (its filters and order), as a workbook."""
    query = list_query(sorts=lists.PROBLEM_SORTS, filters=lists.PROBLEM_FILTERS)
    rows = every_row(lambda q: lists.problem_page(get_session(), g.actor, q), query)
    return xlsx_download(export.problems_workbook(rows, label), "supply-problems.xlsx")


@bp.route("/supply/contracts/<int:contract_id>/report", methods=["GET", "POST"])
@requires(Role.HOSPITAL_BUYER)
def report(contract_id: int):
    """A hospital reports a supply problem on one of its signed contracts."""
    session = get_session()
    contract = queries.own_contract(session, g.actor, contract_id)
    if contract is None:
        abort(404)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            inp = services.ProblemInput(contract.id, form.kind.data, form.due_on.data, form.description.data,
                                        form.ordered_qty.data, form.received_qty.data, _upload(form.evidence))
            problem = services.report_problem(session, g.actor, inp, utcnow())
        except services.SupplyError as exc:
            flash(exc.args[0], "error")
        except Forbidden:
            abort(404)
        else:
            flash(_("Supply problem reported; the supplier has been told."), "success")
            return redirect(url_for("supply.problem", problem_id=problem.id))
    return render_template("supply/report.html", form=form, contract=contract)


@bp.get("/supply/problems/<int:problem_id>")
@requires(*PARTIES)
def problem(problem_id: int):
    """A supply problem: the report, the answer, the escalation and the takeovers it led to."""
    view = queries.problem_view(get_session(), g.actor, problem_id)
    if view is None:
        abort(404)
    step = services.next_step(get_session(), view.problem) if g.actor.role == Role.PRICE_OFFICER else None
    return render_template("supply/problem.html", v=view, step=step, now=utcnow(), title=item_title,
                           answer_form=AnswerForm(), escalate_form=EscalateForm())


@bp.get("/supply/problems/<int:problem_id>/evidence")
@requires(*PARTIES)
def evidence(problem_id: int):
    """The evidence attached to a supply problem."""
    view = queries.problem_view(get_session(), g.actor, problem_id)
    if view is None or view.problem.evidence is None:
        abort(404)
    return file_download(view.problem.evidence, f"supply-problem-{problem_id}.bin", "application/octet-stream")


@bp.post("/supply/problems/<int:problem_id>/answer")
@requires(Role.SUPPLIER_REP)
def answer(problem_id: int):
    """The supplier answers a supply problem."""
    _problem_or_404(problem_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Please write the answer."), "error")
        return redirect(url_for("supply.problem", problem_id=problem_id))
    return act(lambda: services.answer_problem(get_session(), g.actor, problem_id, form.answer.data,
                                                form.recovery_on.data, utcnow()),
                _("Answer sent."), url_for("supply.problem", problem_id=problem_id))


@bp.post("/supply/problems/<int:problem_id>/escalate")
@requires(Role.PRICE_OFFICER)
def escalate(problem_id: int):
    """The officer records the next escalation step."""
    _problem_or_404(problem_id)
    form = EscalateForm()
    if not form.validate_on_submit():
        flash(_("Please write what was said or written."), "error")
        return redirect(url_for("supply.problem", problem_id=problem_id))
    return act(lambda: services.escalate(get_session(), g.actor, problem_id, form.step.data, form.note.data, utcnow()),
                _("Escalation recorded; the supplier has been told."), url_for("supply.problem", problem_id=problem_id))


@bp.get("/batches/<code>/takeovers")
@requires(*PARTIES)
def takeovers(code: str):
    """The batch's takeovers within the user's scope."""
    batch = visible_batch(code)
    page = lists.takeover_page(get_session(), g.actor, batch,
                               list_query(sorts=lists.TAKEOVER_SORTS, filters=lists.TAKEOVER_FILTERS))
    return render_template("supply/takeovers.html", batch=batch, p=page, rows=page.rows, title=item_title,
                           statuses=[(s, label(s, "takeover")) for s in lists.TAKEOVER_STATUSES])


@bp.get("/batches/<code>/takeovers.xlsx")
@requires(*PARTIES)
def takeovers_export(code: str):
    """Every takeover of the batch's list (its filters and order), as a workbook."""
    batch = visible_batch(code)
    query = list_query(sorts=lists.TAKEOVER_SORTS, filters=lists.TAKEOVER_FILTERS)
    rows = every_row(lambda q: lists.takeover_page(get_session(), g.actor, batch, q), query)
    return xlsx_download(export.takeovers_workbook(rows, label), f"takeovers-{batch.code}.xlsx")


def _declaration(batch, form: TakeoverForm, plan=None, refusal=None, problem_id: str = ""):
    """The takeover form page, with the plan or the refusal of a preview."""
    item, supplier = request.values.get("item", "")[:40], request.values.get("supplier", "")[:40]
    choices = queries.form_choices(get_session(), g.actor, batch, item or None, supplier or None)
    units = set(request.form.getlist("units")[:MAX_UNITS]) if request.method == "POST" else set()
    takers = queries.taker_choices(get_session(), g.actor, batch, item, supplier) if item and supplier else []
    return render_template("supply/takeover_new.html", batch=batch, form=form, choices=choices, item=item,
                           supplier=supplier, units=units, plan=plan, refusal=refusal, title=item_title, takers=takers,
                           problem_id=problem_id or request.values.get("problem", "")[:12])


@bp.get("/batches/<code>/takeovers/new")
@requires(Role.PRICE_OFFICER)
def takeover_new(code: str):
    """Declare a supply failure: choose the item and the failed winner, then its cities or
    hospitals, the period and the taker."""
    batch = visible_batch(code)
    form = TakeoverForm(formdata=None, item=request.args.get("item", "")[:40],
                        supplier=request.args.get("supplier", "")[:40], problem=request.args.get("problem", "")[:12])
    return _declaration(batch, form)


@bp.post("/batches/<code>/takeovers")
@requires(Role.PRICE_OFFICER)
def takeover_propose(code: str):
    """Preview the declared takeover (writes nothing) or propose it for a second officer's decision."""
    batch = visible_batch(code)
    form = TakeoverForm()
    if not form.validate_on_submit():
        return _declaration(batch, form)
    problem_id = int(form.problem.data) if (form.problem.data or "").isdigit() else None
    inp = services.TakeoverInput(form.item.data, form.supplier.data, tuple(sorted(set(
        request.form.getlist("units")[:MAX_UNITS]))), form.starts_on.data, form.ends_on.data,
        form.taker.data or None, form.reason.data)
    try:
        if request.form.get("action") != "propose":
            return _declaration(batch, form, plan=services.preview_takeover(get_session(), g.actor, code, inp))
        takeover = services.propose_takeover(get_session(), g.actor, code, inp, utcnow(), problem_id)
    except services.SupplyError as exc:
        return _declaration(batch, form, refusal=exc.args[0])
    except Forbidden:
        abort(404)
    flash(_("Takeover proposed; a second price officer decides."), "success")
    return redirect(url_for("supply.takeover", takeover_id=takeover.id))


@bp.get("/takeovers/<int:takeover_id>")
@requires(*PARTIES)
def takeover(takeover_id: int):
    """A takeover: its contracts, volumes, prices, what the taker delivered, the decision."""
    session = get_session()
    view = queries.takeover_view(session, g.actor, takeover_id)
    if view is None:
        abort(404)
    now = utcnow()
    return render_template("supply/takeover.html", v=view, title=item_title, now=now,
                           decision_refusal=services.decision_refusal(session, g.actor, view.takeover),
                           restore_refusal=services.restore_refusal(view.takeover, local_day(now)),
                           decide_form=DecideForm(), restore_form=RestoreForm(formdata=None, restored_on=local_day(now)),
                           form=EmptyForm())


@bp.post("/takeovers/<int:takeover_id>/decide")
@requires(Role.PRICE_OFFICER)
def takeover_decide(takeover_id: int):
    """Approve (the taker's contracts are made) or reject the takeover."""
    _takeover_or_404(takeover_id)
    form = DecideForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        abort(400)
    approve = form.decision.data == "approve"
    if approve and not request.form.get("confirm"):
        flash(_("Approving moves the volume and cannot be undone: tick the confirmation box to go ahead."), "error")
        return redirect(url_for("supply.takeover", takeover_id=takeover_id))
    return act(lambda: services.decide_takeover(get_session(), g.actor, takeover_id, approve, form.note.data or "",
                                                 utcnow()),
                _("Takeover approved; the new contracts await signing.") if approve else _("Takeover rejected."),
                url_for("supply.takeover", takeover_id=takeover_id))


@bp.post("/takeovers/<int:takeover_id>/restore")
@requires(Role.PRICE_OFFICER)
def takeover_restore(takeover_id: int):
    """Restore the primary supplier after recovery."""
    _takeover_or_404(takeover_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        flash(_("Please give the date from which the primary supplies again."), "error")
        return redirect(url_for("supply.takeover", takeover_id=takeover_id))
    if not request.form.get("confirm"):
        flash(_("Restoring the primary cannot be undone: tick the confirmation box to go ahead."), "error")
        return redirect(url_for("supply.takeover", takeover_id=takeover_id))
    return act(lambda: services.restore_primary(get_session(), g.actor, takeover_id, form.restored_on.data,
                                                 form.note.data or "", utcnow()),
                _("The primary supplier supplies again."), url_for("supply.takeover", takeover_id=takeover_id))
