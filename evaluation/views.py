"""Evaluation pages: request a run, watch its progress, read results and clearing records."""

from __future__ import annotations

import json
import threading

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import local_day, utcnow
from core.money import format_yuan
from credit.queries import bidder_ratings
from evaluation import queries, services
from evaluation.export import build_evaluation_workbook, export_item
from evaluation.forms import RunForm
from evaluation.reading import amount_text, price_text
from web.auth import requires
from web.db import database, get_session
from web.downloads import attachment, xlsx_download
from web.labels import label

bp = Blueprint("evaluation", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)


def _start_background(evaluation_id: int, actor) -> None:
    """Run the evaluation in a background thread (the scheduler picks it up if this dies)."""
    workers = current_app.extensions["jicai.settings"].evaluation_workers
    thread = threading.Thread(target=services.claim_and_run, args=(database(), evaluation_id, actor, workers),
                              name=f"evaluation-{evaluation_id}", daemon=True)
    current_app.extensions.setdefault("jicai.threads", []).append(thread)
    thread.start()


@bp.route("/batches/<code>/evaluations", methods=["GET", "POST"])
@requires(*BUREAU)
def runs(code: str):
    """The batch's evaluation versions, and (price officers) a button to run a new one."""
    found = queries.runs_of(get_session(), g.actor, code)
    if found is None:
        abort(404)
    form = RunForm()
    if request.method == "POST":
        if g.actor.role != Role.PRICE_OFFICER:
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        try:
            outcome = services.request_evaluation(get_session(), g.actor, code, utcnow(),
                                                  seen_version=form.seen_version.data)
        except services.EvaluationError as exc:
            flash(str(exc), "error")
        except Forbidden:
            abort(404)
        else:
            if outcome.repeated:
                flash(_("Version %(v)s was already requested; no new run was started.", v=outcome.value.version),
                      "success")
            else:
                _start_background(outcome.value.id, g.actor)
            return redirect(url_for("evaluation.run", code=code, version=outcome.value.version))
    batch, rows = found
    return render_template("evaluation/runs.html", batch=batch, runs=rows, form=form, yuan=format_yuan)


@bp.get("/batches/<code>/evaluations/<int:version>")
@requires(*BUREAU)
def run(code: str, version: int):
    """One run: progress while it runs, then every item's winners, allocation and reasons."""
    found = queries.run_view(get_session(), g.actor, code, version)
    if found is None:
        abort(404)
    batch, view = found
    items = queries.readable_items(get_session(), view.run, _)
    return render_template("evaluation/run.html", batch=batch, run=view.run, items=items, yuan=format_yuan,
                           yuan_dec=amount_text, price_dec=price_text,
                           ratings=bidder_ratings(get_session(), batch, local_day(utcnow())))


@bp.get("/batches/<code>/evaluations/<int:version>/evaluation.xlsx")
@requires(*BUREAU)
def run_export(code: str, version: int):
    """One run as a workbook: per item the anchor and thresholds, every bid with its reason, the allocation."""
    found = queries.readable_run(get_session(), g.actor, code, version, _)
    if found is None:
        abort(404)
    batch, run, items = found
    content = build_evaluation_workbook(f"{batch.name} v{run.version}", [export_item(it) for it in items], _,
                                        lambda reason: label(reason, "outcome"))
    return xlsx_download(content, f"evaluation-{batch.code}-v{run.version}.xlsx")


@bp.get("/batches/<code>/evaluations/<int:version>/<item_code>/clearing.json")
@requires(*BUREAU)
def clearing(code: str, version: int, item_code: str):
    """The clearing record of one item: input snapshot (re-runnable with ``flask optimize``),
    its hash, the LP model and the solver log."""
    record = queries.clearing_record(get_session(), g.actor, code, version, item_code)
    if record is None:
        abort(404)
    name = f"clearing-{code}-v{version}-{item_code}.json"
    return attachment(json.dumps(record, ensure_ascii=False, indent=1), name, "application/json")
