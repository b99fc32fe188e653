"""The batch lifecycle: states, one transition table per procedure, and the guards on each transition.

A batch's ``procedure`` is a setting, not a branch in code: it picks its table here.

``tender`` — the bureau tenders the batch itself::

    draft ─open_demand→ demand ─close_demand→ bidding ─open_bids→ opened ─start_evaluation→ evaluation
    evaluation ─submit_for_review→ review ─approve→ publicity ─publish→ published
    review ─send_back→ evaluation          published ─start_execution→ execution ─close→ closed
    draft | demand | bidding ─cancel→ cancelled

``result`` — the bureau puts a published result (national, alliance, provincial) into effect
(落地): no bidding and no evaluation; the steps and timeline fields of bidding are absent::

    draft ─open_demand→ demand ─start_publicity→ publicity (of the local allocation) ─publish→ published
    published ─start_execution→ execution ─close→ closed          draft | demand ─cancel→ cancelled

Later capabilities register extra guards (e.g. "an evaluation result exists") with
:func:`register_guard`; a guard returns ``None`` to allow or a refusal message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, func, select

from core.clock import local_stamp
from procurement.models import Batch, BatchItem, BatchRegion
from procurement.rules import parse_rules
from procurement.timeline import Timeline, missing_fields, timeline_problems


class BatchStatus(StrEnum):
    """Where a batch is in its life."""

    DRAFT = "draft"
    DEMAND = "demand"
    BIDDING = "bidding"
    OPENED = "opened"
    EVALUATION = "evaluation"
    REVIEW = "review"
    PUBLICITY = "publicity"
    PUBLISHED = "published"
    EXECUTION = "execution"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Procedure(StrEnum):
    """How a batch's result comes about."""

    TENDER = "tender"  # the bureau tenders it: demand, sealed bids, evaluation, review
    RESULT = "result"  # the bureau puts a published result into effect (落地)
    DIRECT = "direct"  # a province's container of direct settlement of listed products (directpay/)


S = BatchStatus
Table = dict[str, tuple[frozenset[BatchStatus], BatchStatus]]

#: action → (allowed source states, target state) of a tendered batch.
TRANSITIONS: Table = {
    "open_demand": (frozenset({S.DRAFT}), S.DEMAND),
    "close_demand": (frozenset({S.DEMAND}), S.BIDDING),
    "open_bids": (frozenset({S.BIDDING}), S.OPENED),
    "start_evaluation": (frozenset({S.OPENED}), S.EVALUATION),
    "submit_for_review": (frozenset({S.EVALUATION}), S.REVIEW),
    "send_back": (frozenset({S.REVIEW}), S.EVALUATION),
    "approve": (frozenset({S.REVIEW}), S.PUBLICITY),
    "publish": (frozenset({S.PUBLICITY}), S.PUBLISHED),
    "start_execution": (frozenset({S.PUBLISHED}), S.EXECUTION),
    "close": (frozenset({S.EXECUTION}), S.CLOSED),
    "cancel": (frozenset({S.DRAFT, S.DEMAND, S.BIDDING}), S.CANCELLED),
}

#: … of a batch putting a published result into effect.
RESULT_TRANSITIONS: Table = {
    "open_demand": (frozenset({S.DRAFT}), S.DEMAND),
    "start_publicity": (frozenset({S.DEMAND}), S.PUBLICITY),
    "publish": (frozenset({S.PUBLICITY}), S.PUBLISHED),
    "start_execution": (frozenset({S.PUBLISHED}), S.EXECUTION),
    "close": (frozenset({S.EXECUTION}), S.CLOSED),
    "cancel": (frozenset({S.DRAFT, S.DEMAND}), S.CANCELLED),
}

#: … of a province's container of direct settlement of listed products (``directpay.container``):
#: made in execution and kept there — no demand, bidding, contracts or close; it only holds the
#: monthly runs over the order lines in scope.
DIRECT_TRANSITIONS: Table = {}

#: procedure → its transition table. Read these tables to know the lifecycle.
LIFECYCLES: dict[Procedure, Table] = {Procedure.TENDER: TRANSITIONS, Procedure.RESULT: RESULT_TRANSITIONS,
                                      Procedure.DIRECT: DIRECT_TRANSITIONS}

#: procedure → the timeline fields it has (bidding windows are absent from an executed result).
TIMELINE_FIELDS: dict[Procedure, tuple[str, ...]] = {
    Procedure.TENDER: ("demand_deadline", "bid_deadline", "opening_at", "cycle_start", "cycle_end"),
    Procedure.RESULT: ("demand_deadline", "cycle_start", "cycle_end"),
    Procedure.DIRECT: (),
}

#: procedure → the action the scheduler takes when demand collection reaches its deadline.
DEMAND_CLOSING: dict[Procedure, str] = {Procedure.TENDER: "close_demand", Procedure.RESULT: "start_publicity"}


def table_of(batch: Batch) -> Table:
    """The transition table of the batch's procedure."""
    return LIFECYCLES[Procedure(batch.procedure or Procedure.TENDER)]


def timeline_fields(batch: Batch) -> tuple[str, ...]:
    """The timeline fields of the batch's procedure."""
    return TIMELINE_FIELDS[Procedure(batch.procedure or Procedure.TENDER)]

#: Actions that need a written reason.
REASON_REQUIRED = frozenset({"send_back", "cancel"})

#: Actions that cannot be undone: the page asks for an explicit confirmation first.
IRREVERSIBLE = frozenset({"cancel", "close"})

#: Actions that only their own service may take (it does the work the state change stands
#: for, e.g. ``bidding.services.open_bids`` decrypts and records the bids).
INTERNAL_ACTIONS = frozenset({"open_bids", "start_evaluation", "submit_for_review", "send_back", "approve", "publish",
                              "start_publicity"})


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the batch, the session, the time and who acts."""

    session: Session
    batch: Batch
    now: datetime
    actor_user_id: int | None
    reason: str


Guard = Callable[[GuardContext], str | None]
_GUARDS: dict[str, list[Guard]] = {}


def register_guard(action: str, guard: Guard) -> None:
    """Add a guard to an action (idempotent for the same function)."""
    if not any(action in table for table in LIFECYCLES.values()):
        raise KeyError(action)
    guards = _GUARDS.setdefault(action, [])
    if guard not in guards:
        guards.append(guard)


def guards_for(action: str) -> list[Guard]:
    """The guards registered for an action."""
    return list(_GUARDS.get(action, []))


def _count(session: Session, model, batch_id: int) -> int:
    """Count active rows of a batch-owned model."""
    stmt = select(func.count()).select_from(model).where(model.batch_id == batch_id)
    if hasattr(model, "active"):
        stmt = stmt.where(model.active == True)  # noqa: E712 - SQL expression
    return session.exec(stmt).one()


def _ready_to_open_demand(ctx: GuardContext) -> str | None:
    """A batch goes to demand collection only complete: items, regions, a full timeline that
    keeps the timeline rule (``procurement.timeline``) at this moment."""
    b = ctx.batch
    if _count(ctx.session, BatchItem, b.id) == 0:
        return "批次没有品种 / the batch has no items"
    if _count(ctx.session, BatchRegion, b.id) == 0:
        return "批次没有供应地区 / the batch has no supply regions"
    missing = [name for name in missing_fields(Timeline.of(b)) if name in timeline_fields(b)]
    if missing:
        return f"时间安排不完整 / timeline incomplete: {', '.join(missing)}"
    problems = timeline_problems(Timeline.of(b), ctx.now)
    if problems:
        return ("时间安排有误，请修改标出的时间 / the timeline needs correcting: "
                + "; ".join(f"{field}: {text}" for field, text in problems.items()))
    return None


def _demand_closed(ctx: GuardContext) -> str | None:
    """Demand closes at its deadline, or early if the batch's rules allow it."""
    if ctx.batch.demand_deadline and ctx.now >= ctx.batch.demand_deadline:
        return None
    if parse_rules(ctx.batch.rules_json).allow_early_demand_close:
        return None
    if ctx.batch.demand_deadline is None:
        return "报量截止时间未到 / the demand deadline has not passed"
    at = local_stamp(ctx.batch.demand_deadline)
    return f"报量截止时间未到：{at} 后可结束报量 / the demand deadline has not passed: demand can be closed after {at}"


def _opening_time_reached(ctx: GuardContext) -> str | None:
    """Bids open only at or after the opening time — nobody can open them early."""
    if ctx.batch.opening_at and ctx.now >= ctx.batch.opening_at:
        return None
    if ctx.batch.opening_at is None:
        return "开标时间未到 / the opening time has not been reached"
    at = local_stamp(ctx.batch.opening_at)
    return f"开标时间未到：{at} 自动开标 / the opening time has not been reached: bids open at {at}"


def _cycle_ended(ctx: GuardContext) -> str | None:
    """A batch closes only after its cycle has ended."""
    if ctx.batch.cycle_end and ctx.now.date() > ctx.batch.cycle_end:
        return None
    if ctx.batch.cycle_end is None:
        return "采购周期未结束 / the procurement cycle has not ended"
    end = ctx.batch.cycle_end.isoformat()
    return f"采购周期未结束：{end} 之后可结束批次 / the procurement cycle has not ended: the batch can be closed after {end}"


register_guard("open_demand", _ready_to_open_demand)
register_guard("close_demand", _demand_closed)
register_guard("start_publicity", _demand_closed)
register_guard("open_bids", _opening_time_reached)
register_guard("close", _cycle_ended)


def check_transition(ctx: GuardContext, action: str, internal: bool = False) -> tuple[BatchStatus, str | None]:
    """The target state of ``action`` from the batch's state, and the refusal if any."""
    table = table_of(ctx.batch)
    if action not in table:
        return BatchStatus(ctx.batch.status), f"未知操作 / unknown action: {action}"
    sources, target = table[action]
    if BatchStatus(ctx.batch.status) not in sources:
        return target, (
            f"当前状态“{ctx.batch.status}”不允许此操作 / "
            f"action {action} is not allowed from state {ctx.batch.status}"
        )
    if action in INTERNAL_ACTIONS and not internal:
        return target, f"此操作须通过专门功能完成 / {action} has its own procedure"
    if action in REASON_REQUIRED and not ctx.reason.strip():
        return target, "请填写理由 / a reason is required"
    for guard in guards_for(action):
        refusal = guard(ctx)
        if refusal:
            return target, refusal
    return target, None


def available_actions(ctx: GuardContext) -> list[str]:
    """Actions whose source state matches the batch (guards are checked when acting)."""
    status = BatchStatus(ctx.batch.status)
    return [a for a, (sources, _t) in table_of(ctx.batch).items()
            if status in sources and a not in INTERNAL_ACTIONS]


@dataclass(frozen=True)
class ActionState:
    """One action an officer could take from the batch's state: whether the rules allow it now
    and, if not, why (the guard's own refusal); whether it needs a reason or a confirmation."""

    action: str
    allowed: bool
    why: str
    needs_reason: bool
    irreversible: bool


def action_states(ctx: GuardContext) -> list[ActionState]:
    """Every non-internal action from the batch's state, judged by the same table and guards
    that :func:`check_transition` applies when acting (a required reason counts as given)."""
    states = []
    for action in available_actions(ctx):
        probe = GuardContext(session=ctx.session, batch=ctx.batch, now=ctx.now,
                             actor_user_id=ctx.actor_user_id, reason=ctx.reason or "—")
        _target, refusal = check_transition(probe, action)
        states.append(ActionState(action, refusal is None, refusal or "", action in REASON_REQUIRED,
                                  action in IRREVERSIBLE))
    return states


def step_state(ctx: GuardContext, action: str) -> ActionState:
    """One step that its own service takes (e.g. ``start_publicity``), judged by the same table
    and guards, for the page whose button calls that service."""
    _target, refusal = check_transition(ctx, action, internal=True)
    return ActionState(action, refusal is None, refusal or "", action in REASON_REQUIRED, action in IRREVERSIBLE)
