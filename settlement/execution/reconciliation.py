"""Reconciliation (对账): the hospital decides each applied line on its own — confirm it, or
dispute it with a reason of its own. Disputed lines wait for a later run.

Only the lines named change. A decision is explicit per line, so a disputed line can be
confirmed only by naming it with "confirm" (never by "the rest"). :func:`plan_reconciliation`
checks the decisions and sums them without writing (the page shows it before recording);
:func:`reconcile_lines` records them in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.money import line_amount_fen
from core.outcome import Outcome
from review.models import Contract
from settlement.execution.deliveries import SettlementRefused, _guard_lines, _own, _require
from settlement.models import Acceptance
from settlement.runs.claims import is_settled, next_place

MAX_REASON = 200


@dataclass(frozen=True)
class LineDecision:
    """The hospital's decision on one applied line: confirm, or dispute with ``reason``."""

    acceptance_id: int
    confirm: bool
    reason: str = ""


@dataclass(frozen=True)
class PlannedLine:
    """A line as the decision will record it: its contract, payable quantity, amount, reason."""

    acceptance_id: int
    contract_code: str
    quantity: int
    amount_fen: int
    reason: str = ""


@dataclass(frozen=True)
class ReconcilePlan:
    """What a set of decisions does: the lines confirmed and the lines disputed, with totals."""

    confirmed: tuple[PlannedLine, ...]
    disputed: tuple[PlannedLine, ...]

    @property
    def confirmed_fen(self) -> int:
        """Σ amount of the lines confirmed (fen)."""
        return sum(x.amount_fen for x in self.confirmed)

    @property
    def disputed_fen(self) -> int:
        """Σ amount of the lines disputed (fen)."""
        return sum(x.amount_fen for x in self.disputed)


def _checked(decisions: Sequence[LineDecision]) -> list[LineDecision]:
    """The decisions with reasons trimmed, refused when empty, repeated or a dispute lacks a reason."""
    if not decisions:
        raise SettlementRefused("请至少对一条明细作出决定 / decide at least one line")
    seen: set[int] = set()
    out = []
    for d in decisions:
        if d.acceptance_id in seen:
            raise SettlementRefused(f"明细 {d.acceptance_id} 出现两次 / line {d.acceptance_id} is decided twice")
        seen.add(d.acceptance_id)
        reason = "" if d.confirm else (d.reason or "").strip()[:MAX_REASON]
        if not d.confirm and not reason:
            raise SettlementRefused(f"明细 {d.acceptance_id} 有异议须填写原因 / line {d.acceptance_id}: a dispute "
                                    "needs a reason")
        out.append(LineDecision(d.acceptance_id, d.confirm, reason))
    return out


def _plan(session: Session, actor: Actor, decisions: list[LineDecision]) -> ReconcilePlan:
    """Check every line (in scope, applied for, not settled) and sum the decisions."""
    ids = [d.acceptance_id for d in decisions]
    rows = {a.id: (a, c) for a, c in session.exec(
        scope(select(Acceptance, Contract).join(Contract, Contract.id == Acceptance.contract_id)
              .where(Acceptance.id.in_(ids)), actor, Acceptance)).all()}
    confirmed, disputed = [], []
    for d in sorted(decisions, key=lambda x: x.acceptance_id):
        if d.acceptance_id not in rows:
            raise Forbidden("no such line")
        acc, contract = rows[d.acceptance_id]
        if acc.applied_month is None:
            raise SettlementRefused(f"明细 {acc.id} 尚未申请结算 / line {acc.id} has not been applied for")
        if is_settled(session, acc.id):
            raise SettlementRefused(f"明细 {acc.id} 已结算 / line {acc.id} is already settled")
        net = acc.quantity - acc.returned
        line = PlannedLine(acc.id, contract.code, net, line_amount_fen(net, contract.ucp_e4), d.reason)
        (confirmed if d.confirm else disputed).append(line)
    return ReconcilePlan(tuple(confirmed), tuple(disputed))


def plan_reconciliation(session: Session, actor: Actor, decisions: Sequence[LineDecision]) -> ReconcilePlan:
    """What the decisions would do, checked as :func:`reconcile_lines` checks them; writes nothing."""
    _require(actor, Role.HOSPITAL_BUYER)
    return _plan(session, actor, _checked(decisions))


def reconcile_lines(session: Session, actor: Actor, decisions: Sequence[LineDecision],
                    now: datetime) -> Outcome[ReconcilePlan]:
    """Record the hospital's decisions, each on its own line, in one transaction (see
    :func:`_record`); a call that changes no line is a repeat: nothing written, no audit row."""
    plan, changed = _record(session, actor, decisions, now)
    return Outcome(plan, repeated=changed == 0)


def _record(session: Session, actor: Actor, decisions: Sequence[LineDecision],
            now: datetime) -> tuple[ReconcilePlan, int]:
    """:func:`reconcile_lines`' work; the plan and how many lines changed.

    A line already in the state asked for (confirmed; disputed for the same reason) is left as
    it is — a confirmed line keeps its place in the settlement queue; a confirmed line takes one
    place per batch for this call; a disputed one leaves the queue. A call that changes no line
    is a repeat: nothing written, no audit row."""
    _require(actor, Role.HOSPITAL_BUYER)
    checked = _checked(decisions)
    _guard_lines(session, [d.acceptance_id for d in checked])
    plan = _plan(session, actor, checked)
    places: dict[int, int] = {}
    changed: dict[bool, list[int]] = {True: [], False: []}
    reasons: dict[str, str] = {}
    for d in sorted(checked, key=lambda x: x.acceptance_id):
        acc = _own(session, actor, Acceptance, d.acceptance_id)
        wanted = ("confirmed", "") if d.confirm else ("disputed", d.reason)
        if (acc.reconcile_status, acc.dispute_reason) == wanted:
            continue
        changed[d.confirm].append(acc.id)
        if d.confirm and acc.batch_id not in places:
            places[acc.batch_id] = next_place(session, acc.batch_id)
        acc.reconcile_status, acc.dispute_reason = wanted
        acc.claim_seq = places[acc.batch_id] if d.confirm else None  # a disputed line leaves the queue
        acc.reconciled_by, acc.reconciled_at = actor.user_id, now
        if not d.confirm:
            reasons[str(acc.id)] = d.reason
        session.add(acc)
    if changed[True]:
        audit.record(session, actor.audit(), "settlement.confirm", "hospital", str(actor.org_id),
                     {"lines": changed[True], "reason": ""}, at=now)
    if changed[False]:
        audit.record(session, actor.audit(), "settlement.dispute", "hospital", str(actor.org_id),
                     {"lines": changed[False], "reasons": reasons}, at=now)
    session.commit()
    return plan, len(changed[True]) + len(changed[False])


def reconcile(session: Session, actor: Actor, acceptance_ids: Sequence[int], confirm: bool, reason: str,
              now: datetime) -> int:
    """The same decision on each of the lines named (the API's form); how many lines changed."""
    return _record(session, actor, [LineDecision(pk, confirm, reason) for pk in sorted(set(acceptance_ids))],
                   now)[1]
