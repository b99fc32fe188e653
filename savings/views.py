"""Retained-savings pages (thin routes): the batches, a batch's hospitals (sortable, Excel), a
hospital's breakdown with its versions and objections, the four-eyes steps, the hospital's
objection, its statement, and the batch's settings."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.roles import Role
from core.clock import utcnow
from core.formats import local_datetime, pct_cell, yuan_cell
from core.inputs import decimal
from procurement.names import name_book
from procurement.rules import RuleError, parse_rules
from savings import queries, services
from savings.forms import AnswerForm, PointsForm, SettingsForm, TextForm
from savings.settings import parse_savings_settings
from savings.statement import list_workbook, statement_workbook
from settlement.execution.deliveries import SettlementRefused
from web.actions import act as _run
from web.auth import requires
from web.db import get_session, visible_batch
from web.downloads import xlsx_download
from web.forms import EmptyForm
from web.labels import label

bp = Blueprint("savings", __name__, url_prefix="/savings")
OFFICER = Role.SETTLEMENT_OFFICER
READERS = (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.ADMIN, Role.HOSPITAL_BUYER)


def act(action, success: str, target: str):
    """Run a use case of this package (its refusals flashed); see ``web.actions.act``."""
    return _run(action, success, target, (services.SavingsError, RuleError, SettlementRefused))


@bp.get("/")
@requires(*READERS)
def index():
    """Batches in execution or closed, with where their retained savings stand."""
    return render_template("savings/index.html", batches=queries.savings_batches(get_session(), g.actor))


@bp.get("/batches/<code>")
@requires(*READERS)
def batch(code: str):
    """A batch's hospitals: score, tier, kept amount, where each stands; ``?xlsx=1`` exports it."""
    b = visible_batch(code)
    if g.actor.role == Role.HOSPITAL_BUYER:
        return redirect(url_for("savings.hospital", code=code, hospital_code=_own_code()))
    rows = queries.batch_rows(get_session(), g.actor, b, utcnow())
    if request.args.get("xlsx"):
        header = [_("Hospital"), _("Hospital code"), _("Version"), _("Score"), _("Retention rate"),
                  _("Retained (yuan)"), _("Status")]
        data = [(r.name, r.code, r.version.version if r.version else "", Decimal(r.score), pct_cell(Decimal(r.rate)),
                 yuan_cell(r.retained_fen), label(r.state, "savings")) for r in rows]
        return xlsx_download(list_workbook(_("Retained savings"), header, data), f"savings-{b.code}.xlsx")
    states = {r.state for r in rows}
    return render_template("savings/batch.html", batch=b, rows=rows, states=states, form=EmptyForm(),
                           runs=sorted({r.payment.run_id for r in rows if r.payment and r.payment.run_id}),
                           can_propose=bool(rows) and states <= {"estimate", "rejected"},
                           text_form=TextForm(), total=sum(r.retained_fen for r in rows),
                           settings=services.settings_for(get_session(), b))


def _own_code() -> str:
    """The signed-in hospital's code."""
    from accounts.models import Organisation

    return get_session().get(Organisation, g.actor.org_id).code


def _view(code: str, hospital_code: str):
    """The hospital's view, or 404 (unknown, foreign, or another hospital's)."""
    b = visible_batch(code)
    v = queries.hospital_view(get_session(), g.actor, b, hospital_code, utcnow())
    if v is None:
        abort(404)
    return b, v


@bp.get("/batches/<code>/hospitals/<hospital_code>")
@requires(*READERS)
def hospital(code: str, hospital_code: str):
    """One hospital's assessment: the breakdown, the versions, the objections and the steps."""
    b, v = _view(code, hospital_code)
    book = name_book(get_session(), items={r["item_code"] for r in v.shown["rows"]})
    open_objection = next((o for o in v.objections if o.status == "open"), None)
    return render_template("savings/hospital.html", batch=b, v=v, book=book, open_objection=open_objection,
                           points_form=PointsForm(), text_form=TextForm(), answer_form=AnswerForm(), now=utcnow())


@bp.get("/batches/<code>/hospitals/<hospital_code>/statement.xlsx")
@requires(*READERS)
def statement(code: str, hospital_code: str):
    """The hospital's statement of its newest version (or today's estimate, said so)."""
    b, v = _view(code, hospital_code)
    book = name_book(get_session(), items={r["item_code"] for r in v.shown["rows"]})
    a = v.row.version
    credited = a.credited_at if a else None
    facts = [(_("Batch"), f"{b.name} ({b.code})"), (_("Hospital"), f"{v.hospital.name} ({v.hospital.code})"),
             (_("Version"), a.version if a else _("Estimate from today's data")),
             (_("Status"), label(v.row.state, "savings")), (_("Score"), Decimal(v.row.score)),
             (_("Retention rate"), pct_cell(Decimal(v.row.rate))), (_("Retained (yuan)"), yuan_cell(v.row.retained_fen)),
             (_("Payment"), label(a.payment_mode if a else v.settings.payment_mode, "savings_mode")),
             (_("Credited"), f"{local_datetime(credited)} · {v.names.get(a.credited_by, '')}" if credited else "—")]
    content = statement_workbook(facts, v.shown, {c: book.item(c) for c in book.items})
    return xlsx_download(content, f"savings-{b.code}-{v.hospital.code}.xlsx")


def _back(code: str, hospital_code: str | None = None) -> str:
    """The page a step returns to."""
    if hospital_code:
        return url_for("savings.hospital", code=code, hospital_code=hospital_code)
    return url_for("savings.batch", code=code)


@bp.post("/batches/<code>/propose")
@requires(OFFICER)
def propose(code: str):
    """Assess every hospital of the batch and propose the result."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.propose(get_session(), g.actor, code, utcnow()),
               _("Proposed; a second officer approves."), _back(code))


@bp.post("/batches/<code>/approve")
@requires(OFFICER)
def approve(code: str):
    """The second officer approves the proposed assessments."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.approve(get_session(), g.actor, code, utcnow()),
               _("Approved; the hospitals may object within the period."), _back(code))


@bp.post("/batches/<code>/send-back")
@requires(OFFICER)
def send_back(code: str):
    """The second officer sends the proposal back with a reason."""
    visible_batch(code)
    form = TextForm()
    if not form.validate_on_submit():
        flash(_("Please give the reason."), "error")
        return redirect(_back(code))
    return act(lambda: services.send_back(get_session(), g.actor, code, form.text.data, utcnow()),
               _("Sent back."), _back(code))


@bp.post("/batches/<code>/credit")
@requires(OFFICER)
def credit(code: str):
    """Mark the payable amounts credited in the next fund settlement."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.credit(get_session(), g.actor, code, utcnow()),
               _("Credited in the next fund settlement."), _back(code))


@bp.post("/batches/<code>/pay")
@requires(OFFICER)
def pay(code: str):
    """Mode instruction: propose the fund payments of the payable amounts."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.request_payments(get_session(), g.actor, code, utcnow()),
               _("Payments proposed; a second officer approves them."), _back(code))


@bp.post("/batches/<code>/pay/approve")
@requires(OFFICER)
def approve_payments(code: str):
    """Mode instruction: the second officer approves the proposed payments (instructions made)."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.approve_payments(get_session(), g.actor, code, utcnow()),
               _("Payments approved: the instructions await their bank file on the run's page."), _back(code))


@bp.post("/batches/<code>/hospitals/<hospital_code>/points")
@requires(OFFICER)
def points(code: str, hospital_code: str):
    """Officer points before the proposal; after approval the same form makes a new version."""
    _view(code, hospital_code)
    form = PointsForm()
    if not form.validate_on_submit():
        flash(_("Please give the points (a whole number) and the reason."), "error")
        return redirect(_back(code, hospital_code))
    pts = form.points.data or 0
    if request.form.get("revise"):
        return act(lambda: services.revise(get_session(), g.actor, code, hospital_code, pts, form.reason.data,
                                           utcnow()), _("New version made; a second officer approves."),
                   _back(code, hospital_code))
    return act(lambda: services.enter_points(get_session(), g.actor, code, hospital_code, pts, form.reason.data,
                                             utcnow()), _("Points recorded."), _back(code, hospital_code))


@bp.post("/batches/<code>/hospitals/<hospital_code>/objection")
@requires(Role.HOSPITAL_BUYER)
def objection(code: str, hospital_code: str):
    """The hospital objects to its approved assessment."""
    _view(code, hospital_code)
    form = TextForm()
    if not form.validate_on_submit():
        flash(_("Please give the reason."), "error")
        return redirect(_back(code, hospital_code))
    return act(lambda: services.lodge_objection(get_session(), g.actor, code, form.text.data, utcnow()),
               _("Objection sent; the officer answers it."), _back(code, hospital_code))


@bp.post("/batches/<code>/hospitals/<hospital_code>/objections/<int:objection_id>/answer")
@requires(OFFICER)
def answer(code: str, hospital_code: str, objection_id: int):
    """Uphold (a new version) or dismiss an objection."""
    v = _view(code, hospital_code)[1]
    if objection_id not in {o.id for o in v.objections}:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit() or form.decision.data not in ("uphold", "dismiss"):
        flash(_("Please write the answer."), "error")
        return redirect(_back(code, hospital_code))
    return act(lambda: services.answer_objection(get_session(), g.actor, code, objection_id,
                                                 form.decision.data == "uphold", form.answer.data, form.points.data,
                                                 utcnow()), _("Objection answered."), _back(code, hospital_code))


@bp.route("/batches/<code>/settings", methods=["GET", "POST"])
@requires(*READERS[:3])
def settings(code: str):
    """The batch's retained-savings settings; settlement officers change them."""
    b = visible_batch(code)
    current = services.settings_for(get_session(), b)
    form = SettingsForm() if request.method == "POST" else SettingsForm(formdata=None, **_form_values(current))
    if request.method == "POST":
        if g.actor.role != OFFICER:
            abort(403)
        if form.validate_on_submit():
            try:
                chosen = parse_savings_settings(_read(form))
            except RuleError as exc:
                flash(_("Setting refused: %(field)s — %(reason)s", field=exc.field, reason=exc.message), "error")
            else:
                return act(lambda: services.set_settings(get_session(), g.actor, code, chosen, utcnow()),
                           _("Settings saved."), url_for("savings.settings", code=code))
    return render_template("savings/settings.html", batch=b, form=form, current=current,
                           batch_ratio=parse_rules(b.rules_json).fund_payment_ratio)


def _form_values(s) -> dict:
    """The controls' values of settings (rates in percent)."""
    out = {k: getattr(s.weights, k) for k in ("completion", "selected_use", "non_selected", "on_time")}
    for n, t in enumerate(s.tiers[:3], start=1):
        out |= {f"tier{n}_score": str(t.min_score), f"tier{n}_rate": str((t.rate * 100).normalize()),
                f"tier{n}_inclusive": t.inclusive}
    return out | {"max_officer_points": s.max_officer_points, "objection_days": s.objection_days,
                  "payment_mode": s.payment_mode}


def _read(form: SettingsForm) -> dict:
    """The submitted settings (percent back to ratios; a tier without a score is left out)."""
    tiers = []
    for n in (1, 2, 3):
        score, rate = getattr(form, f"tier{n}_score").data, getattr(form, f"tier{n}_rate").data
        if score and score.strip():
            tiers.append({"min_score": str(decimal(score, f"tier{n}_score", places=2)),
                          "rate": str(decimal(rate or "0", f"tier{n}_rate", places=2) / 100),
                          "inclusive": bool(getattr(form, f"tier{n}_inclusive").data)})
    weights = {k: getattr(form, k).data or 0 for k in ("completion", "selected_use", "non_selected", "on_time")}
    return {"weights": weights, "tiers": tiers, "max_officer_points": form.max_officer_points.data or 0,
            "objection_days": form.objection_days.data, "payment_mode": form.payment_mode.data}
