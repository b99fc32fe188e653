"""Which deliveries a takeover stops (read only; settlement asks before it records or accepts).

* Under the failed winner's contract, nothing shipped within an approved takeover's period —
  from its first day to its last (the day before the restoration, when the primary was
  restored early) — is recorded or accepted: that volume moved to the taker.
* Under a takeover contract, nothing shipped outside its period (shortened to the day before
  the restoration) is accepted either.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from core.i18n import N_, Msg
from review.models import Contract
from supply.models import Takeover, TakeoverLine

#: takeover statuses whose period stops the old contract's deliveries
IN_FORCE = ("approved", "restored")


def last_day(takeover: Takeover) -> date:
    """The last day a takeover holds: its end, or the day before the primary was restored."""
    return takeover.restored_on - timedelta(days=1) if takeover.restored_on else takeover.ends_on


def suspending(session: Session, contract_id: int, day: date) -> Takeover | None:
    """The approved takeover that moved ``contract_id``'s volume away on ``day``, if any."""
    rows = session.exec(select(Takeover).join(TakeoverLine, TakeoverLine.takeover_id == Takeover.id)
                        .where(TakeoverLine.old_contract_id == contract_id, Takeover.status.in_(IN_FORCE),
                               Takeover.starts_on <= day)).all()
    return next((t for t in rows if day <= last_day(t)), None)


def delivery_refusal(session: Session, contract: Contract, shipped_on: date) -> Msg | None:
    """Why a delivery shipped on ``shipped_on`` under ``contract`` is no longer taken (None: it is)."""
    if contract.origin != "award" and not contract.period_start <= shipped_on <= contract.period_end:
        return N_("Contract %(code)s of a supply takeover covers %(start)s to %(end)s only: the primary supplier "
                  "was restored", code=contract.code, start=contract.period_start.isoformat(),
                  end=contract.period_end.isoformat())
    takeover = suspending(session, contract.id, shipped_on)
    if takeover is not None:
        return N_("Supply takeover %(ref)s moved this contract's volume from %(start)s to %(end)s to another "
                  "supplier: deliveries shipped in that period are not accepted under contract %(code)s",
                  ref=takeover.reference, start=takeover.starts_on.isoformat(), end=last_day(takeover).isoformat(),
                  code=contract.code)
    return None
