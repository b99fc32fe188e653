"""Who sees which supply rows (registered with :func:`accounts.scoping.register_scope`).

* Supply problems and their escalations: the reporting hospital, the supplier concerned, and the
  bureau roles of the batch's region.
* Takeovers and their lines: the failed winner and the taker, the hospitals a line concerns,
  and the bureau roles of the batch's region.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import select

import review.queries  # noqa: F401 - registers the contracts' scope rule, which supply reads through
from accounts.actor import Actor
from accounts.roles import Role
from accounts.scoping import register_scope, within_region
from procurement.models import Batch
from supply.models import Escalation, SupplyProblem, Takeover, TakeoverLine


def _region_batches(actor: Actor):
    """Ids of the batches run inside the actor's region."""
    return select(Batch.id).where(within_region(Batch.region_code, actor.region_code))


def _problem_rule(actor: Actor) -> ColumnElement[bool]:
    """Problems: own hospital's or own supplier's; bureau roles their region's."""
    if actor.is_bureau:
        return SupplyProblem.batch_id.in_(_region_batches(actor))
    if actor.role == Role.HOSPITAL_BUYER:
        return SupplyProblem.hospital_org_id == actor.org_id
    if actor.role == Role.SUPPLIER_REP:
        return SupplyProblem.supplier_org_id == actor.org_id
    return false()


def _escalation_rule(actor: Actor) -> ColumnElement[bool]:
    """Escalations: as their problems."""
    return Escalation.problem_id.in_(select(SupplyProblem.id).where(_problem_rule(actor)))


def _takeover_rule(actor: Actor) -> ColumnElement[bool]:
    """Takeovers: the two suppliers, the hospitals of its lines, the bureau of the batch's region."""
    if actor.is_bureau:
        return Takeover.batch_id.in_(_region_batches(actor))
    if actor.role == Role.SUPPLIER_REP:
        return or_(Takeover.failed_org_id == actor.org_id, Takeover.taker_org_id == actor.org_id)
    if actor.role == Role.HOSPITAL_BUYER:
        return Takeover.id.in_(select(TakeoverLine.takeover_id).where(TakeoverLine.hospital_org_id == actor.org_id))
    return false()


def _line_rule(actor: Actor) -> ColumnElement[bool]:
    """Takeover lines: a hospital its own; the others as the takeover."""
    if actor.role == Role.HOSPITAL_BUYER:
        return TakeoverLine.hospital_org_id == actor.org_id
    return TakeoverLine.takeover_id.in_(select(Takeover.id).where(_takeover_rule(actor)))


register_scope(SupplyProblem, _problem_rule)
register_scope(Escalation, _escalation_rule)
register_scope(Takeover, _takeover_rule)
register_scope(TakeoverLine, _line_rule)
