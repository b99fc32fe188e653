"""Review, publicity, objections, results and contracts (thin routes)."""

from __future__ import annotations

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
from core.export import workbook_bytes
from core.formats import date_cell, price_cell, qty_cell, spec_text
from core.money import (
    fen_to_decimal,
    format_price_e4,
    format_yuan,
    line_amount_fen,
    parse_price_e4,
    price_e4_to_decimal,
)
from credit.queries import bidder_ratings
from cycles.period import contract_years as years_between
from cycles.queries import years_of
from evaluation.export import build_evaluation_workbook, export_item
from evaluation.reading import amount_text, percent_text, price_text
from procurement.names import item_title
from procurement.services import rules_of
from review import lists, queries, services
from review.charts import volume_chart
from review.forms import AnswerForm, DecisionForm, ObjectionForm, SignAllForm, SubmitForm
from review.ocds import to_json_text
from review.ocds_export import ocds_package
from web.auth import requires
from web.charts import chart_download
from web.db import get_session, visible_batch
from web.downloads import attachment as file_download
from web.downloads import xlsx_download
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query

bp = Blueprint("review", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)
MAX_ATTACHMENT = 5 * 1024 * 1024


def _act(action, success: str, code: str, target: str = "review.review", repeated: str = ""):
    """Run a service call; flash its refusal (or, for a repeat of a step already done, that it
    was done already); 404 for objects outside the actor's scope."""
    try:
        outcome = action()
        flash(repeated if repeated and getattr(outcome, "repeated", False) else success, "success")
    except services.ReviewError as exc:
        flash(str(exc), "error")
    except Forbidden:
        abort(404)
    return redirect(url_for(target, code=code))


@bp.get("/batches/<code>/review")
@requires(*BUREAU)
def review(code: str):
    """The review page: ranked bids with reasons, winners, allocation, savings, decisions."""
    view = queries.review_view(get_session(), g.actor, code, _)
    if view is None:
        abort(404)
    charts = {it.code: volume_chart(it.code, it.result["winners"], it.suppliers)
              for it in view.items if it.result.get("winners")}
    if (download := chart_download(list(charts.values()), code)) is not None:
        return download
    now = utcnow()
    return render_template("review/review.html", view=view, charts=charts, yuan=format_yuan, price=format_price_e4,
                           yuan_dec=amount_text, price_dec=price_text, percent=percent_text,
                           submit_form=SubmitForm(), decision_form=DecisionForm(), answer_form=AnswerForm(),
                           form=EmptyForm(), now=now,
                           decision_refusal=services.decision_refusal(get_session(), g.actor, view.batch),
                           publish_refusal=services.publish_refusal(get_session(), view.batch, now),
                           publicity_days=rules_of(view.batch).publicity_days,
                           ratings=bidder_ratings(get_session(), view.batch, local_day(now)))


@bp.get("/batches/<code>/review.xlsx")
@requires(*BUREAU)
def review_export(code: str):
    """The version under review (or the last finished one) as a workbook: per item the anchor,
    thresholds, every bid with its reason, the allocation, savings against previous prices."""
    view = queries.review_view(get_session(), g.actor, code, _)
    if view is None or view.run is None:
        abort(404)
    items = [export_item(i.readable, previous_price=price_e4_to_decimal(i.previous_price_e4) if i.previous_price_e4 else None,
                         price_cut=i.price_cut, saving_vs_previous=fen_to_decimal(i.saving_vs_previous_fen)
                         if i.saving_vs_previous_fen is not None else None) for i in view.items if i.readable]
    content = build_evaluation_workbook(f"{view.batch.name} v{view.run.version}", items, _,
                                        lambda reason: label(reason, "outcome"))
    return xlsx_download(content, f"review-{view.batch.code}-v{view.run.version}.xlsx")


@bp.post("/batches/<code>/review/submit")
@requires(Role.PRICE_OFFICER)
def submit(code: str):
    """Submit a finished evaluation version for review."""
    visible_batch(code)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: services.submit_for_review(get_session(), g.actor, code, form.version.data, utcnow()),
                _("Submitted for review."), code, repeated=_("Already submitted for review; nothing changed."))


@bp.post("/batches/<code>/review/decide")
@requires(Role.PRICE_OFFICER)
def decide(code: str):
    """Approve the submitted version, or send it back with a reason."""
    visible_batch(code)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "send_back"):
        abort(400)
    approve = form.decision.data == "approve"
    return _act(lambda: services.decide(get_session(), g.actor, code, approve, form.reason.data or "", utcnow()),
                _("Approved: the result is under publicity.") if approve else _("Sent back."), code,
                repeated=_("This decision was already taken; nothing changed."))


@bp.post("/batches/<code>/objections/<int:objection_id>/answer")
@requires(Role.PRICE_OFFICER)
def answer(code: str, objection_id: int):
    """Answer an objection."""
    visible_batch(code)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: services.answer_objection(get_session(), g.actor, code, objection_id, form.answer.data, utcnow()),
                _("Answer sent."), code)


@bp.post("/batches/<code>/publish")
@requires(Role.PRICE_OFFICER)
def publish(code: str):
    """End the publicity period and publish (creates the contracts) — only with the box ticked,
    since publication cannot be undone."""
    visible_batch(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not request.form.get("confirm"):
        flash(_("Publishing cannot be undone: tick the confirmation box to go ahead."), "error")
        return redirect(url_for("review.review", code=code))
    return _act(lambda: services.end_publicity(get_session(), g.actor, code, utcnow()),
                _("Published; contracts were created."), code,
                repeated=_("Already published; nothing changed."))


@bp.route("/batches/<code>/result", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP, Role.HOSPITAL_BUYER)
def result(code: str):
    """The proposed / published winners; suppliers see their outcome and may object."""
    view = queries.public_result(get_session(), g.actor, code, _)
    if view is None:
        abort(404)
    charts = {item: volume_chart(item, winners, {}) for item, _name, winners in view.items if winners}
    if request.method == "GET" and (download := chart_download(list(charts.values()), code)) is not None:
        return download
    form = ObjectionForm()
    if g.actor.role == Role.SUPPLIER_REP and form.validate_on_submit():
        upload = form.attachment.data
        attachment = None
        if upload and upload.filename:
            content = upload.read(MAX_ATTACHMENT + 1)
            if len(content) > MAX_ATTACHMENT:
                flash(_("The attachment is larger than 5 MB."), "error")
                return redirect(url_for("review.result", code=code))
            attachment = (upload.filename[:200], content)
        return _act(lambda: services.lodge_objection(get_session(), g.actor, code, form.text.data, attachment, utcnow()),
                    _("Objection lodged."), code, "review.result")
    return render_template("review/result.html", view=view, charts=charts, form=form, price=format_price_e4, now=utcnow())


@bp.get("/objections/<int:objection_id>/attachment")
@requires(Role.SUPPLIER_REP, *BUREAU)
def attachment(objection_id: int):
    """An objection's attachment, for its supplier and the bureau."""
    row = queries.objection(get_session(), g.actor, objection_id)
    if row is None or row.attachment is None:
        abort(404)
    return file_download(row.attachment, f"objection-{row.id}.bin", "application/octet-stream")


@bp.get("/batches/<code>/contracts")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, *BUREAU)
def contracts(code: str):
    """Contracts of the batch within the user's scope, with signing."""
    query = list_query(sorts=lists.CONTRACT_SORTS, filters=lists.CONTRACT_FILTERS)
    found = lists.contract_page(get_session(), g.actor, code, query)
    if found is None:
        abort(404)
    batch, page = found
    pending = len(services.awaiting_signature(get_session(), g.actor, batch))
    return render_template("review/contracts.html", batch=batch, p=page, rows=page.rows, form=EmptyForm(),
                           price=format_price_e4, title=item_title, pending=pending,
                           years=years_of(get_session(), [c.id for c, *_rest in page.rows]), period_rule=period_rule,
                           amount=lambda c: format_yuan(line_amount_fen(c.agreed_volume, c.ucp_e4)),
                           statuses=[(s, label(s, "contract")) for s in lists.CONTRACT_STATUSES])


@bp.post("/contracts/<int:contract_id>/sign")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP)
def sign(contract_id: int):
    """Confirm one contract."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outcome = services.sign_contract(get_session(), g.actor, contract_id, utcnow())
    except Forbidden:
        abort(404)
    flash(_("You had already confirmed this contract; nothing changed.") if outcome.repeated
          else _("Contract confirmed."), "success")
    return redirect(url_for("review.contracts", code=queries.batch_code(get_session(), outcome.value.batch_id)))


@bp.route("/batches/<code>/contracts/sign-all", methods=["GET", "POST"])
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP)
def sign_all(code: str):
    """Confirm every contract of the batch awaiting this organisation: a page first says how
    many will be signed; only the POST with its box ticked signs them."""
    batch = visible_batch(code)
    form = SignAllForm()
    if request.method == "GET" or not form.validate_on_submit() or not form.confirm.data:
        if request.method == "POST":
            flash(_("Signing cannot be undone: tick the confirmation box to go ahead."), "error")
        pending = services.awaiting_signature(get_session(), g.actor, batch)
        return render_template("review/sign_all.html", batch=batch, pending=len(pending), form=form)
    try:
        n = services.sign_all(get_session(), g.actor, code, utcnow())
    except Forbidden:
        abort(404)
    flash(_("%(n)s contracts confirmed.", n=n), "success")
    return redirect(url_for("review.contracts", code=code))


@bp.get("/batches/<code>/contracts.xlsx")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, *BUREAU)
def contracts_export(code: str):
    """The contracts the user may see, as a workbook."""
    found = queries.contracts_of(get_session(), g.actor, code)
    if found is None:
        abort(404)
    batch, rows = found
    header = ["协议编号 Contract", "品种 Item", "医疗机构 Hospital", "中选企业 Supplier", "单位可比价 UCP",
              "包装价 Pack price", "包装规格 Pack", "报量 Reported", "约定采购量 Agreed", "周期起 Start", "周期止 End",
              "状态 Status", "合同期规则 Period rule"]
    data = [[c.code, f"{i.code} {i.generic_name}", h.name, s.name, price_cell(c.ucp_e4),
             price_cell(c.pack_price_e4) if c.pack_price_e4 else "", spec_text(c.pack_spec), qty_cell(c.reported_demand),
             qty_cell(c.agreed_volume), date_cell(c.period_start), date_cell(c.period_end),
             label(c.status, "contract"), period_rule(c)]
            for c, i, h, s in rows]
    by_contract = years_of(get_session(), [c.id for c, *_rest in rows])
    year_header = ["协议编号 Contract", "品种 Item", "医疗机构 Hospital", "合同年度 Year", "起 Start", "止 End",
                   "约定采购量 Agreed", "状态 State", "上年实际验收 Last year's accepted", "下限 Floor", "医院意见 Hospital's answer",
                   "理由 Reason"]
    year_rows = [[c.code, f"{i.code} {i.generic_name}", h.name, y.year_no, date_cell(y.starts_on), date_cell(y.ends_on),
                  qty_cell(y.agreed_volume), label(y.status, "contract_year"),
                  qty_cell(y.last_actual) if y.last_actual is not None else "",
                  qty_cell(y.floor_volume) if y.floor_volume is not None else "",
                  qty_cell(y.hospital_volume) if y.hospital_volume is not None else "", y.hospital_reason]
                 for c, i, h, _s in rows for y in by_contract.get(c.id, [])]
    return xlsx_download(workbook_bytes([("采购协议", header, data), ("年度约定采购量", year_header, year_rows)]),
                         f"contracts-{batch.code}.xlsx")


def period_rule(contract) -> str:
    """The contract-period rule that set a contract's end, in the reader's language."""
    if contract.period_basis == "winners" and contract.winner_count:
        return _("%(n)s winners → %(years)s years", n=contract.winner_count,
                 years=len(years_between(contract.period_start, contract.period_end)))
    return label(contract.period_basis, "period_basis")


@bp.get("/batches/<code>/result.xlsx")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, *BUREAU)
def result_export(code: str):
    """The (proposed or published) winners per item, as a workbook."""
    view = queries.public_result(get_session(), g.actor, code)
    if view is None:
        abort(404)
    header = ["品种 Item", "通用名 Name", "中选企业 Winner", "单位可比价 UCP", "供应地区 Regions", "约定采购量 Volume"]
    data = [[c, n, w["name"], price_cell(parse_price_e4(w["ucp"], exact=False)), "、".join(w["region_names"]),
             qty_cell(w["volume"])] for c, n, ws in view.items for w in ws]
    return xlsx_download(workbook_bytes([("中选结果", header, data)]), f"result-{view.batch.code}.xlsx")


@bp.get("/batches/<code>/ocds.json")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, *BUREAU)
def ocds(code: str):
    """The batch as an Open Contracting Data Standard 1.1 release package (after publication)."""
    package = ocds_package(get_session(), visible_batch(code), publisher_name="jicai",
                           uri=url_for("review.ocds", code=code, _external=True),
                           ocid_prefix=current_app.extensions["jicai.settings"].ocid_prefix)
    if package is None:
        abort(404)
    return file_download(to_json_text(package, indent=1), f"ocds-{code}.json", "application/json")

