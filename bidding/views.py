"""Bidding pages: bid entry with a price preview, receipts, withdrawal, opening and its record."""

from __future__ import annotations

import json
from decimal import InvalidOperation

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.actor import Forbidden
from accounts.roles import Role
from bidding import lists, queries, services
from bidding.forms import BidForm, SlipForm, UploadForm, WithdrawForm
from bidding.keys import SealingError
from bidding.pricing import Eligibility
from bidding.receipts import short_receipt
from bidding.validation import TierOffer
from bidding.workbook import BID_LIMITS, build_bid_template, read_bid_workbook
from core.clock import local_day, utcnow
from core.export import workbook_bytes
from core.formats import price_cell, qty_cell, strength
from core.i18n import either
from core.inputs import decimal
from core.money import MoneyError, format_price_e4, parse_price_e4
from credit.queries import bidder_ratings
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from imports.xlsx_guard import with_max_rows
from procurement.queries import batch_view
from web.auth import requires
from web.db import app_settings, get_session, keyring, tendered_batch
from web.downloads import attachment, hold, xlsx_download
from web.labels import label
from web.listing import list_query

bp = Blueprint("bidding", __name__)
OFFICERS = (Role.PRICE_OFFICER, Role.ADMIN, Role.SETTLEMENT_OFFICER)


def _bid_input(form: BidForm) -> services.BidInput:
    """Type the form's values (money exactly, as 1/10000 yuan)."""
    tiers = tuple(TierOffer(t.min_volume.data, parse_price_e4(t.pack_price.data.strip()))
                  for t in form.tiers if t.min_volume.data and t.pack_price.data)
    return services.BidInput(form.item_code.data, decimal(form.strength.data, "strength"), form.strength_unit.data.strip(),
                             form.units_per_pack.data, parse_price_e4(form.pack_price.data.strip()),
                             form.capacity.data, Eligibility(form.eligibility.data), tiers)


@bp.get("/batches/<code>/bids")
@requires(Role.SUPPLIER_REP, *OFFICERS)
def bid_home(code: str):
    """Suppliers: their submissions and receipts. Officers: sealed envelopes, or the opening."""
    batch = tendered_batch(code)
    db = get_session()
    if g.actor.role == Role.SUPPLIER_REP:
        page = lists.submission_page(db, g.actor, batch, list_query(sorts=lists.SUBMISSION_SORTS,
                                                                    filters=lists.SUBMISSION_FILTERS))
        return render_template("bidding/my_bids.html", batch=batch, rows=page.rows, p=page, short=short_receipt,
                               statuses=[(s, label(s, "bid")) for s in ("live", "superseded", "withdrawn")],
                               withdraw_form=WithdrawForm(), now=utcnow())
    return render_template("bidding/officer.html", batch=batch, summary=queries.sealed_summary(db, g.actor, batch),
                           opening=queries.opening_of(db, batch), now=utcnow(), form=WithdrawForm())


@bp.route("/batches/<code>/bids/new", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP)
def bid_new(code: str):
    """Enter a bid, see its unit comparable price, then confirm it (amends a live bid)."""
    batch = tendered_batch(code)
    view = batch_view(get_session(), g.actor, code, utcnow())
    form = BidForm()
    form.item_code.choices = [(it.code, f"{it.code} {it.generic_name} {it.rep_strength or ''}{it.strength_unit or ''}")
                              for _bi, it in view.items]
    if request.method == "GET" and request.args.get("item"):
        form.item_code.data = request.args["item"]
    check = None
    if form.validate_on_submit():
        try:
            bid = _bid_input(form)
            if form.confirm.data == "1":
                done = services.submit_bid(get_session(), g.actor, code, bid, keyring(), utcnow())
                slip = json.dumps({"batch": code, "item": bid.item_code, "receipt": done.prepared.receipt,
                                   "salt": done.prepared.salt.hex(),
                                   "bid": done.prepared.canonical_bid.decode("utf-8")}, ensure_ascii=False, indent=1)
                receipt = queries.receipt_slip(get_session(), g.actor, batch, done.submission.id)
                return render_template("bidding/receipt.html", slip=receipt, done=done, slip_json=slip,
                                       own=json.loads(done.prepared.canonical_bid), short=short_receipt,
                                       price=format_price_e4, slip_form=SlipForm())
            check = services.preview_bid(get_session(), g.actor, code, bid, utcnow())
        except (MoneyError, InvalidOperation, ValueError) as exc:
            if isinstance(exc, services.BidRefused):
                for reason in exc.reasons:
                    flash(either(reason.message_zh, reason.message_en), "error")
            else:
                flash(_("Check the numbers you entered: %(err)s", err=str(exc)), "error")
        except Forbidden:
            abort(404)
    return render_template("bidding/bid_form.html", batch=batch, form=form, check=check, price=format_price_e4)


@bp.post("/batches/<code>/bids/<item_code>/withdraw")
@requires(Role.SUPPLIER_REP)
def bid_withdraw(code: str, item_code: str):
    """Withdraw the live bid of an item before the deadline."""
    tendered_batch(code)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_bid(get_session(), g.actor, code, item_code, utcnow(), form.reason.data or "")
            flash(_("Bid withdrawn."), "success")
        except services.BidRefused as exc:
            flash(str(exc), "error")
        except Forbidden:
            abort(404)
    return redirect(url_for("bidding.bid_home", code=code))


@bp.get("/batches/<code>/bids/<int:submission_id>/receipt")
@requires(Role.SUPPLIER_REP)
def bid_receipt(code: str, submission_id: int):
    """The printable receipt of one of the supplier's own submissions (any time, any status)."""
    batch = tendered_batch(code)
    slip = queries.receipt_slip(get_session(), g.actor, batch, submission_id)
    if slip is None:
        abort(404)
    return render_template("bidding/receipt.html", slip=slip, done=None, short=short_receipt)


@bp.post("/bids/receipt-slip")
@requires(Role.SUPPLIER_REP)
def receipt_slip():
    """Hand the receipt slip back as a file; the server keeps no copy of its contents."""
    form = SlipForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        slip = json.loads(form.slip.data)
        name = f"receipt-{slip['batch']}-{slip['item']}-{slip['receipt'][:12]}.json"
    except (ValueError, KeyError, TypeError):
        abort(400)
    return attachment(form.slip.data, name, "application/json")


@bp.post("/batches/<code>/open")
@requires(Role.PRICE_OFFICER, Role.ADMIN)
def open_now(code: str):
    """Open the bids (refused before the opening time)."""
    tendered_batch(code)
    if WithdrawForm().validate_on_submit():
        try:
            record = services.open_bids(get_session(), g.actor, code, keyring(), utcnow())
            flash(_("Bids opened: %(n)s bids, %(v)s valid.", n=record.bids, v=record.valid_bids), "success")
            return redirect(url_for("bidding.opening", code=code))
        except (services.OpeningError, SealingError) as exc:
            flash(str(exc), "error")
        except Forbidden:
            abort(404)
    return redirect(url_for("bidding.bid_home", code=code))


def _opening_or_404(code: str):
    """The batch and its opening rows; 404 before the opening (nothing to read)."""
    batch = tendered_batch(code)
    db = get_session()
    if queries.opening_of(db, batch) is None:
        abort(404)
    return batch, queries.opening_rows(db, g.actor, batch)


@bp.get("/batches/<code>/opening")
@requires(Role.SUPPLIER_REP, *OFFICERS)
def opening(code: str):
    """The opening record (开标记录), paged, filtered and sorted on the server."""
    batch = tendered_batch(code)
    db = get_session()
    record = queries.opening_of(db, batch)
    if record is None:
        abort(404)
    page = lists.opening_page(db, g.actor, batch, list_query(sorts=lists.OPENING_SORTS, filters=lists.OPENING_FILTERS))
    return render_template("bidding/opening.html", batch=batch, rows=page.rows, p=page, record=record,
                           price=format_price_e4, short=short_receipt,
                           ratings=bidder_ratings(db, batch, local_day(utcnow())) if g.actor.is_bureau else [])


@bp.get("/batches/<code>/opening.xlsx")
@requires(Role.SUPPLIER_REP, *OFFICERS)
def opening_export(code: str):
    """The opening record as a workbook, within the viewer's scope."""
    batch, rows = _opening_or_404(code)
    header = ["品种编码 Item", "通用名 Name", "企业 Supplier", "回执 Receipt", "规格 Strength", "每包装 Units/pack",
              "包装价 Pack price", "单位可比价 UCP", "产能 Capacity", "有效 Valid", "原因 Reasons"]
    data = [[r.item.code, r.item.generic_name, r.supplier.name if r.supplier else "—", r.bid.receipt,
             strength(r.bid.strength, r.bid.strength_unit) if r.supplier else "",
             qty_cell(r.bid.units_per_pack) if r.supplier else "",
             price_cell(r.bid.pack_price_e4) if r.supplier else "",
             price_cell(r.bid.ucp_e4) if r.bid.ucp_e4 is not None else "",
             qty_cell(r.bid.capacity) if r.supplier else "", _("Yes") if r.bid.valid else _("No"),
             ", ".join(label(code, "refusal") for code in r.reasons)] for r in rows]
    content = workbook_bytes([("开标记录", header, data)])
    return xlsx_download(content, f"opening-{batch.code}.xlsx")


@bp.get("/batches/<code>/bids/template.xlsx")
@requires(Role.SUPPLIER_REP)
def bid_template(code: str):
    """The bid workbook template of the batch, one row per item."""
    batch = tendered_batch(code)
    view = batch_view(get_session(), g.actor, code, utcnow())
    items = [(it.code, it.generic_name, f"{it.rep_strength or ''}{it.strength_unit or ''}") for _bi, it in view.items]
    content = build_bid_template(f"{batch.code} {batch.name}", queries.supplier_name(get_session(), g.actor), items)
    return xlsx_download(content, f"bids-{batch.code}.xlsx")


@bp.route("/batches/<code>/bids/upload", methods=["GET", "POST"])
@requires(Role.SUPPLIER_REP)
def bid_upload(code: str):
    """Upload many bids at once: all or nothing, with an annotated workbook when refused."""
    batch = tendered_batch(code)
    form = UploadForm()
    errors, error_token, done, error_count = [], None, [], 0
    if form.validate_on_submit():
        data, name = form.file.data.read(), form.file.data.filename or "bids.xlsx"
        db = get_session()
        try:
            live = services.bidding_batch(db, g.actor, code)
            parsed = read_bid_workbook(data, filename=name, terms=services.batch_terms(db, live),
                                       limits=with_max_rows(BID_LIMITS, app_settings().upload_rows_bids))
            if parsed.ok:
                bids = [services.BidInput(r.item_code, r.strength, r.strength_unit, r.units_per_pack,
                                          r.pack_price_e4, r.capacity, r.eligibility, r.tiers) for r in parsed.rows]
                sealed = services.submit_bid_workbook(db, g.actor, code, bids, keyring(), utcnow())
                done = [(b.item_code, d.prepared.receipt, d.submission.id) for b, d in zip(bids, sealed, strict=True)]
                flash(_("%(n)s bids sealed from the workbook.", n=len(done)), "success")
            else:
                errors, error_count = [e.shown() for e in parsed.errors], parsed.error_count
                error_token = hold(build_error_workbook(data, parsed.errors, filename=name),
                                   f"errors-{name}", g.actor.user_id)
        except WorkbookError as exc:
            errors = [f"{name}: {either(exc.zh, exc.en)}"]
        except services.BidRefused as exc:
            errors = [either(r.message_zh, r.message_en) for r in exc.reasons]
        except Forbidden:
            abort(404)
    return render_template("bidding/upload.html", batch=batch, form=form, errors=errors[:50],
                           error_count=max(error_count, len(errors)), error_token=error_token, done=done, short=short_receipt)
