"""Pages of an executed result (thin: parse, call one service or query, render): the new batch
from the published result, the template, corrections, and the allocation page with its
publicity, objections and publication."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.export import workbook_bytes
from core.formats import price_cell
from imports.result import result_workbook
from procurement.forms import aware
from procurement.services import BatchError
from procurement.timeline import TimelineError
from results import queries, services
from results.forms import CorrectionForm, ResultBatchForm
from review import services as review
from review.forms import AnswerForm, ObjectionForm
from web.auth import requires
from web.db import app_settings, get_session, visible_batch
from web.downloads import hold, xlsx_download
from web.forms import EmptyForm

bp = Blueprint("results", __name__)
INLINE_ERRORS = 30
MAX_ATTACHMENT = 5 * 1024 * 1024


def _marked(result, data: bytes, filename: str) -> str | None:
    """The held token of the user's workbook with the refused cells marked (None for JSON)."""
    marked = services.error_workbook(result, data, filename)
    return hold(marked, f"{Path(filename).stem or 'result'}_错误标注.xlsx", g.actor.user_id) if marked else None


@bp.route("/batches/new-result", methods=["GET", "POST"])
@requires(Role.PRICE_OFFICER)
def new_batch():
    """Create a batch of kind "executed result" by uploading the published result: a refused
    file writes nothing and comes back with every error and, for a workbook, the marked copy."""
    form = ResultBatchForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("results/new.html", form=form, rejection=None, errors=(), token=None), status
    upload = form.file.data
    data, filename = upload.read(), (upload.filename or "result.xlsx")[-120:]
    try:
        outcome = services.create_result_batch(
            get_session(), g.actor, code=form.code.data.strip(), name=form.name.data.strip(), kind=form.kind.data,
            demand_deadline=aware(form.demand_deadline.data, app_settings().timezone), data=data, filename=filename,
            now=utcnow())
    except TimelineError as exc:
        form.demand_deadline.errors = [*form.demand_deadline.errors, *(_(t) for t in exc.problems.values())]
        return render_template("results/new.html", form=form, rejection=None, errors=(), token=None), 422
    except BatchError as exc:
        flash(str(exc), "error")
        return render_template("results/new.html", form=form, rejection=None, errors=(), token=None), 422
    if not outcome.accepted:
        return render_template("results/new.html", form=form, rejection=outcome,
                               errors=outcome.errors[:INLINE_ERRORS], token=_marked(outcome, data, filename)), 422
    flash(_("The published result was loaded as version %(version)s: %(items)s items, %(winners)s winners.",
            version=outcome.version, items=outcome.items, winners=outcome.winners), "success")
    return redirect(url_for("procurement.batch_detail", code=outcome.batch_code))


@bp.get("/results/template.xlsx")
@requires(Role.PRICE_OFFICER, Role.ADMIN)
def template():
    """The empty result workbook: four sheets with their headers and the fields to fill in."""
    return xlsx_download(result_workbook(), "中选结果模板.xlsx")


def _page(code: str, *, status: int = 200, rejection=None, token: str | None = None,
          correction: CorrectionForm | None = None):
    """The allocation page (with a refused correction's errors, when there is one)."""
    view = queries.result_view(get_session(), g.actor, code, utcnow())
    if view is None:
        abort(404)
    return render_template("results/allocation.html", view=view, form=EmptyForm(), objection_form=ObjectionForm(),
                           answer_form=AnswerForm(), correction_form=correction or CorrectionForm(),
                           rejection=rejection, errors=rejection.errors[:INLINE_ERRORS] if rejection else (),
                           token=token, now=utcnow(),
                           publish_refusal=review.publish_refusal(get_session(), view.batch, utcnow())), status


@bp.get("/batches/<code>/allocation")
@requires()
def allocation(code: str):
    """The published result put into effect: versions, winners and prices, the local allocation
    per sub-region; during publicity the objections, and the steps an officer may take."""
    return _page(code)


@bp.get("/batches/<code>/allocation.xlsx")
@requires()
def allocation_export(code: str):
    """The current result version and its local allocation as a workbook."""
    view = queries.result_view(get_session(), g.actor, code, utcnow())
    if view is None or view.current is None:
        abort(404)
    winners = [[i.item.code, i.item.generic_name, i.line.rep_spec, org.code, org.name, w.pack_spec,
                price_cell(w.pack_price_e4), price_cell(w.ucp_e4)] for i in view.items for w, org in i.winners]
    supply = [[i.item.code, i.item.generic_name, s.region.code, s.region.name, s.primary.name,
               s.backup.name if s.backup else "", _("By the province-wide row") if s.by_rule else ""]
              for i in view.items for s in i.supply]
    return xlsx_download(workbook_bytes([
        ("中选企业", ["品种编码 Item", "通用名 Name", "代表规格 Rep. spec", "企业编码 Code", "中选企业 Winner",
                  "规格包装 Pack", "包装价格 Pack price", "单位可比价 UCP"], winners),
        ("供应地区", ["品种编码 Item", "通用名 Name", "地区编码 Region", "地区 Region name", "主供 Primary",
                  "备供 Backup", "依据 Basis"], supply)]), f"allocation-{view.batch.code}-v{view.current.version}.xlsx")


@bp.post("/batches/<code>/allocation/correct")
@requires(Role.PRICE_OFFICER)
def correct(code: str):
    """Load a corrected result file as the next version, with the reason."""
    visible_batch(code)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("Choose the corrected file and give the reason."), "error")
        return redirect(url_for("results.allocation", code=code))
    upload = form.file.data
    data, filename = upload.read(), (upload.filename or "result.xlsx")[-120:]
    try:
        outcome = services.correct_result(get_session(), g.actor, code, data, filename, form.reason.data, utcnow())
    except services.ResultRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("results.allocation", code=code))
    except Forbidden:
        abort(404)
    if not outcome.accepted:
        return _page(code, status=422, rejection=outcome, token=_marked(outcome, data, filename), correction=form)
    flash(_("This file is the current version already; nothing changed.") if outcome.repeated else
          _("Corrected: version %(version)s is now the result.", version=outcome.version), "success")
    return redirect(url_for("results.allocation", code=code))


def _act(action, success: str, code: str, repeated: str = ""):
    """Run a service call and flash its outcome or refusal; 404 outside the actor's scope."""
    try:
        outcome = action()
        flash(repeated if repeated and getattr(outcome, "repeated", False) else success, "success")
    except (review.ReviewError, BatchError, services.ResultRefused) as exc:
        flash(str(exc), "error")
    except Forbidden:
        abort(404)
    return redirect(url_for("results.allocation", code=code))


@bp.post("/batches/<code>/allocation/publicity")
@requires(Role.PRICE_OFFICER)
def start_publicity(code: str):
    """End demand collection and put the local allocation under publicity."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.start_allocation_publicity(get_session(), g.actor, code, utcnow()),
                _("The local allocation is under publicity."), code, _("Already under publicity; nothing changed."))


@bp.post("/batches/<code>/allocation/objections")
@requires(Role.SUPPLIER_REP)
def lodge(code: str):
    """A winner objects to the local allocation during its publicity."""
    visible_batch(code)
    form = ObjectionForm()
    if not form.validate_on_submit():
        flash(_("Write the objection first."), "error")
        return redirect(url_for("results.allocation", code=code))
    attachment = None
    upload = form.attachment.data
    if upload and upload.filename:
        content = upload.read(MAX_ATTACHMENT + 1)
        if len(content) > MAX_ATTACHMENT:
            flash(_("The attachment is larger than 5 MB."), "error")
            return redirect(url_for("results.allocation", code=code))
        attachment = (upload.filename[:200], content)
    return _act(lambda: review.lodge_objection(get_session(), g.actor, code, form.text.data, attachment, utcnow()),
                _("Objection lodged."), code)


@bp.post("/batches/<code>/allocation/objections/<int:objection_id>/answer")
@requires(Role.PRICE_OFFICER)
def answer(code: str, objection_id: int):
    """An officer answers an objection to the allocation."""
    visible_batch(code)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer first."), "error")
        return redirect(url_for("results.allocation", code=code))
    return _act(lambda: review.answer_objection(get_session(), g.actor, code, objection_id, form.answer.data, utcnow()),
                _("Answer sent."), code)


@bp.post("/batches/<code>/allocation/publish")
@requires(Role.PRICE_OFFICER)
def publish(code: str):
    """Publish the allocation once its publicity is over (creates the contracts per city) —
    only with the box ticked, since publication cannot be undone."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not request.form.get("confirm"):
        flash(_("Publishing cannot be undone: tick the confirmation box to go ahead."), "error")
        return redirect(url_for("results.allocation", code=code))
    return _act(lambda: review.end_publicity(get_session(), g.actor, code, utcnow()),
                _("Published; contracts were created."), code, _("Already published; nothing changed."))
