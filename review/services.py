"""Use cases from a finished evaluation to published winners and signed contracts.

submit_for_review → approve | send_back (four-eyes) → publicity with objections and answers →
end_publicity (period over, every objection answered) → contracts → signing.

A repeated step (a double click, a retried POST) is recognised under the batch's or contract's
row lock by the state its first call left, and is a no-op: nothing written, no audit row,
``Outcome(…, repeated=True)`` (``core.outcome``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from bidding.models import OpenedBid, OpeningRecord
from core import audit
from core.clock import local_stamp
from core.db import lock_for_update
from core.formats import pack_spec
from core.i18n import N_
from core.money import parse_price_e4, round_half_up_div
from core.outcome import Outcome
from core.regions import region_contains
from evaluation.models import Evaluation, EvaluationItem
from notices.services import notify
from procurement.demand.models import DemandLine, DemandUpload
from procurement.lifecycle import BatchStatus
from procurement.models import Batch, BatchItem, Item
from procurement.queries import find_batch
from procurement.rules import parse_rules
from procurement.services import transition_batch
from review.models import Contract, Objection, Publicity, ReviewDecision
from settlement.execution.prepayment import grant_prepayment


class ReviewError(ValueError):
    """A refused review step, with the reason."""


def _officer_batch(session: Session, actor: Actor, code: str) -> Batch:
    """A batch of the actor's region, locked, for a price officer."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    return lock_for_update(session, Batch, batch.id)


def _bureau_ids(session: Session, batch: Batch) -> set[int]:
    """The bureau organisations of the batch's region (its price officers)."""
    return set(session.exec(select(Organisation.id).where(Organisation.kind == OrgKind.BUREAU,
                                                          Organisation.region_code == batch.region_code)).all())


def _demand_hospital_ids(session: Session, batch: Batch) -> set[int]:
    """The hospitals that reported demand for the batch (the buyers its result binds)."""
    return set(session.exec(select(DemandUpload.hospital_org_id).where(DemandUpload.batch_id == batch.id)
                            .distinct()).all())


def submitted_version(session: Session, batch: Batch) -> Evaluation | None:
    """The evaluation version last submitted for review."""
    row = session.exec(select(Evaluation).join(ReviewDecision, ReviewDecision.evaluation_id == Evaluation.id)
                       .where(Evaluation.batch_id == batch.id, ReviewDecision.decision == "submitted")
                       .order_by(ReviewDecision.id.desc())).first()
    return row


def submit_for_review(session: Session, actor: Actor, code: str, version: int,
                      now: datetime) -> Outcome[ReviewDecision]:
    """Put a finished evaluation version before a reviewer (a repeat while it is: a no-op)."""
    batch = _officer_batch(session, actor, code)
    run = session.exec(select(Evaluation).where(Evaluation.batch_id == batch.id, Evaluation.version == version)).first()
    if batch.status == BatchStatus.REVIEW and (last := _last_decision(session, batch)) is not None \
            and last.decision == "submitted" and run is not None and last.evaluation_id == run.id:
        session.commit()  # nothing written: end the locking transaction
        return Outcome(last, repeated=True)
    if run is None or run.status != "done":
        raise ReviewError("只能提交已完成的评审版本 / only a finished evaluation version can be submitted")
    transition_batch(session, actor, code, "submit_for_review", now=now, commit=False, internal=True)
    decision = ReviewDecision(evaluation_id=run.id, decision="submitted", decided_by=actor.user_id, decided_at=now)
    session.add(decision)
    notify(session, _bureau_ids(session, batch), Role.PRICE_OFFICER, "review_pending", batch.code,
            N_("Evaluation version %(version)s was submitted and awaits a second officer's approval: %(batch)s",
               version=version, batch=batch.name), now)
    audit.record(session, actor.audit(), "review.submit", "batch", code, {"version": version}, at=now)
    session.commit()
    return Outcome(decision)


def _last_decision(session: Session, batch: Batch) -> ReviewDecision | None:
    """The batch's latest review decision (submitted, approve or send_back)."""
    return session.exec(select(ReviewDecision).join(Evaluation, ReviewDecision.evaluation_id == Evaluation.id)
                        .where(Evaluation.batch_id == batch.id).order_by(ReviewDecision.id.desc())).first()


def decision_refusal(session: Session, actor: Actor, batch: Batch) -> str | None:
    """Why the actor may not approve or send back the batch's submitted version now (None: it
    may): the batch must be under review, and under four-eyes the reviewer is neither the
    officer who ran the evaluation nor the one who submitted it."""
    if actor.role != Role.PRICE_OFFICER:
        return "只有价格招采处可以审核 / only price officers review"
    if batch.status != BatchStatus.REVIEW:
        return "批次不在审核中 / the batch is not under review"
    run = submitted_version(session, batch)
    if run is None:
        return "没有提交审核的版本 / no version was submitted for review"
    submitter = session.exec(select(ReviewDecision.decided_by).where(
        ReviewDecision.evaluation_id == run.id, ReviewDecision.decision == "submitted")
        .order_by(ReviewDecision.id.desc())).first()
    if parse_rules(batch.rules_json).four_eyes and actor.user_id in {run.requested_by, submitter}:
        return ("双人审核：审核人不能是运行或提交评审的人，请由另一位价格招采处人员审核 / four-eyes: the reviewer "
                "may not be the officer who ran or submitted the evaluation; another price officer decides")
    return None


def decide(session: Session, actor: Actor, code: str, approve: bool, reason: str,
           now: datetime) -> Outcome[ReviewDecision]:
    """Approve the submitted version (publicity starts) or send it back with a reason; the same
    decision again, once taken, is a no-op."""
    batch = _officer_batch(session, actor, code)
    if batch.status != BatchStatus.REVIEW:
        last = _last_decision(session, batch)
        if last is not None and last.decision == ("approve" if approve else "send_back"):
            session.commit()  # nothing written: end the locking transaction
            return Outcome(last, repeated=True)
        raise ReviewError("批次不在审核中 / the batch is not under review")
    run = submitted_version(session, batch)
    refusal = decision_refusal(session, actor, batch)
    if refusal:
        raise ReviewError(refusal)
    rules = parse_rules(batch.rules_json)
    if not approve and not reason.strip():
        raise ReviewError("退回须填写理由 / sending back needs a reason")
    decision = ReviewDecision(evaluation_id=run.id, decision="approve" if approve else "send_back",
                              reason=reason.strip(), decided_by=actor.user_id, decided_at=now)
    session.add(decision)
    if approve:
        transition_batch(session, actor, code, "approve", now=now, commit=False, internal=True)
        session.add(Publicity(batch_id=batch.id, evaluation_id=run.id, starts_at=now,
                              ends_at=now + timedelta(days=rules.publicity_days)))
        bidders = set(session.exec(select(OpenedBid.supplier_org_id).join(
            OpeningRecord, OpenedBid.opening_id == OpeningRecord.id).where(OpeningRecord.batch_id == batch.id)).all())
        notify(session, bidders, Role.SUPPLIER_REP, "publicity_started", batch.code,
                N_("Proposed winners under publicity; objections may be lodged during the period: %(batch)s",
                   batch=batch.name), now)
        notify(session, _demand_hospital_ids(session, batch), Role.HOSPITAL_BUYER, "publicity_started", batch.code,
                N_("Proposed winners under publicity; contracts follow when the period ends: %(batch)s",
                   batch=batch.name), now)
    else:
        transition_batch(session, actor, code, "send_back", reason=reason.strip(), now=now, commit=False, internal=True)
    audit.record(session, actor.audit(), "review.approve" if approve else "review.send_back", "batch", code,
                 {"version": run.version, "reason": reason.strip()}, at=now)
    session.commit()
    return Outcome(decision)


def publicity_of(session: Session, batch: Batch) -> Publicity | None:
    """The batch's publicity period, if its result was approved."""
    return session.exec(select(Publicity).where(Publicity.batch_id == batch.id)).first()


def lodge_objection(session: Session, actor: Actor, code: str, text: str, attachment: tuple[str, bytes] | None,
                    now: datetime) -> Objection:
    """A bidder objects to the proposed result before the publicity period ends."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier reps only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    publicity = publicity_of(session, batch)
    if batch.status != BatchStatus.PUBLICITY or publicity is None or now >= publicity.ends_at:
        raise ReviewError("不在公示期内 / the publicity period is not open")
    bid = session.exec(select(OpenedBid.id).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id).where(
        OpeningRecord.batch_id == batch.id, OpenedBid.supplier_org_id == actor.org_id)).first()
    if bid is None:
        raise ReviewError("只有本批次的申报企业可以提出异议 / only bidders of this batch may object")
    if not text.strip():
        raise ReviewError("请填写异议内容 / the objection needs a text")
    name, content = attachment if attachment else (None, None)
    objection = Objection(batch_id=batch.id, supplier_org_id=actor.org_id, text=text.strip(), attachment_name=name,
                          attachment=content, lodged_by=actor.user_id, lodged_at=now)
    session.add(objection)
    session.flush()
    notify(session, _bureau_ids(session, batch), Role.PRICE_OFFICER, "objection_lodged", batch.code,
            N_("An objection was lodged during publicity; answer it before the period ends: %(batch)s",
               batch=batch.name), now)
    audit.record(session, actor.audit(), "objection.lodge", "batch", code, {"objection": objection.id}, at=now)
    session.commit()
    return objection


def answer_objection(session: Session, actor: Actor, code: str, objection_id: int, answer: str,
                     now: datetime) -> Objection:
    """An officer answers an objection (once); the supplier is notified."""
    batch = _officer_batch(session, actor, code)
    objection = session.get(Objection, objection_id, with_for_update=True)
    if objection is None or objection.batch_id != batch.id:
        raise Forbidden("no such objection")
    if objection.answer:
        raise ReviewError("该异议已答复 / the objection has been answered")
    if not answer.strip():
        raise ReviewError("请填写答复 / the answer needs a text")
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor.user_id, now
    notify(session, {objection.supplier_org_id}, Role.SUPPLIER_REP, "objection_answered", batch.code,
            N_("Your objection was answered: %(batch)s", batch=batch.name), now)
    audit.record(session, actor.audit(), "objection.answer", "batch", code, {"objection": objection_id}, at=now)
    session.commit()
    return objection


def publish_refusal(session: Session, batch: Batch, now: datetime) -> str | None:
    """Why the batch's result cannot be published now (None: it can): it must be under
    publicity, the period over, and every objection answered."""
    publicity = publicity_of(session, batch)
    if batch.status != BatchStatus.PUBLICITY or publicity is None:
        return "批次不在公示期 / the batch is not under publicity"
    if now < publicity.ends_at:
        at = local_stamp(publicity.ends_at)
        return f"公示期尚未结束：{at} 后可结束公示并发布 / the publicity period has not ended: publish after {at}"
    open_objections = session.exec(select(Objection.id).where(Objection.batch_id == batch.id,
                                                              Objection.answer == None)).all()  # noqa: E711
    if open_objections:
        return f"尚有 {len(open_objections)} 条异议未答复 / {len(open_objections)} objections are unanswered"
    return None


def end_publicity(session: Session, actor: Actor | None, code: str, now: datetime) -> Outcome[list[Contract]]:
    """Publish the result once the period has ended and every objection is answered; create
    the contracts. ``actor`` None is the scheduler. Once published, a repeat is a no-op
    answering the contracts made."""
    batch = (_officer_batch(session, actor, code) if actor else
             session.exec(select(Batch).where(Batch.code == code).with_for_update()).one())
    publicity = publicity_of(session, batch)
    if publicity is not None and publicity.published_at is not None:
        made = list(session.exec(select(Contract).where(Contract.batch_id == batch.id).order_by(Contract.id)).all())
        session.commit()  # nothing written: end the locking transaction
        return Outcome(made, repeated=True)
    refusal = publish_refusal(session, batch, now)
    if refusal:
        raise ReviewError(refusal)
    transition_batch(session, actor, code, "publish", now=now, commit=False, internal=True)
    publicity.published_at = now
    contracts = _create_contracts(session, batch, session.get(Evaluation, publicity.evaluation_id), now)
    notify(session, {c.hospital_org_id for c in contracts}, Role.HOSPITAL_BUYER, "contracts_to_sign", batch.code,
            N_("Result published, please sign your contracts: %(batch)s", batch=batch.name), now)
    notify(session, {c.supplier_org_id for c in contracts}, Role.SUPPLIER_REP, "contracts_to_sign", batch.code,
            N_("Result published, please sign your contracts: %(batch)s", batch=batch.name), now)
    notify(session, _bureau_ids(session, batch), Role.PRICE_OFFICER, "execution_due", batch.code,
            N_("Result published; start execution when the cycle begins (%(start)s): %(batch)s",
               start=str(batch.cycle_start), batch=batch.name), now)
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "batch.published", "batch", code,
                 {"contracts": len(contracts), "version": publicity.evaluation_id}, at=now)
    session.commit()
    return Outcome(contracts)


def _create_contracts(session: Session, batch: Batch, run: Evaluation, now: datetime) -> list[Contract]:
    """One contract per hospital × item: the region's primary winner, ratio × reported demand."""

    from procurement.demand.queries import latest_upload_ids  # noqa: F401 - scoped variant for users

    codes = {o.code: o.id for o in session.exec(select(Organisation).where(Organisation.kind == OrgKind.SUPPLIER)).all()}
    regions = [r for r in session.exec(select(Batch.region_code).where(Batch.id == batch.id)).all()]
    del regions
    latest = (select(DemandUpload.hospital_org_id.label("h"), func.max(DemandUpload.version).label("v"))
              .where(DemandUpload.batch_id == batch.id).group_by(DemandUpload.hospital_org_id).subquery())
    lines = session.exec(
        select(DemandLine, Organisation, BatchItem, Item)
        .join(DemandUpload, DemandLine.upload_id == DemandUpload.id)
        .join(latest, and_(DemandUpload.hospital_org_id == latest.c.h, DemandUpload.version == latest.c.v))
        .join(Organisation, DemandUpload.hospital_org_id == Organisation.id)
        .join(BatchItem, DemandLine.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .where(DemandUpload.batch_id == batch.id)).all()
    results = {i.item_code: json.loads(i.result_json) for i in session.exec(
        select(EvaluationItem).where(EvaluationItem.evaluation_id == run.id)).all()}
    offers = _winning_offers(session, batch)
    contracts = []
    for line, hospital, batch_item, item in lines:
        result = results.get(item.code)
        if not result or not result.get("winners") or line.committed <= 0:
            continue
        primary = _winner_for(result["winners"], hospital, "regions")
        if primary is None:
            continue
        backup = _winner_for(result["winners"], hospital, "backup_regions")
        offer = offers.get((batch_item.id, codes[primary["supplier"]]))
        pack_price, pack_spec = _pack_terms(offer, primary)
        ratio = Decimal(result["agreed_ratio"])
        num, den = ratio.as_integer_ratio()
        contract = Contract(
            code=f"{batch.code}-{item.code}-{hospital.code}", batch_id=batch.id, evaluation_id=run.id,
            batch_item_id=batch_item.id, hospital_org_id=hospital.id, supplier_org_id=codes[primary["supplier"]],
            backup_supplier_org_id=codes.get(backup["supplier"]) if backup else None,
            ucp_e4=parse_price_e4(primary["ucp"]), pack_price_e4=pack_price, pack_spec=pack_spec,
            reported_demand=line.committed,
            agreed_volume=round_half_up_div(line.committed * num, den),
            period_start=batch.cycle_start, period_end=batch.cycle_end, created_at=now)
        session.add(contract)
        contracts.append(contract)
    session.flush()
    return contracts


def _winning_offers(session: Session, batch: Batch) -> dict[tuple[int, int], OpenedBid]:
    """The opened bids of the batch by (batch item, supplier)."""
    rows = session.exec(select(OpenedBid).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id)
                        .where(OpeningRecord.batch_id == batch.id)).all()
    return {(b.batch_item_id, b.supplier_org_id): b for b in rows}


def _pack_terms(offer: OpenedBid | None, winner: dict) -> tuple[int | None, str]:
    """The pack price the winner is paid (its tier's, when a tier applies) and its pack spec."""
    if offer is None:
        return None, ""
    price = offer.pack_price_e4
    for tier in json.loads(offer.tiers_json):
        if winner.get("tier_min_volume") == tier["min_volume"]:
            price = tier["pack_price_e4"]
    return price, pack_spec(offer.strength, offer.strength_unit, offer.units_per_pack)


def _winner_for(winners: list[dict], hospital: Organisation, key: str) -> dict | None:
    """The winner whose (primary or backup) units cover the hospital: its supply region, or the
    hospital itself under hospital-level allocation."""
    for winner in winners:
        if any(unit == hospital.code or (unit.isdigit() and region_contains(unit, hospital.region_code))
               for unit in winner[key]):
            return winner
    return None


def sign_contract(session: Session, actor: Actor, contract_id: int, now: datetime) -> Outcome[Contract]:
    """The hospital or the supplier confirms a contract; signed when both have. A party that
    has confirmed already confirms nothing again (a repeat: no audit row)."""
    contract = lock_for_update(session, Contract, contract_id)
    if contract is None:
        raise Forbidden("no such contract")
    if actor.role == Role.HOSPITAL_BUYER and contract.hospital_org_id == actor.org_id:
        if contract.hospital_signed_at is not None:
            session.commit()  # nothing written: end the locking transaction
            return Outcome(contract, repeated=True)
        contract.hospital_signed_at, contract.hospital_signed_by = now, actor.user_id
    elif actor.role == Role.SUPPLIER_REP and contract.supplier_org_id == actor.org_id:
        if contract.supplier_signed_at is not None:
            session.commit()  # nothing written: end the locking transaction
            return Outcome(contract, repeated=True)
        contract.supplier_signed_at, contract.supplier_signed_by = now, actor.user_id
    else:
        raise Forbidden("not a party to this contract")
    if contract.hospital_signed_at and contract.supplier_signed_at:
        contract.status = "signed"
    audit.record(session, actor.audit(), "contract.sign", "contract", contract.code,
                 {"by": str(actor.role), "status": contract.status}, at=now)
    if contract.status == "signed":
        session.flush()
        # the fund advances the hospital its prepayment once all its contracts of the batch are signed
        batch = session.get(Batch, contract.batch_id)
        hospital = session.get(Organisation, contract.hospital_org_id)
        grant_prepayment(session, None, batch.code, hospital.code, now, commit=False)
    session.commit()
    return Outcome(contract)


def sign_all(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """Sign every contract of the batch still awaiting the actor's organisation; how many this
    call signed (0 on a repeat)."""
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    return sum(not sign_contract(session, actor, contract_id, now).repeated
               for contract_id in awaiting_signature(session, actor, batch))


def awaiting_signature(session: Session, actor: Actor, batch: Batch) -> list[int]:
    """The ids of the batch's contracts still awaiting the actor's organisation's confirmation."""
    if actor.role == Role.HOSPITAL_BUYER:
        mine, signed = Contract.hospital_org_id == actor.org_id, Contract.hospital_signed_at
    elif actor.role == Role.SUPPLIER_REP:
        mine, signed = Contract.supplier_org_id == actor.org_id, Contract.supplier_signed_at
    else:
        return []
    return list(session.exec(select(Contract.id).where(Contract.batch_id == batch.id, mine, signed == None)  # noqa: E711
                             .order_by(Contract.id)).all())
