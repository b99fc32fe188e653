"""Use cases before a run: record deliveries, accept them (partly), returns, apply (reconciliation:
:mod:`settlement.execution.reconciliation`).

Each function is one transaction (it commits) and appends to the audit log. Refusals raise
:class:`SettlementRefused` with a Chinese / English message; objects outside the actor's scope
raise :class:`~accounts.actor.Forbidden` (pages answer 404).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from core.money import line_amount_fen
from review.models import Contract
from settlement.models import Acceptance, Delivery, DeliveryReturn
from settlement.monitoring import rollup
from settlement.runs import differences
from settlement.runs.claims import is_settled
from settlement.scoping import contract_condition
from supply.suspension import delivery_refusal

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_QUANTITY = 10**9


class SettlementRefused(ValueError):
    """A settlement step refused, with the reason (Chinese / English)."""


@dataclass(frozen=True)
class DeliveryInput:
    """One delivery line to record (from the form, a workbook row or an ERP)."""

    contract_code: str
    quantity: int
    shipped_on: date
    supplier_ref: str = ""


def parse_month(month: str) -> tuple[date, date]:
    """First day of ``YYYY-MM`` and first day of the next month."""
    m = MONTH_RE.match(month or "")
    if not m:
        raise SettlementRefused(f"月份格式应为 YYYY-MM / month must look like 2026-10: {month!r}")
    year, mon = int(m.group(1)), int(m.group(2))
    start = date(year, mon, 1)
    end = date(year + mon // 12, mon % 12 + 1, 1)
    return start, end


def _require(actor: Actor, role: Role) -> None:
    """Refuse any other role."""
    if actor.role != role:
        raise Forbidden(f"{role} only")


def signed_contracts(session: Session, actor: Actor, codes: Sequence[str]) -> dict[str, Contract]:
    """The actor's signed contracts among ``codes``, by code."""
    stmt = select(Contract).where(Contract.code.in_(list(codes)), Contract.status == "signed",
                                  contract_condition(actor))
    return {c.code: c for c in session.exec(stmt).all()}


def _check_line(line: DeliveryInput, contract: Contract | None, today: date) -> str | None:
    """Why a delivery line cannot be recorded, or None."""
    if contract is None:
        return f"合同不存在或未签订 / no signed contract {line.contract_code} of yours"
    if not isinstance(line.quantity, int) or not 0 < line.quantity <= MAX_QUANTITY:
        return "发货数量须为正整数 / quantity must be a positive whole number"
    if line.shipped_on > today:
        return "发货日期不能晚于今天 / the shipping date cannot be in the future"
    if not contract.period_start <= line.shipped_on <= contract.period_end:
        return "发货日期不在合同期内 / the shipping date is outside the contract period"
    if len(line.supplier_ref) > 60:
        return "企业单号最长60个字符 / the supplier reference is at most 60 characters"
    return None


def check_deliveries(session: Session, actor: Actor, lines: Sequence[DeliveryInput],
                     today: date) -> tuple[dict[str, Contract], list[tuple[int, str]]]:
    """The contracts the lines name and every line's refusal as (position, reason)."""
    _require(actor, Role.SUPPLIER_REP)
    contracts = signed_contracts(session, actor, sorted({x.contract_code for x in lines}))
    problems = [(n, why) for n, x in enumerate(lines)
                if (why := _check_line(x, contracts.get(x.contract_code), today)
                    or delivery_refusal(session, contracts[x.contract_code], x.shipped_on))]  # a supply takeover
    return contracts, problems


def record_deliveries(session: Session, actor: Actor, lines: Sequence[DeliveryInput], now: datetime,
                      source: str = "workbook") -> int:
    """Record many deliveries in one transaction, all or nothing (bulk insert); the count."""
    if not lines:
        raise SettlementRefused("没有发货明细 / no delivery lines")
    contracts, problems = check_deliveries(session, actor, lines, now.date())
    if problems:
        n, why = problems[0]
        raise SettlementRefused(f"第{n + 1}行 / line {n + 1}: {why}")
    rows = [{"contract_id": contracts[x.contract_code].id, "batch_id": contracts[x.contract_code].batch_id,
             "hospital_org_id": contracts[x.contract_code].hospital_org_id, "supplier_org_id": actor.org_id,
             "quantity": x.quantity, "shipped_on": x.shipped_on, "source": source,
             "supplier_ref": x.supplier_ref, "recorded_by": actor.user_id, "recorded_at": now} for x in lines]
    session.execute(insert(Delivery), rows)
    audit.record(session, actor.audit(), "delivery.record", "supplier", str(actor.org_id),
                 {"lines": len(rows), "source": source, "quantity": sum(x.quantity for x in lines)}, at=now)
    session.commit()
    return len(rows)


def record_delivery(session: Session, actor: Actor, line: DeliveryInput, now: datetime,
                    source: str = "form") -> Delivery:
    """A supplier records one shipment against its own signed contract."""
    _contracts, problems = check_deliveries(session, actor, [line], now.date())
    if problems:
        raise SettlementRefused(problems[0][1])
    contract = signed_contracts(session, actor, [line.contract_code])[line.contract_code]
    delivery = Delivery(contract_id=contract.id, batch_id=contract.batch_id,
                        hospital_org_id=contract.hospital_org_id, supplier_org_id=actor.org_id,
                        quantity=line.quantity, shipped_on=line.shipped_on, source=source,
                        supplier_ref=line.supplier_ref.strip(), recorded_by=actor.user_id, recorded_at=now)
    session.add(delivery)
    session.flush()
    audit.record(session, actor.audit(), "delivery.record", "delivery", str(delivery.id),
                 {"contract": contract.code, "quantity": line.quantity, "source": source}, at=now)
    session.commit()
    return delivery


def _own(session: Session, actor: Actor, model, pk: int):
    """A row in the actor's scope, locked; Forbidden when unknown or foreign."""
    row = session.exec(scope(select(model).where(model.id == pk), actor, model)).first()
    if row is None:
        raise Forbidden("no such record")
    return lock_for_update(session, model, pk)


def accepted_of(session: Session, delivery_id: int) -> int:
    """Units of a delivery accepted so far."""
    return session.exec(select(func.coalesce(func.sum(Acceptance.quantity), 0))
                        .where(Acceptance.delivery_id == delivery_id)).one()


def accept_delivery(session: Session, actor: Actor, delivery_id: int, quantity: int, accepted_on: date,
                    now: datetime) -> Acceptance:
    """The hospital accepts (验收) all or part of a delivery to it; each acceptance is one line."""
    _require(actor, Role.HOSPITAL_BUYER)
    delivery = _own(session, actor, Delivery, delivery_id)
    if why := delivery_refusal(session, session.get(Contract, delivery.contract_id), delivery.shipped_on):
        raise SettlementRefused(why)  # the volume moved to another supplier (supply takeover)
    left = delivery.quantity - accepted_of(session, delivery.id)
    if not isinstance(quantity, int) or quantity <= 0:
        raise SettlementRefused("验收数量须为正整数 / the accepted quantity must be a positive whole number")
    if quantity > left:
        raise SettlementRefused(f"验收数量超过未验收数量 {left} / more than the {left} units not yet accepted")
    if not delivery.shipped_on <= accepted_on <= now.date():
        raise SettlementRefused("验收日期须在发货日期与今天之间 / the acceptance date must lie between "
                                "the shipping date and today")
    acc = Acceptance(delivery_id=delivery.id, contract_id=delivery.contract_id, batch_id=delivery.batch_id,
                     hospital_org_id=delivery.hospital_org_id, supplier_org_id=delivery.supplier_org_id,
                     quantity=quantity, accepted_on=accepted_on, accepted_by=actor.user_id, accepted_at=now)
    session.add(acc)
    session.flush()
    rollup.add_line(session, acc.id)
    audit.record(session, actor.audit(), "delivery.accept", "delivery", str(delivery.id),
                 {"acceptance": acc.id, "quantity": quantity, "accepted_on": accepted_on.isoformat()}, at=now)
    session.commit()
    return acc


def settlement_guard(session: Session, batch_id: int) -> None:
    """Hold the batch's settlement lock in shared mode while changing what a run reads
    (application, reconciliation, returns): a run, which takes it exclusively, then sees
    the lines either before or after the change, never in between."""
    advisory_xact_lock(session, f"settlement:{batch_id}", shared=True)


def _guard_lines(session: Session, acceptance_ids: Sequence[int]) -> None:
    """:func:`settlement_guard` for the batches of these lines — taken before any row lock, so
    that a run (exclusive guard, then key locks on the lines it settles) cannot deadlock with it."""
    batches = session.exec(select(Acceptance.batch_id).where(Acceptance.id.in_(list(acceptance_ids)))
                           .distinct()).all()
    for batch_id in sorted(batches):
        settlement_guard(session, batch_id)


def return_goods(session: Session, actor: Actor, acceptance_id: int, quantity: int, returned_on: date,
                 reason: str, now: datetime) -> DeliveryReturn:
    """The hospital sends back accepted goods: the line's payable quantity falls. On a line already
    settled the overpayment — the line's amount before − after — is clawed back in a later run."""
    _require(actor, Role.HOSPITAL_BUYER)
    _guard_lines(session, [acceptance_id])
    acc = _own(session, actor, Acceptance, acceptance_id)
    if not isinstance(quantity, int) or not 0 < quantity <= acc.quantity - acc.returned:
        raise SettlementRefused(f"退货数量须在 1 到 {acc.quantity - acc.returned} 之间 / the returned quantity "
                                f"must be 1 to {acc.quantity - acc.returned}")
    if not reason.strip():
        raise SettlementRefused("请填写退货原因 / a reason is required")
    if not acc.accepted_on <= returned_on <= now.date():
        raise SettlementRefused("退货日期须在验收日期与今天之间 / the return date must lie between the "
                                "acceptance date and today")
    clawback = 0
    settled = is_settled(session, acc.id)
    if settled:
        price = session.get(Contract, acc.contract_id).ucp_e4
        net = acc.quantity - acc.returned
        clawback = line_amount_fen(net, price) - line_amount_fen(net - quantity, price)
    ret = DeliveryReturn(acceptance_id=acc.id, quantity=quantity, returned_on=returned_on, reason=reason.strip()[:200],
                         recorded_by=actor.user_id, recorded_at=now, clawback_fen=clawback)
    rollup.return_line(session, acc.id, -1)  # the line's rollup before the return …
    acc.returned += quantity
    session.add_all([ret, acc])
    rollup.return_line(session, acc.id, 1)  # … and after it
    credit = None
    if settled:
        session.flush()
        credit = differences.credit_return(session, acc, ret, now)  # the failed winner's charge for these units
    audit.record(session, actor.audit(), "delivery.return", "acceptance", str(acc.id),
                 {"quantity": quantity, "reason": reason.strip()[:200], "clawback_fen": clawback,
                  **({"difference_credit_fen": credit.amount_fen} if credit else {})}, at=now)
    session.commit()
    return ret


def apply_for_settlement(session: Session, actor: Actor, batch_id: int, month: str, now: datetime) -> int:
    """The supplier applies for its accepted, unapplied lines of ``month`` (and before); the count."""
    _require(actor, Role.SUPPLIER_REP)
    _start, end = parse_month(month)
    if now.date() < end:
        raise SettlementRefused("只能申请已结束月份的结算 / only a finished month can be applied for")
    ids = session.exec(select(Acceptance.id).where(
        Acceptance.batch_id == batch_id, Acceptance.supplier_org_id == actor.org_id,
        Acceptance.applied_month.is_(None), Acceptance.accepted_on < end,
        Acceptance.quantity > Acceptance.returned)).all()
    if not ids:
        raise SettlementRefused("没有可申请结算的验收明细 / no accepted lines to apply for")
    settlement_guard(session, batch_id)
    for pk in ids:
        acc = lock_for_update(session, Acceptance, pk)
        acc.applied_month, acc.applied_by, acc.applied_at = month, actor.user_id, now
        session.add(acc)
    audit.record(session, actor.audit(), "settlement.apply", "batch", str(batch_id),
                 {"month": month, "lines": len(ids)}, at=now)
    session.commit()
    return len(ids)
