"""The batch lifecycle: states, the transition table, and the guards on each transition.

```
draft ─open_demand→ demand ─close_demand→ bidding ─open_bids→ opened ─start_evaluation→ evaluation
evaluation ─submit_for_review→ review ─approve→ publicity ─publish→ published
review ─send_back→ evaluation          published ─start_execution→ execution ─close→ closed
draft | demand | bidding ─cancel→ cancelled
```
Later capabilities register extra guards (e.g. "an evaluation result exists") with
:func:`register_guard`; a guard returns ``None`` to allow or a refusal message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, func, select

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


S = BatchStatus

#: action → (allowed source states, target state). Read this table to know the lifecycle.
TRANSITIONS: dict[str, tuple[frozenset[BatchStatus], BatchStatus]] = {
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

#: Actions that need a written reason.
REASON_REQUIRED = frozenset({"send_back", "cancel"})

#: Actions that only their own service may take (it does the work the state change stands
#: for, e.g. ``bidding.services.open_bids`` decrypts and records the bids).
INTERNAL_ACTIONS = frozenset({"open_bids", "start_evaluation", "submit_for_review", "send_back", "approve", "publish"})


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
    if action not in TRANSITIONS:
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
    missing = missing_fields(Timeline.of(b))
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
    return "报量截止时间未到 / the demand deadline has not passed"


def _opening_time_reached(ctx: GuardContext) -> str | None:
    """Bids open only at or after the opening time — nobody can open them early."""
    if ctx.batch.opening_at and ctx.now >= ctx.batch.opening_at:
        return None
    return "开标时间未到 / the opening time has not been reached"


def _cycle_ended(ctx: GuardContext) -> str | None:
    """A batch closes only after its cycle has ended."""
    if ctx.batch.cycle_end and ctx.now.date() > ctx.batch.cycle_end:
        return None
    return "采购周期未结束 / the procurement cycle has not ended"


register_guard("open_demand", _ready_to_open_demand)
register_guard("close_demand", _demand_closed)
register_guard("open_bids", _opening_time_reached)
register_guard("close", _cycle_ended)


def check_transition(ctx: GuardContext, action: str, internal: bool = False) -> tuple[BatchStatus, str | None]:
    """The target state of ``action`` from the batch's state, and the refusal if any."""
    if action not in TRANSITIONS:
        return BatchStatus(ctx.batch.status), f"未知操作 / unknown action: {action}"
    sources, target = TRANSITIONS[action]
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
    return [a for a, (sources, _t) in TRANSITIONS.items()
            if status in sources and a not in INTERNAL_ACTIONS]
