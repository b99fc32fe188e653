"""Takeovers (备供接替): an officer declares a winner's supply failure and proposes to move its
remaining volume to the taker the rules allow; a second officer approves (four-eyes, the
batch's ``four_eyes`` setting) — the old contracts lose the moved volume, the taker gets new
contracts, signed like any contract — or rejects; after recovery an officer restores the
primary, and what the taker had not delivered goes back.

Each use case is one transaction under the batch's takeover lock (proposals, approvals and
restorations of one batch are serialised, so capacity and overlaps are judged on settled figures).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from bidding.models import OpenedBid, OpeningRecord
from core import audit
from core.clock import local_day
from core.db import advisory_xact_lock, lock_for_update
from core.formats import pack_spec, qty
from core.i18n import N_
from notices.services import notify
from procurement.models import Batch
from procurement.queries import find_batch
from procurement.rules import parse_rules
from review.models import Contract
from supply.errors import SupplyError
from supply.models import SupplyProblem, Takeover, TakeoverLine
from supply.notices import bureau_ids
from supply.planning import Plan, TakeoverInput, plan_takeover, shipped_before

MAX_REASON = 4000


def officer_batch(session: Session, actor: Actor, code: str) -> Batch:
    """A batch of the price officer's region."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    return batch


def preview_takeover(session: Session, actor: Actor, code: str, inp: TakeoverInput) -> Plan:
    """The plan of a declared takeover, writing nothing (the page's preview)."""
    return plan_takeover(session, officer_batch(session, actor, code), inp, actor.region_code)


def propose_takeover(session: Session, actor: Actor, code: str, inp: TakeoverInput, now: datetime,
                     problem_id: int | None = None) -> Takeover:
    """Declare a supply failure and propose the takeover; a second officer decides."""
    batch = officer_batch(session, actor, code)
    reason = (inp.reason or "").strip()
    if not reason:
        raise SupplyError(N_("Please give the reason for the takeover."))
    if problem_id is not None and session.exec(select(SupplyProblem.id).where(
            SupplyProblem.id == problem_id, SupplyProblem.batch_id == batch.id)).first() is None:
        raise SupplyError(N_("No such supply problem in this batch."))
    advisory_xact_lock(session, f"takeover:{batch.id}")
    plan = plan_takeover(session, batch, inp, actor.region_code)
    seq = session.exec(select(func.count()).select_from(Takeover).where(Takeover.batch_id == batch.id)).one() + 1
    takeover = Takeover(reference=f"BG-{batch.id}-{seq:04d}", batch_id=batch.id, batch_item_id=plan.batch_item.id,
                        failed_org_id=plan.failed.id, taker_org_id=plan.taker.org.id, taker_basis=plan.basis,
                        price_rule=plan.price_rule, starts_on=plan.starts_on, ends_on=plan.ends_on,
                        reason=reason[:MAX_REASON], problem_id=problem_id, proposed_by=actor.user_id, proposed_at=now)
    session.add(takeover)
    session.flush()
    for line in plan.lines:
        session.add(TakeoverLine(takeover_id=takeover.id, old_contract_id=line.contract.id,
                                 hospital_org_id=line.hospital.id, moved_volume=line.moved,
                                 failed_ucp_e4=line.contract.ucp_e4, taker_ucp_e4=plan.taker.ucp_e4,
                                 contract_ucp_e4=plan.contract_price(line)))
    notify(session, bureau_ids(session, batch.region_code), Role.PRICE_OFFICER, "takeover_proposed", batch.code,
           N_("Takeover %(ref)s proposed: %(n)s units from %(failed)s to %(taker)s; a second officer decides",
              ref=takeover.reference, n=qty(plan.moved), failed=plan.failed.name, taker=plan.taker.org.name), now)
    audit.record(session, actor.audit(), "supply.takeover_propose", "batch", batch.code,
                 {"takeover": takeover.reference, "item": plan.item.code, "failed": plan.failed.code,
                  "taker": plan.taker.org.code, "basis": plan.basis, "moved": plan.moved,
                  "lines": [line.contract.code for line in plan.lines],
                  "period": [plan.starts_on.isoformat(), plan.ends_on.isoformat()]}, at=now)
    session.commit()
    return takeover


def visible_takeover(session: Session, actor: Actor, takeover_id: int) -> Takeover:
    """A takeover in the actor's scope, locked; Forbidden when unknown or foreign."""
    found = session.exec(scope(select(Takeover.id).where(Takeover.id == takeover_id), actor, Takeover)).first()
    if found is None:
        raise Forbidden("no such takeover")
    return lock_for_update(session, Takeover, takeover_id)


def lines_of(session: Session, takeover_id: int) -> list[TakeoverLine]:
    """A takeover's lines, in order."""
    return list(session.exec(select(TakeoverLine).where(TakeoverLine.takeover_id == takeover_id)
                             .order_by(TakeoverLine.id)).all())


def decision_refusal(session: Session, actor: Actor, takeover: Takeover) -> str | None:
    """Why the actor may not decide the takeover now (None: it may) — the page shows the buttons
    only when it may."""
    if actor.role != Role.PRICE_OFFICER:
        return N_("Only price officers decide takeovers.")
    if takeover.status != "proposed":
        return N_("The takeover has been decided.")
    batch = session.get(Batch, takeover.batch_id)
    if parse_rules(batch.rules_json).four_eyes and actor.user_id == takeover.proposed_by:
        return N_("Four-eyes: the officer who proposed the takeover may not decide it; another price officer does.")
    return None


def _taker_terms(session: Session, takeover: Takeover) -> tuple[int | None, str]:
    """The taker's pack price and pack specification from its opened bid."""
    bid = session.exec(select(OpenedBid).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id)
                       .where(OpeningRecord.batch_id == takeover.batch_id, OpenedBid.batch_item_id == takeover.batch_item_id,
                              OpenedBid.supplier_org_id == takeover.taker_org_id)).first()
    if bid is None:
        return None, ""
    return bid.pack_price_e4, pack_spec(bid.strength, bid.strength_unit, bid.units_per_pack)


def _new_contract_code(old: Contract, takeover: Takeover, line: TakeoverLine) -> str:
    """``<old code>-T<takeover>``, or a shortened unique form when that is too long."""
    code = f"{old.code}-T{takeover.id}"
    return code if len(code) <= 60 else f"T{takeover.id}-L{line.id}-{old.code}"[:60]


def _apply(session: Session, takeover: Takeover, batch: Batch, now: datetime) -> list[Contract]:
    """Move the planned volume: the old contracts lose it, the taker's new contracts carry it."""
    failed, taker = session.get(Organisation, takeover.failed_org_id), session.get(Organisation, takeover.taker_org_id)
    pack_price, spec = _taker_terms(session, takeover)
    made = []
    for line in lines_of(session, takeover.id):
        old = lock_for_update(session, Contract, line.old_contract_id)
        shipped = shipped_before(session, old.id, takeover.starts_on)
        if old.agreed_volume - shipped < line.moved_volume:
            raise SupplyError(N_("Contract %(code)s has only %(n)s units left to move now; propose the takeover again.",
                                 code=old.code, n=qty(max(0, old.agreed_volume - shipped))))
        old.agreed_volume -= line.moved_volume
        new = Contract(code=_new_contract_code(old, takeover, line), batch_id=old.batch_id,
                       evaluation_id=old.evaluation_id, batch_item_id=old.batch_item_id,
                       hospital_org_id=old.hospital_org_id, supplier_org_id=taker.id, ucp_e4=line.contract_ucp_e4,
                       pack_price_e4=pack_price if line.contract_ucp_e4 == line.taker_ucp_e4 else None, pack_spec=spec,
                       reported_demand=old.reported_demand, agreed_volume=line.moved_volume,
                       period_start=takeover.starts_on, period_end=takeover.ends_on, origin=f"T{takeover.id}",
                       created_at=now)
        session.add_all([old, new])
        session.flush()
        line.new_contract_id = new.id
        session.add(line)
        made.append(new)
    hospitals = {c.hospital_org_id for c in made}
    notify(session, hospitals, Role.HOSPITAL_BUYER, "contracts_to_sign", batch.code,
           N_("Supply takeover %(ref)s: %(taker)s takes over from %(failed)s; please sign the new contracts",
              ref=takeover.reference, taker=taker.name, failed=failed.name), now)
    notify(session, {taker.id}, Role.SUPPLIER_REP, "contracts_to_sign", batch.code,
           N_("Supply takeover %(ref)s: you take over %(failed)s's volume; please sign the new contracts",
              ref=takeover.reference, failed=failed.name), now)
    notify(session, {failed.id}, Role.SUPPLIER_REP, "takeover_approved", batch.code,
           N_("Supply takeover %(ref)s: your remaining volume in the affected regions moved to %(taker)s from %(start)s",
              ref=takeover.reference, taker=taker.name, start=takeover.starts_on.isoformat()), now)
    return made


def decide_takeover(session: Session, actor: Actor, takeover_id: int, approve: bool, note: str,
                    now: datetime) -> Takeover:
    """A second officer approves the takeover (its contracts are made) or rejects it with a reason."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    takeover = visible_takeover(session, actor, takeover_id)
    if (why := decision_refusal(session, actor, takeover)) is not None:
        raise SupplyError(why)
    advisory_xact_lock(session, f"takeover:{takeover.batch_id}")
    batch = session.get(Batch, takeover.batch_id)
    note = (note or "").strip()
    if not approve and not note:
        raise SupplyError(N_("A rejection needs a reason."))
    takeover.status = "approved" if approve else "rejected"
    takeover.decided_by, takeover.decided_at, takeover.decision_note = actor.user_id, now, note[:MAX_REASON]
    made = _apply(session, takeover, batch, now) if approve else []
    if not approve:
        notify(session, bureau_ids(session, batch.region_code), Role.PRICE_OFFICER, "takeover_rejected", batch.code,
               N_("Takeover %(ref)s was rejected: %(note)s", ref=takeover.reference, note=note), now)
    session.add(takeover)
    audit.record(session, actor.audit(), "supply.takeover_approve" if approve else "supply.takeover_reject",
                 "supply_takeover", takeover.reference, {"contracts": [c.code for c in made], "note": note[:200]}, at=now)
    session.commit()
    return takeover


def restore_refusal(takeover: Takeover, today: date) -> str | None:
    """Why the primary cannot be restored now (None: it can)."""
    if takeover.status != "approved":
        return N_("Only an approved takeover in force can be ended by restoring the primary.")
    if today <= takeover.starts_on:
        return N_("The takeover has not started yet.")
    if today > takeover.ends_on + timedelta(days=1):
        return N_("The takeover is over.")
    return None


def restore_primary(session: Session, actor: Actor, takeover_id: int, restored_on: date, note: str,
                    now: datetime) -> Takeover:
    """After recovery, the primary supplies again from ``restored_on``: each taker contract ends
    the day before, and what it had not delivered by then returns to the old contract."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    takeover = visible_takeover(session, actor, takeover_id)
    if (why := restore_refusal(takeover, local_day(now))) is not None:
        raise SupplyError(why)
    if not takeover.starts_on < restored_on <= min(local_day(now), takeover.ends_on):
        raise SupplyError(N_("The primary can be restored from a day after the takeover's start, up to today and "
                             "its end."))
    advisory_xact_lock(session, f"takeover:{takeover.batch_id}")
    back_total = 0
    for line in lines_of(session, takeover.id):
        new = lock_for_update(session, Contract, line.new_contract_id)
        old = lock_for_update(session, Contract, line.old_contract_id)
        back = max(0, new.agreed_volume - shipped_before(session, new.id, restored_on))
        new.agreed_volume -= back
        new.period_end = restored_on - timedelta(days=1)
        old.agreed_volume += back
        line.returned_volume = back
        back_total += back
        session.add_all([new, old, line])
    takeover.status, takeover.restored_on = "restored", restored_on
    takeover.restored_by, takeover.restored_at = actor.user_id, now
    session.add(takeover)
    batch = session.get(Batch, takeover.batch_id)
    hospitals = {line.hospital_org_id for line in lines_of(session, takeover.id)}
    message = N_("Supply takeover %(ref)s ends: the primary supplier supplies again from %(day)s",
                 ref=takeover.reference, day=restored_on.isoformat())
    notify(session, {takeover.failed_org_id, takeover.taker_org_id}, Role.SUPPLIER_REP, "takeover_restored",
           batch.code, message, now)
    notify(session, hospitals, Role.HOSPITAL_BUYER, "takeover_restored", batch.code, message, now)
    audit.record(session, actor.audit(), "supply.takeover_restore", "supply_takeover", takeover.reference,
                 {"restored_on": restored_on.isoformat(), "returned": back_total, "note": (note or "")[:200]}, at=now)
    session.commit()
    return takeover
