"""Listing pages (挂网): the product list, listing one product or a workbook, a product with its
price history and the price in force on a date, the officer's decisions (thin routes)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from accounts.actor import Forbidden
from accounts.roles import Role
from core.clock import utcnow
from core.i18n import either
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from listing import distribution, lists, queries, services
from listing.forms import DecisionForm, PriceChangeForm, ProductForm, RelationForm, UploadForm
from listing.uploads import upload_listings
from listing.workbook import build_listing_template
from procurement.queries import list_batches
from web.auth import requires
from web.db import get_session
from web.downloads import hold, xlsx_download
from web.listing import list_query

bp = Blueprint("listing", __name__, url_prefix="/listing")


def _flash_form(form) -> None:
    for errors in form.errors.values():
        flash("; ".join(str(e) for e in errors), "error")


def _visible(product_id: int):
    product = queries.product(get_session(), g.actor, product_id)
    if product is None:
        abort(404)
    return product


@bp.get("")
@requires()
def products():
    """The products the user sees: a supplier its own, officers their region's, hospitals the listed ones."""
    page = lists.product_page(get_session(), g.actor,
                              list_query(sorts=lists.PRODUCT_SORTS, filters=lists.PRODUCT_FILTERS),
                              on=services.local_date(utcnow()))
    return render_template("listing/products.html", p=page)


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP)
def new_product():
    """List one product; it waits for a price officer's approval."""
    form = ProductForm()
    if form.validate_on_submit():
        item = services.ProductInput(form.code.data, form.generic_name.data, form.dosage_form.data, form.spec.data,
                                     form.pack.data, form.mah.data, form.price.data, form.vbp_status.data,
                                     form.vbp_batch_code.data or "")
        try:
            product = services.submit_listing(get_session(), g.actor, item, utcnow())
        except services.ListingRefused as exc:
            target = getattr(form, exc.field, None) if exc.field else None
            flash(f"{target.label.text}: {exc.msg}" if target is not None else str(exc.msg), "error")
        else:
            flash(_("Submitted for listing: a price officer approves it."), "success")
            return redirect(url_for("listing.product", product_id=product.id))
    elif request.method == "POST":
        _flash_form(form)
    return render_template("listing/new.html", form=form)


@bp.get("/template.xlsx")
@requires(Role.SUPPLIER_REP)
def template():
    """The empty listing workbook, with the batches the supplier may name."""
    batches = [(b.code, b.name) for b in list_batches(get_session(), g.actor)]
    return xlsx_download(build_listing_template(batches), "listing-template.xlsx")


@bp.route("/upload", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP)
def upload():
    """List products from a workbook: all or nothing, with an annotated workbook when refused."""
    form = UploadForm()
    errors, error_token, done, error_count = [], None, 0, 0
    if form.validate_on_submit():
        data, name = form.file.data.read(), form.file.data.filename or "listing.xlsx"
        try:
            result = upload_listings(get_session(), g.actor, data, name, utcnow())
            if result.errors:
                errors, error_count = [e.shown() for e in result.errors], result.error_count
                error_token = hold(build_error_workbook(data, result.errors, filename=name), f"errors-{name}",
                                   g.actor.user_id)
            else:
                done = result.listed
                flash(_("%(n)s products submitted for listing.", n=done), "success")
        except WorkbookError as exc:
            errors = [f"{name}: {either(exc.zh, exc.en)}"]
    return render_template("listing/upload.html", form=form, errors=errors[:50],
                           error_count=max(error_count, len(errors)), error_token=error_token, done=done)


def _price_on() -> tuple[date | None, str]:
    """The date asked for in ``?on=`` (None: not asked or not a date) and the text typed."""
    raw = (request.args.get("on") or "").strip()[:10]
    try:
        return (date.fromisoformat(raw) if raw else None), raw
    except ValueError:
        return None, raw


@bp.get("/<int:product_id>")
@requires()
def product(product_id: int):
    """A product, its price history, the price in force on a date, and the steps the user may take."""
    db = get_session()
    item = _visible(product_id)
    on, on_text = _price_on()
    history = queries.prices(db, item.id)
    pending = next((p for p in history if p.status == "pending"), None)
    day = on or services.local_date(utcnow())
    in_force = queries.price_in_force(db, item.id, day)
    officer = g.actor.role == Role.PRICE_OFFICER
    region = g.actor.region_code if g.actor.role == Role.HOSPITAL_BUYER else item.region_code
    return render_template(
        "listing/product.html", product=item, history=history, pending=pending, in_force=in_force, on=on,
        on_text=on_text, may_decide=officer and item.status == "pending",
        may_decide_price=officer and pending is not None,
        may_change=g.actor.role == Role.SUPPLIER_REP and item.status == "listed" and pending is None,
        decision=DecisionForm(formdata=None), change=PriceChangeForm(formdata=None),
        suspended=queries.order_refusal(db, item.id, region, day) if item.status == "listed" else None,
        suspensions=queries.suspension_history(db, item, day))


def _decide(product_id: int, decide, approve: bool, done: str):
    """Shared by the officer's four buttons: scope, CSRF, the decision, back to the product."""
    _visible(product_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decide(get_session(), g.actor, product_id, approve, form.note.data or "", utcnow())
    except services.ListingRefused as exc:
        flash(str(exc.msg), "error")
    except Forbidden:
        abort(403)
    else:
        flash(done, "success")
    return redirect(url_for("listing.product", product_id=product_id))


@bp.post("/<int:product_id>/approve")
@requires(Role.PRICE_OFFICER)
def approve(product_id: int):
    """Approve a listing: the product is listed and its price in force from today."""
    return _decide(product_id, services.decide_listing, True, _("Listed."))


@bp.post("/<int:product_id>/reject")
@requires(Role.PRICE_OFFICER)
def reject(product_id: int):
    """Reject a listing with the reason."""
    return _decide(product_id, services.decide_listing, False, _("Listing rejected."))


@bp.post("/<int:product_id>/price")
@requires(Role.SUPPLIER_REP)
def price_change(product_id: int):
    """Ask for a price change from a date, with the reason."""
    _visible(product_id)
    form = PriceChangeForm()
    if form.validate_on_submit():
        try:
            services.request_price_change(get_session(), g.actor, product_id, form.price.data,
                                          form.effective_on.data, form.reason.data, utcnow())
        except services.ListingRefused as exc:
            flash(str(exc.msg), "error")
        else:
            flash(_("Price change requested: a price officer decides."), "success")
    else:
        _flash_form(form)
    return redirect(url_for("listing.product", product_id=product_id))


@bp.post("/<int:product_id>/price/approve")
@requires(Role.PRICE_OFFICER)
def price_approve(product_id: int):
    """Approve the pending price change."""
    return _decide(product_id, services.decide_price_change, True, _("Price change approved."))


@bp.post("/<int:product_id>/price/reject")
@requires(Role.PRICE_OFFICER)
def price_reject(product_id: int):
    """Reject the pending price change with the reason."""
    return _decide(product_id, services.decide_price_change, False, _("Price change rejected."))


def _relation_form() -> RelationForm:
    """The naming form with the distributors and the regions of the supplier's province."""
    db = get_session()
    form = RelationForm()
    form.distributor.choices = [SelectChoice(o.code, f"{o.name} · {o.code}") for o in queries.distributors(db)]
    form.region.choices = [SelectChoice(r.code, f"{r.name} · {r.code}")
                           for r in queries.regions_of_province(db, g.actor.region_code)]
    return form


@bp.route("/distribution", methods=["GET", "POST"])
@requires()
def relations():
    """Distribution relations: a supplier names distributors per region, a distributor confirms."""
    form = _relation_form() if g.actor.role == Role.SUPPLIER_REP else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            try:
                distribution.name_distributor(get_session(), g.actor, form.distributor.data, form.region.data,
                                              utcnow())
            except services.ListingRefused as exc:
                flash(str(exc.msg), "error")
            else:
                flash(_("Distributor named: it confirms the relation."), "success")
                return redirect(url_for("listing.relations"))
        else:
            _flash_form(form)
    page = lists.relation_page(get_session(), g.actor,
                               list_query(sorts=lists.RELATION_SORTS, filters=lists.RELATION_FILTERS))
    return render_template("listing/relations.html", p=page, form=form, decision=DecisionForm(formdata=None))


def _decide_relation(relation_id: int, confirm: bool, done: str):
    """Shared by confirm and refuse: scope, CSRF, the decision, back to the relations."""
    if distribution.relation_of(get_session(), g.actor, relation_id) is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        distribution.decide_relation(get_session(), g.actor, relation_id, confirm, form.note.data or "", utcnow())
    except services.ListingRefused as exc:
        flash(str(exc.msg), "error")
    else:
        flash(done, "success")
    return redirect(url_for("listing.relations"))


@bp.post("/distribution/<int:relation_id>/confirm")
@requires(Role.DISTRIBUTOR_REP)
def relation_confirm(relation_id: int):
    """The named distributor confirms the relation."""
    return _decide_relation(relation_id, True, _("Relation confirmed."))


@bp.post("/distribution/<int:relation_id>/refuse")
@requires(Role.DISTRIBUTOR_REP)
def relation_refuse(relation_id: int):
    """The named distributor refuses the relation with the reason."""
    return _decide_relation(relation_id, False, _("Relation refused."))
