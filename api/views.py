"""``/api/v1``: token-authenticated JSON for hospital HIS and supplier ERP systems, and the
token management page. Errors are always ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from accounts.actor import Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from api import services
from api.bodies import LinesError, field_of, lines_to_sheet
from api.openapi import openapi_document
from bidding.queries import my_submissions, opening_rows
from core.clock import utcnow
from core.money import price_e4_to_decimal
from procurement.demand.services import DemandError, submit_demand
from procurement.queries import list_batches, plausible_code
from review.queries import contracts_of
from web.auth import public, requires
from web.db import get_session, visible_batch
from web.forms import EmptyForm

api = Blueprint("api", __name__, url_prefix="/api/v1")
ui = Blueprint("api_ui", __name__)


def error(status: int, code: str, message: str, fields: dict | None = None):
    """The one error shape of the API."""
    return jsonify(error={"code": code, "message": message, "fields": fields or {}}), status


def _http_error(exc: HTTPException):
    """Every HTTP error of the API as JSON, never an HTML page."""
    return error(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")


# by code: code-specific handlers (the app's HTML pages) would otherwise win over a class handler
for _code in (400, 401, 403, 404, 405, 413, 500):
    api.register_error_handler(_code, _http_error)


def token_required(view):
    """Authenticate ``Authorization: Bearer <token>``; the actor is the token's organisation."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        actor = services.actor_for_token(get_session(), header[7:].strip(), utcnow()) if header.startswith("Bearer ") else None
        if actor is None:
            return error(401, "unauthorized", "缺少或无效的令牌 / missing or invalid token")
        g.actor = actor
        return view(*args, **kwargs)

    wrapper.jicai_roles = None  # token-authenticated, outside the session-based route walk
    return wrapper


def _iso(value) -> str | None:
    """ISO 8601 or None."""
    return value.isoformat() if value else None


def _money(price_e4: int | None) -> str | None:
    """A unit price as a decimal string."""
    return None if price_e4 is None else str(price_e4_to_decimal(price_e4))


@api.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@api.get("/me")
@token_required
def me():
    """Who the token acts for."""
    return jsonify(organisation=str(g.actor.org_id), role=str(g.actor.role))


@api.get("/batches")
@token_required
def batches():
    """Batches visible to the organisation."""
    return jsonify([{"code": b.code, "name": b.name, "status": b.status, "demand_deadline": _iso(b.demand_deadline),
                     "bid_deadline": _iso(b.bid_deadline), "opening_at": _iso(b.opening_at)}
                    for b in list_batches(get_session(), g.actor)])


@api.get("/batches/<code>/contracts")
@token_required
def contracts(code: str):
    """Contracts within the organisation's scope."""
    found = contracts_of(get_session(), g.actor, code)
    if found is None:
        abort(404, description="no such batch")
    return jsonify([{"code": c.code, "item": i.code, "hospital": h.code, "supplier": s.code,
                     "unit_price": _money(c.ucp_e4), "pack_price": _money(c.pack_price_e4),
                     "agreed_volume": c.agreed_volume, "reported_demand": c.reported_demand,
                     "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
                     "status": c.status} for c, i, h, s in found[1]])


@api.get("/batches/<code>/bids")
@token_required
def bids(code: str):
    """A supplier's submissions; unit comparable prices appear only after the opening."""
    if g.actor.role != Role.SUPPLIER_REP:
        return error(403, "forbidden", "只有医药企业可以查询申报 / suppliers only")
    batch = visible_batch(code)
    opened = {r.bid.receipt: r for r in opening_rows(get_session(), g.actor, batch) if r.own}
    return jsonify([{"item": item.code, "receipt": sub.receipt, "status": sub.status,
                     "submitted_at": sub.submitted_at.isoformat(),
                     "unit_comparable_price": _money(opened[sub.receipt].bid.ucp_e4) if sub.receipt in opened else None,
                     "valid": opened[sub.receipt].bid.valid if sub.receipt in opened else None}
                    for sub, item in my_submissions(get_session(), g.actor, batch)])


@api.post("/batches/<code>/demand")
@token_required
def submit_demand_lines(code: str):
    """A hospital's committed volumes as JSON: a new version, or 422 with field-level errors."""
    if g.actor.role != Role.HOSPITAL_BUYER:
        return error(403, "forbidden", "只有医疗机构可以报量 / hospitals only")
    if not plausible_code(code):
        abort(404, description="no such batch")
    try:
        data = lines_to_sheet(request.get_json(silent=True))
    except LinesError as exc:
        return error(422, "invalid_lines", "报量数据无效 / invalid demand lines", exc.fields)
    hospital = get_session().get(Organisation, g.actor.org_id)
    try:
        result = submit_demand(get_session(), g.actor, code, hospital.code, data, "api.json", utcnow())
    except DemandError as exc:
        return error(409, "refused", str(exc))
    except Forbidden:
        abort(404, description="no such batch")
    if not result.accepted:
        fields = {field_of(e.row, e.column): f"{e.reason_zh} / {e.reason_en}" for e in result.errors}
        return error(422, "rejected", result.message, fields)
    return jsonify(batch=code, version=result.version, lines=result.rows), 201


@ui.route("/settings/api-tokens", methods=["GET", "POST"])
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.DISTRIBUTOR_REP)
def tokens():
    """Create and list the organisation's API tokens (the new token is shown once)."""
    form, new_token = EmptyForm(), None
    if form.validate_on_submit():
        new_token, _row = services.create_token(get_session(), g.actor, request.form.get("name", ""), utcnow())
    return render_template("api/tokens.html", tokens=services.tokens_of(get_session(), g.actor),
                           form=EmptyForm(), new_token=new_token)


@ui.post("/settings/api-tokens/<int:token_id>/revoke")
@requires(Role.HOSPITAL_BUYER, Role.SUPPLIER_REP, Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.DISTRIBUTOR_REP)
def revoke(token_id: int):
    """Revoke a token."""
    if EmptyForm().validate_on_submit():
        try:
            services.revoke_token(get_session(), g.actor, token_id, utcnow())
            flash(_("Token revoked."), "success")
        except Forbidden:
            abort(404)
    return redirect(url_for("api_ui.tokens"))


# the settlement endpoints live in their own module, on this blueprint
from api.listing import views as _listing_views  # noqa: E402, F401
from api.orders import views as _orders_views  # noqa: E402, F401
from api.paystd import views as _paystd_views  # noqa: E402, F401
from api.selfpay import views as _selfpay_views  # noqa: E402, F401
from api.settlement import views as _settlement_views  # noqa: E402, F401
