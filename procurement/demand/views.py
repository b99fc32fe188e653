"""Demand pages: the hospital's upload page, the bureau's progress and consolidated demand.

Thin routes: parse the request, call one service or query, render. Unknown and foreign
batches and hospitals answer 404 alike.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.export import workbook_bytes
from core.formats import qty_cell
from core.paging import page_of_list
from procurement.demand import queries, services
from procurement.demand.forms import DemandUploadForm
from procurement.queries import list_batches
from web.auth import requires
from web.db import app_settings, get_session
from web.downloads import hold, xlsx_download
from web.forms import EmptyForm
from web.listing import list_query

bp = Blueprint("demand", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN)
INLINE_ERRORS = 20


def _own_code() -> str:
    """The signed-in hospital buyer's hospital code."""
    org = queries.hospital_by_id(get_session(), g.actor, g.actor.org_id)
    if org is None:
        abort(404)
    return org.code


def _page(code: str, hospital_code: str, *, status: int = 200, rejection=None, token: str | None = None):
    """Render a hospital's demand page (own page for buyers, the officer's view otherwise)."""
    view = queries.hospital_demand(get_session(), g.actor, code, hospital_code)
    if view is None:
        abort(404)
    diff, shown = None, None
    wanted = request.args.get("diff", type=int)
    by_version = {v.version: v for v in view.versions}
    if wanted in by_version:
        shown = by_version[wanted]
        diff = queries.version_diff(get_session(), g.actor, by_version.get(wanted - 1), shown)
    own = g.actor.role == Role.HOSPITAL_BUYER
    return render_template("demand/hospital.html", view=view, form=DemandUploadForm(), own=own,
                           can_upload=own or g.actor.role == Role.PRICE_OFFICER, now=utcnow(),
                           diff=diff, shown=shown, rejection=rejection, token=token,
                           errors=rejection.errors[:INLINE_ERRORS] if rejection else ()), status


def _upload(code: str, hospital_code: str, back: str):
    """Take an upload: accepted → back to the page; rejected → the page with the errors (422)."""
    if queries.hospital_demand(get_session(), g.actor, code, hospital_code) is None:
        abort(404)
    form = DemandUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the filled-in workbook (.xlsx) to upload."), "error")
        return redirect(back)
    upload = form.file.data
    data, filename = upload.read(), (upload.filename or "demand.xlsx")[-120:]
    try:
        result = services.submit_demand(get_session(), g.actor, code, hospital_code, data, filename, utcnow(),
                                        tz=app_settings().timezone, max_rows=app_settings().upload_rows_demand)
    except Forbidden:
        abort(404)
    except services.DemandError as exc:
        flash(str(exc), "error")
        return redirect(back)
    if result.accepted:
        flash(_("Accepted: version %(version)s with %(rows)s rows.", version=result.version, rows=result.rows), "success")
        return redirect(back)
    marked = services.error_workbook(result, data, filename)
    name = f"{Path(filename).stem or 'demand'}_错误标注.xlsx"
    token = hold(marked, name, g.actor.user_id) if marked else None
    return _page(code, hospital_code, status=422, rejection=result, token=token)


@bp.get("/demand")
@requires(Role.HOSPITAL_BUYER, *BUREAU)
def index():
    """Batches with demand collection (current and past) the user may see."""
    batches = [b for b in list_batches(get_session(), g.actor) if b.status not in ("draft", "cancelled")]
    return render_template("demand/index.html", batches=batches)


@bp.get("/batches/<code>/demand")
@requires(Role.HOSPITAL_BUYER)
def mine(code: str):
    """The hospital's own demand page: template, upload, errors, versions and what changed."""
    return _page(code, _own_code())


@bp.post("/batches/<code>/demand")
@requires(Role.HOSPITAL_BUYER)
def upload_mine(code: str):
    """Upload the hospital's own demand sheet."""
    return _upload(code, _own_code(), url_for("demand.mine", code=code))


@bp.get("/batches/<code>/demand/template")
@requires(Role.HOSPITAL_BUYER)
def template_mine(code: str):
    """The hospital's pre-filled template."""
    found = queries.demand_template(get_session(), g.actor, code, _own_code())
    if found is None:
        abort(404)
    name, data = found
    return xlsx_download(data, name)


@bp.route("/batches/<code>/demand/hospitals/<hospital_code>", methods=["GET"])
@requires(*BUREAU)
def hospital(code: str, hospital_code: str):
    """A bureau officer's view of one hospital's demand (and upload on its behalf)."""
    return _page(code, hospital_code)


@bp.post("/batches/<code>/demand/hospitals/<hospital_code>")
@requires(Role.PRICE_OFFICER)
def upload_for(code: str, hospital_code: str):
    """Upload a hospital's demand sheet on its behalf (audited as such)."""
    return _upload(code, hospital_code, url_for("demand.hospital", code=code, hospital_code=hospital_code))


@bp.get("/batches/<code>/demand/hospitals/<hospital_code>/template")
@requires(Role.PRICE_OFFICER)
def template_for(code: str, hospital_code: str):
    """A hospital's pre-filled template, for an officer filling it on its behalf."""
    found = queries.demand_template(get_session(), g.actor, code, hospital_code)
    if found is None:
        abort(404)
    name, data = found
    return xlsx_download(data, name)


@bp.get("/batches/<code>/demand/progress")
@requires(*BUREAU)
def progress(code: str):
    """Who has and has not submitted, share by region, and the reminder button."""
    found = queries.submission_progress(get_session(), g.actor, code)
    if found is None:
        abort(404)
    page = page_of_list(found.missing, list_query())
    return render_template("demand/progress.html", p=found, missing=page.rows, mp=page, form=EmptyForm(), now=utcnow())


@bp.post("/batches/<code>/demand/reminders")
@requires(Role.PRICE_OFFICER)
def remind(code: str):
    """Remind every hospital that has not submitted yet."""
    if queries.submission_progress(get_session(), g.actor, code) is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            count = services.send_demand_reminders(get_session(), g.actor, code, utcnow(),
                                                   tz=app_settings().timezone)
        except Forbidden:
            abort(404)
        except services.DemandError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Reminder sent to %(n)s hospitals.", n=count), "success")
    return redirect(url_for("demand.progress", code=code))


@bp.get("/batches/<code>/demand/consolidated")
@requires(*BUREAU)
def consolidated(code: str):
    """Consolidated demand per item and per item × supply region."""
    found = queries.consolidated_demand(get_session(), g.actor, code)
    if found is None:
        abort(404)
    batch, per_item, per_region = found
    page = page_of_list(per_region, list_query())
    return render_template("demand/consolidated.html", batch=batch, per_item=per_item, per_region=page.rows, p=page)


@bp.get("/batches/<code>/demand/export.xlsx")
@requires(*BUREAU)
def export(code: str):
    """The consolidated demand as an Excel workbook (formula injection neutralised)."""
    found = queries.consolidated_demand(get_session(), g.actor, code)
    if found is None:
        abort(404)
    batch, per_item, per_region = found
    head = [_("Item code"), _("Generic name"), _("Minimal unit"), _("Hospitals"), _("Last year's use"),
            _("Committed annual volume")]
    data = workbook_bytes([
        (_("By item"), head, [(r.item_code, r.item_name, r.unit, qty_cell(r.hospitals), qty_cell(r.last_year_use),
                               qty_cell(r.committed)) for r in per_item]),
        (_("By item and region"), [*head[:3], _("Region code"), _("Region"), *head[3:]],
         [(r.item_code, r.item_name, r.unit, r.region_code, r.region_name, qty_cell(r.hospitals),
           qty_cell(r.last_year_use), qty_cell(r.committed)) for r in per_region]),
    ])
    return xlsx_download(data, f"{batch.code}_汇总需求.xlsx")
