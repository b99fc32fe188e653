"""Direct-settlement pages (thin routes): the scope setting — in force today per region, its
history, a new version by a price or settlement officer — and the runs of the province's
container batch, run from here or the settlement officers' console."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from directpay import container, queries, services
from directpay.rules import Phase
from listing.services import local_date
from orders.rules import shown
from procurement.queries import find_batch
from settlement.forms import RunForm
from settlement.services import runs_of
from web.auth import requires
from web.db import get_session
from web.forms import EmptyForm

bp = Blueprint("directpay", __name__, url_prefix="/directpay")
VIEWERS = (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN)
SETTERS = (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER)
CODES = re.compile(r"[\s,，;；]+")


@bp.get("")
@requires(*VIEWERS)
def index():
    """The scope in force today for the officer's region and its cities, the history, the form."""
    db, today = get_session(), local_date(utcnow())
    batch = find_batch(db, g.actor, container.code_of(g.actor.region_code[:2] + "0000"))
    return render_template("directpay/scope.html", scopes=queries.scopes_today(db, g.actor, today), today=today,
                           history=queries.history(db, g.actor), regions=queries.regions_for(db, g.actor),
                           phases=list(Phase), form=EmptyForm(formdata=None), batch=batch,
                           can_set=g.actor.role in SETTERS)


@bp.post("/scope")
@requires(*SETTERS)
def set_scope():
    """Store a new version of a region's scope (products: national codes, one per line)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = request.form
    codes = [c for c in CODES.split(form.get("products", ""))[:services.MAX_LIST + 1] if c]
    try:
        services.set_scope(get_session(), g.actor, region_code=form.get("region_code", ""),
                           phase=form.get("phase", ""), effective_from=form.get("effective_from", ""),
                           reason=form.get("reason", ""), products=codes, list_name=form.get("list_name", ""),
                           distributor_bps=form.get("distributor_bps", "0"), now=utcnow())
    except services.ScopeRefused as exc:
        for problem in exc.problems[:20]:
            flash(str(shown(problem)), "error")
    except Forbidden:
        abort(404)
    else:
        flash(_("The new scope is stored; it takes effect on its first day."), "success")
    return redirect(url_for("directpay.index"))


@bp.get("/runs")
@requires(*VIEWERS)
def runs():
    """The province's container: its runs and (settlement officers) the run of a month."""
    db = get_session()
    batch = find_batch(db, g.actor, container.code_of(g.actor.region_code[:2] + "0000"))
    return render_template("directpay/runs.html", batch=batch, runs=runs_of(db, g.actor, batch.id) if batch else [],
                           form=RunForm())
