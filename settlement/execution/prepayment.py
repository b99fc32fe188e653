"""Prepayment (预付): the advance granted when a hospital's contracts of a batch are all signed,
and the ledger balance later runs offset."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from core import audit
from core.db import advisory_xact_lock
from cycles.years import running_year
from procurement.models import Batch
from procurement.rules import parse_rules
from review.models import Contract
from settlement.execution.deliveries import SettlementRefused
from settlement.models import PrepaymentEntry
from settlement.money.payable import AgreedContract, prepayment_advances


def advance_key(batch_id: int, hospital_org_id: int) -> str:
    """The ledger key of a hospital's advance for a batch (unique: one advance only)."""
    return f"advance:{batch_id}:{hospital_org_id}"


def grant_prepayment(session: Session, actor: Actor | None, batch_code: str, hospital_code: str, now: datetime,
                     *, commit: bool = True) -> PrepaymentEntry | None:
    """Advance the batch's prepayment ratio of the hospital's annual agreed amount — of the contract
    year running at ``now`` (``cycles.years.running_year``; the contract's volume without years) —
    (idempotent).

    Called when the hospital's contracts of the batch are all signed (``actor`` None: the
    system). Returns the ledger entry (the existing one on a repeat call), or None while some
    contract is still unsigned. ``commit=False`` lets a caller keep it inside its transaction.
    """
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).first()
    hospital = session.exec(select(Organisation).where(Organisation.code == hospital_code)).first()
    if batch is None or hospital is None:
        raise SettlementRefused(f"批次或医疗机构不存在 / no such batch or hospital: {batch_code}, {hospital_code}")
    advisory_xact_lock(session, f"prepayment:{batch.id}:{hospital.id}")
    key = advance_key(batch.id, hospital.id)
    existing = session.exec(select(PrepaymentEntry).where(PrepaymentEntry.entry_key == key)).first()
    if existing is not None:
        return existing
    contracts = session.exec(select(Contract).where(Contract.batch_id == batch.id,
                                                    Contract.hospital_org_id == hospital.id)).all()
    if not contracts or any(c.status != "signed" for c in contracts):
        return None
    ratio = parse_rules(batch.rules_json).prepayment_ratio
    year = running_year(session, batch.id, now.date())  # the contract year's volume, not year 1's
    volumes = year.volumes if year else {}
    (adv,) = prepayment_advances([AgreedContract(str(c.id), hospital.code, volumes.get(c.id, c.agreed_volume), c.ucp_e4)
                                  for c in contracts], ratio)
    entry = PrepaymentEntry(entry_key=key, batch_id=batch.id, hospital_org_id=hospital.id, kind="advance",
                            amount_fen=adv.advance_fen, created_by=actor.user_id if actor else None, created_at=now,
                            detail=json.dumps({"annual_agreed_fen": adv.annual_agreed_fen, "ratio": str(ratio),
                                               "contracts": [c.code for c in contracts]}, ensure_ascii=False))
    session.add(entry)
    session.flush()
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "prepayment.grant", "batch", batch.code,
                 {"hospital": hospital.code, "advance_fen": adv.advance_fen,
                  "annual_agreed_fen": adv.annual_agreed_fen, "ratio": str(ratio)}, at=now)
    if commit:
        session.commit()
    return entry


def balances(session: Session, batch_id: int) -> dict[int, int]:
    """Outstanding advance per hospital org id for a batch (Σ of its ledger entries)."""
    rows = session.exec(select(PrepaymentEntry.hospital_org_id, func.sum(PrepaymentEntry.amount_fen))
                        .where(PrepaymentEntry.batch_id == batch_id)
                        .group_by(PrepaymentEntry.hospital_org_id)).all()
    return {h: int(total) for h, total in rows}
