"""Settlement routes of ``/api/v1`` (on the blueprint of :mod:`api.views`): supplier ERPs record
deliveries, apply for settlement and follow their payments; hospital HIS systems accept,
return, reconcile and read their deduction statements.

Each route checks the token's role (403), reads its body (:mod:`api.settlement.bodies`, 422)
and calls one settlement use case; refusals become 422 when they name a field the client
sent, 409 otherwise; unknown and foreign objects answer 404 alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import abort, g, jsonify, request
from sqlmodel import Session

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from api.settlement import bodies
from api.settlement.bodies import FieldsError, line_fields
from api.views import api, error, token_required
from core.clock import utcnow
from settlement import services
from settlement.execution import queries as execution_queries
from settlement.execution.deliveries import check_deliveries
from settlement.payments import queries as payment_queries
from settlement.runs import queries as run_queries
from settlement.services import DeliveryInput, SettlementRefused
from web.db import get_session, visible_batch

MAX_FIELD_ERRORS = 500
HOSPITALS = "只有医疗机构可以使用 / hospitals only"
SUPPLIERS = "只有医药企业可以使用 / suppliers only"
PARTIES = "只有医疗机构和医药企业可以使用 / hospitals and suppliers only"


def _record_lines(session: Session, actor: Actor, lines: Sequence[DeliveryInput], now: datetime) -> int:
    """Record the lines with source "api"; the count. A refusal names each refused line and
    field (:class:`FieldsError`); nothing is written then."""
    try:
        return services.record_deliveries(session, actor, lines, now, source="api")
    except SettlementRefused:
        session.rollback()
        contracts, problems = check_deliveries(session, actor, lines, now.date())
        if not problems:
            raise  # refused for a reason that is not about one line
    fields = line_fields(list(lines), set(contracts), problems)
    shown = dict(list(fields.items())[:MAX_FIELD_ERRORS])
    cut = len(fields) > len(shown)
    zh = f"{len(problems)} 行被拒绝，未记录任何发货" + (f"（列出前 {MAX_FIELD_ERRORS} 处）" if cut else "")
    en = f"{len(problems)} lines refused; nothing was recorded" + (f" (the first {MAX_FIELD_ERRORS} listed)" if cut else "")
    raise FieldsError("rejected", f"{zh} / {en}", shown)


def _role(*roles: Role, message: str):
    """A 403 response unless the token's role is one of ``roles``."""
    return None if g.actor.role in roles else error(403, "forbidden", message)


def _invalid(exc: FieldsError):
    """A request refused before any write."""
    return error(422, exc.code, exc.message, exc.fields)


def _refused(exc: SettlementRefused, table: tuple[tuple[str, str], ...]):
    """A domain refusal: 422 naming the field it is about, else 409."""
    fields = bodies.refusal_fields(str(exc), table)
    return error(422, "rejected", str(exc), fields) if fields else error(409, "refused", str(exc))


@api.get("/deliveries")
@token_required
def deliveries():
    """A supplier's own deliveries, or those addressed to a hospital, newest first."""
    if refused := _role(Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, message="只有医药企业和医疗机构可以查询发货 / "
                                                                         "suppliers and hospitals only"):
        return refused
    try:
        options = bodies.delivery_filter(request.args)
    except FieldsError as exc:
        return _invalid(exc)
    batch_id = visible_batch(options.batch).id if options.batch else None
    return jsonify(execution_queries.delivery_rows(get_session(), g.actor, batch_id=batch_id, open_only=options.open_only,
                                         limit=options.limit, before=options.before))


@api.post("/deliveries")
@token_required
def record_deliveries():
    """Record delivery lines all or nothing; 422 names every refused line and field."""
    if refused := _role(Role.SUPPLIER_REP, message=SUPPLIERS):
        return refused
    try:
        count = _record_lines(get_session(), g.actor, bodies.delivery_lines(request.get_json(silent=True)), utcnow())
    except FieldsError as exc:
        return _invalid(exc)
    except SettlementRefused as exc:
        return error(409, "refused", str(exc))
    return jsonify(recorded=count), 201


@api.post("/deliveries/<int:delivery_id>/acceptance")
@token_required
def accept(delivery_id: int):
    """The hospital accepts all or part of a delivery: one acceptance line."""
    if refused := _role(Role.HOSPITAL_BUYER, message=HOSPITALS):
        return refused
    try:
        quantity, accepted_on = bodies.acceptance(request.get_json(silent=True))
        line = services.accept_delivery(get_session(), g.actor, delivery_id, quantity, accepted_on, utcnow())
    except FieldsError as exc:
        return _invalid(exc)
    except SettlementRefused as exc:
        return _refused(exc, bodies.ACCEPT_FIELDS)
    except Forbidden:
        abort(404, description="no such delivery")
    return jsonify(execution_queries.acceptance_json(line)), 201


@api.post("/acceptances/<int:acceptance_id>/returns")
@token_required
def return_goods(acceptance_id: int):
    """The hospital sends back accepted goods (on a settled line the overpayment is clawed back)."""
    if refused := _role(Role.HOSPITAL_BUYER, message=HOSPITALS):
        return refused
    try:
        quantity, returned_on, reason = bodies.goods_return(request.get_json(silent=True))
        ret = services.return_goods(get_session(), g.actor, acceptance_id, quantity, returned_on, reason, utcnow())
    except FieldsError as exc:
        return _invalid(exc)
    except SettlementRefused as exc:
        return _refused(exc, bodies.RETURN_FIELDS)
    except Forbidden:
        abort(404, description="no such acceptance")
    return jsonify(execution_queries.return_json(ret)), 201


@api.post("/batches/<code>/settlement-applications")
@token_required
def apply(code: str):
    """The supplier applies for settlement of its accepted lines up to a finished month."""
    if refused := _role(Role.SUPPLIER_REP, message=SUPPLIERS):
        return refused
    try:
        month = bodies.application(request.get_json(silent=True))
        count = services.apply_for_settlement(get_session(), g.actor, visible_batch(code).id, month, utcnow())
    except FieldsError as exc:
        return _invalid(exc)
    except SettlementRefused as exc:
        return _refused(exc, bodies.APPLY_FIELDS)
    return jsonify(batch=code, month=month, lines=count), 201


@api.post("/reconciliations")
@token_required
def reconcile():
    """The hospital confirms or disputes applied lines (disputed lines wait for a later run)."""
    if refused := _role(Role.HOSPITAL_BUYER, message=HOSPITALS):
        return refused
    try:
        ids, confirm, reason = bodies.reconciliation(request.get_json(silent=True))
        count = services.reconcile(get_session(), g.actor, ids, confirm, reason, utcnow())
    except FieldsError as exc:
        return _invalid(exc)
    except SettlementRefused as exc:
        return _refused(exc, bodies.RECONCILE_FIELDS)
    except Forbidden:
        abort(404, description="no such acceptance line")
    return jsonify(lines=count, status="confirmed" if confirm else "disputed")


@api.get("/statements")
@token_required
def statements():
    """The hospital's deduction statements, newest first."""
    if refused := _role(Role.HOSPITAL_BUYER, message=HOSPITALS):
        return refused
    return jsonify(run_queries.statement_rows(get_session(), g.actor))


@api.get("/payments")
@token_required
def payments():
    """The supplier's payment instructions and their status, newest first."""
    if refused := _role(Role.SUPPLIER_REP, message=SUPPLIERS):
        return refused
    return jsonify(payment_queries.payment_rows(get_session(), g.actor))


@api.get("/refunds")
@token_required
def refunds():
    """Returns after settlement asked back from suppliers: a supplier's to pay, a hospital's owed to it."""
    if refused := _role(Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, message=PARTIES):
        return refused
    return jsonify(execution_queries.refund_rows(get_session(), g.actor))
