"""Payment-standard pages (thin routes): the standards in force on a date with what the fund pays
per listed product, its workbook, the versions of each batch, deriving standards and the second
officer's decision."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from accounts.roles import Role
from core.clock import utcnow
from core.inputs import InputError
from listing.services import local_date
from paystd import queries, services
from paystd.errors import StandardError
from paystd.export import standards_workbook
from paystd.forms import DecisionForm, DeriveForm
from paystd.rules import parse_rules
from procurement.models import Batch
from web.actions import act
from web.auth import requires
from web.db import get_session
from web.downloads import xlsx_download

bp = Blueprint("paystd", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN)
READERS = (*BUREAU, Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, Role.DISTRIBUTOR_REP)


def day_of(raw: str | None, field: str = "date") -> date:
    """A ``YYYY-MM-DD`` query value (blank: today in the bureau's zone); else a 400 naming it."""
    if not raw:
        return local_date(utcnow())
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise InputError(field, "日期应为 2026-12-01 格式", "a date like 2026-12-01")


@bp.get("/paystd/")
@requires(*READERS)
def index():
    """The standards in force on ``?date=`` and what the fund pays for each listed product."""
    session = get_session()
    on = day_of(request.args.get("date"))
    return render_template("paystd/index.html", on=on, standards=queries.in_force(session, g.actor, on),
                           payments=queries.product_payments(session, g.actor, on),
                           versions=queries.versions(session, g.actor) if g.actor.is_bureau else [])


@bp.get("/paystd/standards.xlsx")
@requires(*READERS)
def workbook():
    """The standards in force on ``?date=`` as a workbook."""
    session = get_session()
    on = day_of(request.args.get("date"))
    content = standards_workbook(on, queries.in_force(session, g.actor, on),
                                 queries.product_payments(session, g.actor, on), _)
    return xlsx_download(content, f"{_('Payment standards')}-{on.isoformat()}.xlsx")


@bp.route("/paystd/derive", methods=["GET", "POST"])
@requires(Role.PRICE_OFFICER)
def derive():
    """Derive a batch's payment standards from its selected prices (a proposal)."""
    session = get_session()
    batches = queries.derivable_batches(session, g.actor)
    form = DeriveForm() if request.method == "POST" else DeriveForm(formdata=None,
                                                                    batch=request.args.get("batch", "")[:40])
    form.batch.choices = [SelectChoice(b.code, f"{b.code} {b.name}") for b in batches]
    if request.method == "POST" and form.validate_on_submit():
        try:
            if form.batch.data not in {b.code for b in batches}:
                raise StandardError(_("Choose a batch with selected prices."))
            rules = services.read_rules(form.basis.data, form.multiples.data, form.fund_ratio.data)
            version = services.derive_standards(session, g.actor, form.batch.data, rules, form.reason.data, utcnow())
        except StandardError as exc:
            flash(exc.args[0], "error")
        else:
            flash(_("Payment standards derived; a second price officer approves them."), "success")
            return redirect(url_for("paystd.version", version_id=version.id))
    elif request.method == "POST":
        flash(_("Please fill in every field."), "error")
    return render_template("paystd/derive.html", form=form, has_batches=bool(batches))


@bp.get("/paystd/versions/<int:version_id>")
@requires(*BUREAU)
def version(version_id: int):
    """A version: its rule settings, lines, reason and decision."""
    session = get_session()
    found = queries.version_of(session, g.actor, version_id)
    if found is None:
        abort(404)
    return render_template("paystd/version.html", v=found, batch=session.get(Batch, found.batch_id),
                           rules=parse_rules(found.rules_json), lines=queries.lines_of(session, found.id),
                           form=DecisionForm(), refusal=services.decision_refusal(g.actor, found))


@bp.post("/paystd/versions/<int:version_id>/decide")
@requires(Role.PRICE_OFFICER)
def decide(version_id: int):
    """Approve (publish) or reject the proposed standards."""
    if queries.version_of(get_session(), g.actor, version_id) is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        abort(400)
    approve = form.decision.data == "approve"
    return act(lambda: services.decide_version(get_session(), g.actor, version_id, approve, form.note.data or "",
                                               utcnow()),
               _("Payment standards approved and published.") if approve else _("Payment standards rejected."),
               url_for("paystd.version", version_id=version_id), StandardError)

