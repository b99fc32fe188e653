"""Which lines are settled, and by which run: the batch's settlement queue and its claims.

A line gets its place in the queue (``Acceptance.claim_seq``) when the hospital confirms it;
a run claims the range of places since the batch's previous claim (:class:`SettlementClaim`).
A line is settled when it is confirmed and its place lies in a claim of its batch — and then it
is frozen. Everything here is SQL, so lists and counts never load a line per row.

Places are given above every place given and every range claimed before in the batch, under
the batch's settlement lock (shared); a run holds that lock exclusively, so a place given after
a run is always above the run's range, and a place inside a range was visible to the run.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session

from settlement.models import Acceptance, DeliveryReturn, SettlementClaim


def queue_ends(session: Session, batch_id: int) -> tuple[int | None, int]:
    """The batch's queue: the top of its last claim (None before the first) and the highest place
    given or claimed (0 when none)."""
    claimed = session.execute(select(func.max(SettlementClaim.hi)).where(SettlementClaim.batch_id == batch_id)).scalar()
    line = session.execute(select(func.max(Acceptance.claim_seq)).where(Acceptance.batch_id == batch_id)).scalar()
    return claimed, max(line or 0, claimed or 0)


def next_place(session: Session, batch_id: int) -> int:
    """The place a line confirmed now takes in the batch's queue: above every place given and
    every range claimed (a range's top line may have been moved on, then disputed)."""
    return queue_ends(session, batch_id)[1] + 1


def covers(a) -> ColumnElement[bool]:
    """The claim row settled line ``a``: the line is confirmed and the claim's range holds its
    place (a correlated condition on ``SettlementClaim``)."""
    return and_(a.reconcile_status == "confirmed", SettlementClaim.batch_id == a.batch_id,
                SettlementClaim.hi >= a.claim_seq, func.coalesce(SettlementClaim.lo, 0) < a.claim_seq)


def settled(a=Acceptance) -> ColumnElement[bool]:
    """SQL: line ``a`` is settled (confirmed, and its place is claimed)."""
    return select(SettlementClaim.id).where(covers(a)).exists()


def settling_run(a=Acceptance):
    """SQL: the id of the run that settled line ``a`` (NULL when open)."""
    return select(SettlementClaim.run_id).where(covers(a)).limit(1).scalar_subquery()


def clawed_back(a=Acceptance):
    """SQL: Σ fen clawed back from line ``a`` by returns after its settlement."""
    return (select(func.coalesce(func.sum(DeliveryReturn.clawback_fen), 0))
            .where(DeliveryReturn.acceptance_id == a.id).scalar_subquery())


def is_settled(session: Session, acceptance_id: int) -> bool:
    """Whether one line is settled."""
    return session.exec(select(Acceptance.id).where(Acceptance.id == acceptance_id, settled())).first() is not None
