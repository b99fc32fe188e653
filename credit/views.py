"""Credit pages (thin routes): breaches with statements and decisions, suppliers' credit files,
ratings confirmed four-eyes, repair, and the region's credit rules."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.paging import every_row
from credit import export, lists, queries, services
from credit.forms import BreachForm, DecisionForm, TextForm
from credit.policy import BREACH_KINDS, GRADES
from credit.policy_settings import read_form, refusal, shown
from credit.store import policy_row
from procurement.rules import RuleError
from web.actions import act as _run
from web.auth import requires
from web.db import get_session
from web.downloads import attachment as file_download
from web.downloads import xlsx_download
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query


def act(action, success: str, target: str):
    """Run a use case of this package (its refusals flashed); see ``web.actions.act``."""
    return _run(action, success, target, services.CreditError)


bp = Blueprint("credit", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)
READERS = (Role.SUPPLIER_REP, *BUREAU)
MAX_EVIDENCE = 5 * 1024 * 1024


def _breach_or_404(breach_id: int) -> None:
    """404 unless the breach is in the actor's scope (before reading any form)."""
    if queries.breach_of(get_session(), g.actor, breach_id) is None:
        abort(404)


def _rating_or_404(rating_id: int) -> None:
    """404 unless the rating is in the actor's scope (before reading any form)."""
    if queries.rating_view(get_session(), g.actor, rating_id) is None:
        abort(404)


@bp.get("/credit/")
@requires(*READERS)
def index():
    """Breaches and ratings within the user's scope, each list paged on the server."""
    session = get_session()
    breaches = lists.breach_page(session, g.actor, list_query(sorts=lists.BREACH_SORTS, filters=lists.BREACH_FILTERS,
                                                              prefix="b_"))
    ratings = lists.rating_page(session, g.actor, list_query(sorts=lists.RATING_SORTS, filters=lists.RATING_FILTERS,
                                                             prefix="r_"))
    repairs = lists.repair_page(session, g.actor, list_query(sorts=lists.REPAIR_SORTS, filters=lists.REPAIR_FILTERS,
                                                             prefix="a_"))
    return render_template("credit/index.html", bp_=breaches, rp=ratings, ap=repairs,
                           repair_statuses=[(s, label(s, "repair")) for s in lists.REPAIR_STATUSES],
                           kinds=[(k, label(k, "breach_kind")) for k in BREACH_KINDS],
                           breach_statuses=[(s, label(s, "breach")) for s in lists.BREACH_STATUSES],
                           grades=[(k, label(k, "grade")) for k in GRADES],
                           rating_statuses=[(s, label(s, "rating")) for s in lists.RATING_STATUSES],
                           suppliers=queries.suppliers_for(session, g.actor))


def _export(read, sorts, filters, prefix: str, build, name: str):
    """Every row of one of the credit lists (its filters and order, its query prefix) as a workbook."""
    query = list_query(sorts=sorts, filters=filters, prefix=prefix)
    rows = every_row(lambda q: read(get_session(), g.actor, q), query)
    return xlsx_download(build(rows, label), name)


@bp.get("/credit/breaches.xlsx")
@requires(*READERS)
def breaches_export():
    """The breaches list as a workbook."""
    return _export(lists.breach_page, lists.BREACH_SORTS, lists.BREACH_FILTERS, "b_", export.breaches_workbook,
                   "credit-breaches.xlsx")


@bp.get("/credit/ratings.xlsx")
@requires(*READERS)
def ratings_export():
    """The ratings list as a workbook."""
    return _export(lists.rating_page, lists.RATING_SORTS, lists.RATING_FILTERS, "r_", export.ratings_workbook,
                   "credit-ratings.xlsx")


@bp.get("/credit/repairs.xlsx")
@requires(*READERS)
def repairs_export():
    """The credit-repair applications (appeals) as a workbook."""
    return _export(lists.repair_page, lists.REPAIR_SORTS, lists.REPAIR_FILTERS, "a_", export.repairs_workbook,
                   "credit-repairs.xlsx")


@bp.route("/credit/breaches/new", methods=["GET", "POST"])
@requires(Role.PRICE_OFFICER)
def breach_new():
    """Record a breach against a supplier, with evidence (from a takeover: prefilled)."""
    session = get_session()
    suppliers = queries.suppliers_for(session, g.actor)
    form = BreachForm() if request.method == "POST" else BreachForm(
        formdata=None, supplier=request.args.get("supplier", "")[:12], takeover=request.args.get("takeover", "")[:12])
    form.supplier.choices = [SelectChoice(str(s.id), s.name) for s in suppliers]
    if request.method == "POST" and form.validate_on_submit():
        upload = form.evidence.data
        content = upload.read(MAX_EVIDENCE + 1) if upload and getattr(upload, "filename", "") else b""
        allowed = {str(s.id) for s in suppliers}
        try:
            if form.supplier.data not in allowed:
                raise services.CreditError(_("Choose the supplier the breach concerns."))
            if len(content) > MAX_EVIDENCE:
                raise services.CreditError(_("The attachment is larger than 5 MB."))
            takeover = int(form.takeover.data) if (form.takeover.data or "").isdigit() else None
            breach = services.record_breach(session, g.actor, services.BreachInput(
                int(form.supplier.data), form.kind.data, form.occurred_on.data, form.description.data,
                (upload.filename[:200], content) if content else None, takeover), utcnow())
        except services.CreditError as exc:
            flash(exc.args[0], "error")
        else:
            flash(_("Breach recorded; the supplier may state its case."), "success")
            return redirect(url_for("credit.breach", breach_id=breach.id))
    return render_template("credit/breach_new.html", form=form)


@bp.get("/credit/breaches/<int:breach_id>")
@requires(*READERS)
def breach(breach_id: int):
    """A breach: the record, the supplier's statement, the decision."""
    found = queries.breach_of(get_session(), g.actor, breach_id)
    if found is None:
        abort(404)
    record, supplier = found
    now = utcnow()
    return render_template("credit/breach.html", b=record, supplier=supplier, now=now, text_form=TextForm(),
                           decision_form=DecisionForm(), decision_refusal=services.decision_refusal(record, now))


@bp.get("/credit/breaches/<int:breach_id>/evidence")
@requires(*READERS)
def breach_evidence(breach_id: int):
    """The evidence of a breach."""
    found = queries.breach_of(get_session(), g.actor, breach_id)
    if found is None or found[0].evidence is None:
        abort(404)
    return file_download(found[0].evidence, f"breach-{breach_id}.bin", "application/octet-stream")


@bp.post("/credit/breaches/<int:breach_id>/statement")
@requires(Role.SUPPLIER_REP)
def breach_statement(breach_id: int):
    """The supplier states its case."""
    _breach_or_404(breach_id)
    form = TextForm()
    target = url_for("credit.breach", breach_id=breach_id)
    if not form.validate_on_submit():
        flash(_("Please write the statement."), "error")
        return redirect(target)
    return act(lambda: services.state_breach(get_session(), g.actor, breach_id, form.text.data, utcnow()),
                _("Statement sent."), target)


@bp.post("/credit/breaches/<int:breach_id>/decide")
@requires(Role.PRICE_OFFICER)
def breach_decide(breach_id: int):
    """Confirm or dismiss a breach."""
    _breach_or_404(breach_id)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("confirm", "dismiss"):
        abort(400)
    confirm = form.decision.data == "confirm"
    return act(lambda: services.decide_breach(get_session(), g.actor, breach_id, confirm, form.note.data or "",
                                               utcnow()),
                _("Breach confirmed.") if confirm else _("Breach dismissed."), url_for("credit.breach", breach_id=breach_id))


@bp.get("/credit/suppliers/<int:org_id>")
@requires(*READERS)
def supplier(org_id: int):
    """A supplier's credit file; officers see the grade the rules give today and may propose it."""
    file = queries.credit_file(get_session(), g.actor, org_id, utcnow())
    if file is None:
        abort(404)
    return render_template("credit/supplier.html", f=file, form=EmptyForm())


@bp.post("/credit/suppliers/<int:org_id>/rate")
@requires(Role.PRICE_OFFICER)
def rate(org_id: int):
    """Propose the supplier's rating as the rules derive it."""
    if queries.supplier_for(get_session(), g.actor, org_id) is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        rating = services.propose_rating(get_session(), g.actor, org_id, utcnow())
    except services.CreditError as exc:
        flash(exc.args[0], "error")
        return redirect(url_for("credit.supplier", org_id=org_id))
    except Forbidden:
        abort(404)
    flash(_("Rating proposed; a second price officer confirms it."), "success")
    return redirect(url_for("credit.rating", rating_id=rating.id))


@bp.get("/credit/ratings/<int:rating_id>")
@requires(*READERS)
def rating(rating_id: int):
    """A rating: grade, basis, consequence, validity, confirmation and repair."""
    session = get_session()
    view = queries.rating_view(session, g.actor, rating_id)
    if view is None:
        abort(404)
    now = utcnow()
    open_repair = next((r for r in view.repairs if r.status == "applied"), None)
    return render_template("credit/rating.html", v=view, now=now, text_form=TextForm(), decision_form=DecisionForm(),
                           confirm_refusal=services.confirm_refusal(session, g.actor, view.rating),
                           open_repair=open_repair,
                           repair_refusal=services.repair_refusal(session, view.rating, open_repair, now)
                           if open_repair else None)


@bp.post("/credit/ratings/<int:rating_id>/decide")
@requires(Role.PRICE_OFFICER)
def rating_decide(rating_id: int):
    """Confirm and publish the rating, or reject it."""
    _rating_or_404(rating_id)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        abort(400)
    approve = form.decision.data == "approve"
    if approve and not request.form.get("confirm"):
        flash(_("Publishing a rating cannot be undone: tick the confirmation box to go ahead."), "error")
        return redirect(url_for("credit.rating", rating_id=rating_id))
    return act(lambda: services.decide_rating(get_session(), g.actor, rating_id, approve, form.note.data or "",
                                               utcnow()),
                _("Rating published.") if approve else _("Rating rejected."), url_for("credit.rating", rating_id=rating_id))


@bp.post("/credit/ratings/<int:rating_id>/repair")
@requires(Role.SUPPLIER_REP)
def repair(rating_id: int):
    """The supplier applies for credit repair with its commitment."""
    _rating_or_404(rating_id)
    form = TextForm()
    target = url_for("credit.rating", rating_id=rating_id)
    if not form.validate_on_submit():
        flash(_("Please write the commitment."), "error")
        return redirect(target)
    return act(lambda: services.apply_repair(get_session(), g.actor, rating_id, form.text.data, utcnow()),
                _("Repair applied for."), target)


@bp.post("/credit/repairs/<int:repair_id>/decide")
@requires(Role.PRICE_OFFICER)
def repair_decide(repair_id: int):
    """Grant or refuse a repair."""
    if queries.repair_of(get_session(), g.actor, repair_id) is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("grant", "refuse"):
        abort(400)
    grant = form.decision.data == "grant"
    try:
        done = services.decide_repair(get_session(), g.actor, repair_id, grant, form.note.data or "", utcnow())
    except services.CreditError as exc:
        flash(exc.args[0], "error")
        return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                        else url_for("credit.index"))
    except Forbidden:
        abort(404)
    flash(_("Repair granted; the rating no longer applies.") if grant else _("Repair refused."), "success")
    return redirect(url_for("credit.rating", rating_id=done.rating_id))


@bp.route("/credit/policy", methods=["GET", "POST"])
@requires(*BUREAU)
def policy():
    """The region's credit rules: labelled, with units and help; price officers change them."""
    session = get_session()
    current = services.policy_for(session, g.actor.region_code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if g.actor.role != Role.PRICE_OFFICER:
            abort(403)
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            rules, errors = read_form(current, request.form)
        except RuleError as exc:
            rules, errors = None, dict([refusal(exc, _)])
        if rules is not None:
            row = services.set_policy(session, g.actor, rules, utcnow())
            flash(_("Credit rules saved.") if row else _("Nothing changed."), "success")
            return redirect(url_for("credit.policy"))
        flash(_("The credit rules were not saved: see the marked settings."), "error")
    return render_template("credit/policy.html", groups=shown(current, _), errors=errors, form=EmptyForm(),
                           row=policy_row(session, g.actor.region_code),
                           editable=g.actor.role == Role.PRICE_OFFICER)
