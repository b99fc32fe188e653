"""Pages of multi-year cycles (thin): the yearly agreed volumes and their re-confirmation, and
the renewal (接续) of expiring contracts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.inputs import InputError, decimal
from core.money import MoneyError, parse_price_e4
from cycles import queries, renewal, years
from cycles.forms import AnswerForm, ConfirmAllForm, RenewalForm, YearForm
from procurement.rules import parse_rules
from procurement.services import BatchError
from procurement.timeline import TimelineError
from web.auth import requires
from web.db import get_session, visible_batch
from web.labels import label
from web.listing import list_query

bp = Blueprint("cycles", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)


@bp.get("/batches/<code>/volumes")
@requires(Role.HOSPITAL_BUYER, *BUREAU)
def volumes(code: str):
    """Each contract year's agreed volumes; the year under re-confirmation row by row (the
    hospital answers its own rows, the officer opens and approves)."""
    query = list_query(sorts=queries.SORT_KEYS, filters=queries.YEAR_FILTERS)
    view = queries.volumes_view(get_session(), g.actor, code, utcnow(), query)
    if view is None:
        abort(404)
    return render_template("cycles/volumes.html", view=view, rows=view.page.rows if view.page else [],
                           year_form=YearForm(), answer_form=AnswerForm(), confirm_form=ConfirmAllForm(),
                           statuses=[(s, label(s, "contract_year")) for s in queries.YEAR_STATUSES],
                           year_choices=[(str(y.year_no), _("Year %(n)s", n=y.year_no)) for y in view.years])


def _back(code: str, year: int | None = None):
    """Back to the volumes page (showing ``year``)."""
    return redirect(url_for("cycles.volumes", code=code, year=year) if year else url_for("cycles.volumes", code=code))


def _act(action, success: str, code: str, year: int | None, repeated: str = ""):
    """Run a service call; flash its outcome or refusal; 404 outside the actor's scope."""
    try:
        outcome = action()
        flash(repeated if repeated and getattr(outcome, "repeated", False) else success, "success")
    except years.VolumeRefused as exc:
        flash(str(exc), "error")
    except Forbidden:
        abort(404)
    return _back(code, year)


@bp.post("/batches/<code>/volumes/open")
@requires(Role.PRICE_OFFICER)
def open_year(code: str):
    """Open the re-confirmation of a contract year."""
    visible_batch(code)
    form = YearForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: years.open_reconfirmation(get_session(), g.actor, code, form.year.data, utcnow()),
                _("The re-confirmation is open; the hospitals were told."), code, form.year.data,
                _("Already open; nothing changed."))


@bp.post("/batches/<code>/volumes/approve")
@requires(Role.PRICE_OFFICER)
def approve(code: str):
    """Approve the answered volumes of a contract year."""
    visible_batch(code)
    form = YearForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: years.approve_year(get_session(), g.actor, code, form.year.data, utcnow(),
                                           bool(form.include_unanswered.data)),
                _("The volumes were approved."), code, form.year.data, _("Already approved; nothing changed."))


@bp.post("/batches/<code>/volumes/confirm-all")
@requires(Role.HOSPITAL_BUYER)
def confirm_all(code: str):
    """The hospital confirms every proposal of a year it has not answered."""
    visible_batch(code)
    form = ConfirmAllForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        n = years.confirm_all(get_session(), g.actor, code, form.year.data, utcnow())
    except years.VolumeRefused as exc:
        flash(str(exc), "error")
        return _back(code, form.year.data)
    except Forbidden:
        abort(404)
    flash(_("%(n)s volumes confirmed.", n=n), "success")
    return _back(code, form.year.data)


@bp.post("/contract-years/<int:year_id>/answer")
@requires(Role.HOSPITAL_BUYER)
def answer(year_id: int):
    """The hospital confirms the proposed volume of one contract year or proposes another."""
    form = AnswerForm()
    code = request.form.get("code", "")[:40]
    visible_batch(code)
    if not form.validate_on_submit():
        flash(_("Enter the volume as a whole number."), "error")
        return _back(code)
    return _act(lambda: years.answer_year(get_session(), g.actor, year_id, form.volume.data, form.reason.data or "",
                                          utcnow()),
                _("Your answer was recorded."), code, None, _("The same answer again; nothing changed."))


def _other_prices(plan) -> dict[str, int]:
    """The lowest prices of other provinces entered per item (yuan per unit, at most 4 decimals)."""
    prices = {}
    for item in plan.items:
        raw = request.form.get(f"other.{item.code}", "").strip()
        if raw:
            prices[item.code] = parse_price_e4(decimal(raw, f"other.{item.code}", places=4))
    return prices


@bp.route("/batches/<code>/renewal", methods=["GET", "POST"], endpoint="renewal")
@requires(Role.PRICE_OFFICER)
def renewal_page(code: str):
    """The renewal of the batch's next expiring contracts, pre-filled; creating it makes a draft
    tendered batch (the old batch's rules, items and regions, prices and demand floors)."""
    batch = visible_batch(code)
    now = utcnow()
    plan = renewal.renewal_plan(get_session(), batch, now)
    form = RenewalForm()
    if request.method == "POST" and form.validate_on_submit() and plan is not None:
        try:
            made = renewal.create_renewal(get_session(), g.actor, code, new_code=form.code.data.strip(),
                                          name=form.name.data.strip(), mode=form.mode.data,
                                          other_prices=_other_prices(plan), now=now)
        except (renewal.RenewalRefused, BatchError, MoneyError, InputError, TimelineError) as exc:
            flash(str(exc), "error")
        except Forbidden:
            abort(404)
        else:
            flash(_("The renewal batch was created as a draft: set its timeline, then open demand."), "success")
            return redirect(url_for("procurement.batch_detail", code=made.code))
    elif request.method == "POST":
        flash(_("Please correct the highlighted fields."), "error")
    if request.method == "GET" and plan is not None:
        form.code.data = form.code.data or f"{batch.code}-JX"[:40]
        form.name.data = form.name.data or _("%(name)s (renewal)", name=batch.name)
    return render_template("cycles/renewal.html", batch=batch, plan=plan, form=form,
                           refusal=renewal.renewal_refusal(get_session(), batch, now),
                           rule=parse_rules(batch.rules_json).renewal_max_price), 422 if request.method == "POST" else 200
