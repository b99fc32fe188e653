"""Use cases of sealed bidding: preview, submit (amend), withdraw, open.

Prices, capacities and tiers exist in plaintext only in the request that submits them and
after the opening; the database holds envelopes and receipts (see ``bidding/sealing.py``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from bidding.keys import KeyRing
from bidding.models import BatchSealKey, BidSubmission, OpenedBid, OpeningRecord
from bidding.pricing import Eligibility, Refusal, RefusalCode, Strength, refusal
from bidding.receipts import (
    BidContext,
    PreparedBid,
    bid_record,
    prepare_bid,
    read_bid_record,
    split_sealed_document,
    verify_receipt,
)
from bidding.sealing import BatchKey, SealedBid, create_batch_key, open_batch_key, seal_bid
from bidding.standing import barred
from bidding.validation import BidCheck, BidOffer, ItemTerms, TierOffer, check_bid
from core import audit
from core.clock import local_stamp
from core.db import advisory_xact_lock, lock_for_update
from procurement.lifecycle import BatchStatus
from procurement.models import Batch, BatchItem, Item
from procurement.queries import find_batch
from procurement.rules import parse_rules
from procurement.services import transition_batch


class BidRefused(ValueError):
    """A bid or bidding action was refused; ``reasons`` name every cause."""

    def __init__(self, reasons: list[Refusal]) -> None:
        """Keep the structured reasons for the form."""
        super().__init__("; ".join(f"{r.message_zh} / {r.message_en}" for r in reasons))
        self.reasons = reasons


class OpeningError(ValueError):
    """The bids of a batch cannot be opened (yet)."""


@dataclass(frozen=True)
class BidInput:
    """What a supplier entered for one item, already typed (money as price_e4)."""

    item_code: str
    strength: Decimal
    strength_unit: str
    units_per_pack: int
    pack_price_e4: int
    capacity: int
    eligibility: Eligibility | None
    tiers: tuple[TierOffer, ...] = ()

    def offer(self) -> BidOffer:
        """The pure validation's view of this input."""
        return BidOffer(self.pack_price_e4, self.units_per_pack, Strength(self.strength, self.strength_unit),
                        self.capacity, self.eligibility, self.tiers)


@dataclass(frozen=True)
class Submitted:
    """A stored submission and what the supplier keeps: the receipt and its slip."""

    submission: BidSubmission
    prepared: PreparedBid
    check: BidCheck


def _refuse(code: RefusalCode | str, message_zh: str, message_en: str) -> BidRefused:
    """A single-reason refusal that is not one of pricing's codes."""
    return BidRefused([Refusal(str(code), message_zh, message_en)])


def _supplier(session: Session, actor: Actor) -> Organisation:
    """The supplier organisation of a supplier rep."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier reps only")
    return session.get(Organisation, actor.org_id)


def _batch_item(session: Session, batch: Batch, item_code: str) -> tuple[BatchItem, Item]:
    """An active item of the batch, or a refusal naming the code."""
    row = session.exec(select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id).where(
        BatchItem.batch_id == batch.id, Item.code == item_code, BatchItem.active == True)).first()  # noqa: E712
    if row is None:
        raise _refuse("unknown_item", f"本批次没有该品种：{item_code}", f"no such item in the batch: {item_code}")
    return row


def batch_terms(session: Session, batch: Batch) -> dict[str, ItemTerms]:
    """Validation terms of every active item of the batch, by item code."""
    rows = session.exec(select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id).where(
        BatchItem.batch_id == batch.id, BatchItem.active == True)).all()  # noqa: E712
    return {item.code: item_terms(batch, item, bi) for bi, item in rows}


def item_terms(batch: Batch, item: Item, batch_item: BatchItem) -> ItemTerms:
    """The batch item's side of validation: representative strength, ceiling, factor."""
    rules = parse_rules(batch.rules_json)
    rep = Strength(item.rep_strength or Decimal(1), item.strength_unit or "")
    return ItemTerms(rep, batch_item.max_valid_price_e4, rules.strength_factor)


def _open_for_bids(session: Session, actor: Actor, batch_code: str) -> Batch:
    """A visible batch that is in bidding."""
    batch = find_batch(session, actor, batch_code)
    if batch is None:
        raise Forbidden("no such batch")
    if batch.status != BatchStatus.BIDDING:
        raise _refuse(RefusalCode.WINDOW_CLOSED, "本批次当前不在申报期", "the batch is not open for bids")
    return batch


def _hold_bidding(session: Session, batch: Batch) -> Batch:
    """Share-lock the batch row until the transaction ends and check it is still in bidding.

    ``open_bids`` locks the row for update, so it waits for every submission already past
    this point to commit (and opens it), and a submission arriving during the opening waits
    for it and is then refused: nothing acknowledged can be left out of the opening."""
    batch = session.get(Batch, batch.id, with_for_update={"read": True}, populate_existing=True)
    if batch.status != BatchStatus.BIDDING:
        raise _refuse(RefusalCode.WINDOW_CLOSED, "本批次当前不在申报期", "the batch is not open for bids")
    return batch


def bidding_batch(session: Session, actor: Actor, batch_code: str) -> Batch:
    """The batch a supplier rep is bidding on (visible and in its bidding window)."""
    _supplier(session, actor)
    return _open_for_bids(session, actor, batch_code)


def preview_bid(session: Session, actor: Actor, batch_code: str, bid: BidInput, now: datetime) -> BidCheck:
    """Compute the unit comparable price and every refusal, writing nothing."""
    _supplier(session, actor)
    batch = _open_for_bids(session, actor, batch_code)
    batch_item, item = _batch_item(session, batch, bid.item_code)
    check = check_bid(bid.offer(), item_terms(batch, item, batch_item), now=now, deadline=batch.bid_deadline)
    bar = barred(session, actor.org_id, batch, now)  # a credit rating that suspends or excludes the supplier
    return check if bar is None else BidCheck(check.ucp_e4, check.tiers, (bar, *check.refusals))


def ensure_batch_key(session: Session, batch: Batch, keyring: KeyRing, now: datetime) -> BatchKey:
    """The batch's sealing key, created (once, under a lock) with the first bid.

    The key never changes once created, so the lock is taken only while there is none yet: in
    the last minute before a deadline the bids do not queue behind one another for it."""
    row = session.exec(select(BatchSealKey).where(BatchSealKey.batch_id == batch.id)).first()
    if row is not None:
        return BatchKey.from_text(row.key_text)
    advisory_xact_lock(session, f"seal-key:{batch.id}")
    row = session.exec(select(BatchSealKey).where(BatchSealKey.batch_id == batch.id)).first()
    if row is not None:  # created by a bid that held the lock before us
        return BatchKey.from_text(row.key_text)
    key = create_batch_key(keyring, batch_code=batch.code, opening_at=batch.opening_at)
    session.add(BatchSealKey(batch_id=batch.id, key_text=key.to_text(), fingerprint=key.fingerprint,
                             created_at=now))
    audit.record(session, audit.SYSTEM, "bids.seal_key_created", "batch", batch.code,
                 {"fingerprint": key.fingerprint, "kek": key.kek_id}, at=now)
    return key


def _live(session: Session, batch_item_id: int, supplier_id: int) -> BidSubmission | None:
    """The live submission of a supplier for an item, locked."""
    row = session.exec(select(BidSubmission).where(
        BidSubmission.batch_item_id == batch_item_id, BidSubmission.supplier_org_id == supplier_id,
        BidSubmission.status == "live").with_for_update()).first()
    return row


def submit_bid(session: Session, actor: Actor, batch_code: str, bid: BidInput, keyring: KeyRing,
               now: datetime, source: str = "form") -> Submitted:
    """Seal and store a bid; an earlier live bid for the item is superseded (amend)."""
    supplier = _supplier(session, actor)
    batch = _hold_bidding(session, _open_for_bids(session, actor, batch_code))
    done = _submit_one(session, actor, supplier, batch, bid, keyring, now, source)
    session.commit()
    return done


def submit_bid_workbook(session: Session, actor: Actor, batch_code: str, bids: list[BidInput],
                        keyring: KeyRing, now: datetime) -> list[Submitted]:
    """Submit several bids from one workbook in ONE transaction: all are stored or none."""
    supplier = _supplier(session, actor)
    batch = _hold_bidding(session, _open_for_bids(session, actor, batch_code))
    try:
        done = [_submit_one(session, actor, supplier, batch, bid, keyring, now, "workbook") for bid in bids]
    except Exception:
        session.rollback()
        raise
    session.commit()
    return done


def _submit_one(session: Session, actor: Actor, supplier: Organisation, batch: Batch, bid: BidInput,
                keyring: KeyRing, now: datetime, source: str) -> Submitted:
    """Validate, seal and add one submission inside the caller's transaction."""
    batch_item, item = _batch_item(session, batch, bid.item_code)
    check = check_bid(bid.offer(), item_terms(batch, item, batch_item), now=now, deadline=batch.bid_deadline)
    if (bar := barred(session, supplier.id, batch, now)) is not None:
        raise BidRefused([bar, *check.refusals])
    if not check.ok:
        raise BidRefused(list(check.refusals))
    advisory_xact_lock(session, f"bid:{batch_item.id}:{supplier.id}")
    key = ensure_batch_key(session, batch, keyring, now)
    previous = _live(session, batch_item.id, supplier.id)
    if previous is not None:
        previous.status, previous.ended_at, previous.ended_reason = "superseded", now, "amended"
        session.flush()
    context = BidContext(batch.code, supplier.code, item.code, uuid.uuid4().hex)
    prepared = prepare_bid(bid_record(bid.offer(), context, now))
    sealed = seal_bid(prepared.document, key, context)
    row = BidSubmission(uid=context.submission_id, batch_id=batch.id, batch_item_id=batch_item.id,
                        supplier_org_id=supplier.id, sealed=sealed.to_text(), receipt=prepared.receipt,
                        submitted_by=actor.user_id, submitted_at=now, source=source)
    session.add(row)
    session.flush()
    audit.record(session, actor.audit(), "bid.amend" if previous else "bid.submit", "bid", context.submission_id,
                 {"batch": batch.code, "item": item.code, "receipt": prepared.receipt, "source": source,
                  "supersedes": previous.uid if previous else None}, at=now)
    return Submitted(row, prepared, check)


def withdraw_bid(session: Session, actor: Actor, batch_code: str, item_code: str, now: datetime,
                 reason: str = "") -> BidSubmission:
    """Withdraw the live bid for an item before the deadline (kept as withdrawn)."""
    supplier = _supplier(session, actor)
    batch = _hold_bidding(session, _open_for_bids(session, actor, batch_code))
    if batch.bid_deadline and now >= batch.bid_deadline:
        raise BidRefused([refusal(RefusalCode.WINDOW_CLOSED, "window", deadline=local_stamp(batch.bid_deadline))])
    batch_item, item = _batch_item(session, batch, item_code)
    advisory_xact_lock(session, f"bid:{batch_item.id}:{supplier.id}")
    live = _live(session, batch_item.id, supplier.id)
    if live is None:
        raise _refuse("no_live_bid", "该品种没有有效申报可撤回", "no live bid to withdraw for this item")
    live.status, live.ended_at, live.ended_reason = "withdrawn", now, reason or "withdrawn"
    audit.record(session, actor.audit(), "bid.withdraw", "bid", live.uid,
                 {"batch": batch.code, "item": item.code, "reason": reason}, at=now)
    session.commit()
    return live


def open_bids(session: Session, actor: Actor | None, batch_code: str, keyring: KeyRing,
              now: datetime) -> OpeningRecord:
    """Open a batch's bids at or after its opening time: decrypt, verify receipts, validate
    again, record, and move the batch to ``opened``. ``actor`` None is the scheduler."""
    if actor is not None and actor.role not in (Role.PRICE_OFFICER, Role.ADMIN):
        raise Forbidden("bureau officers only")
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).first()
    if batch is None or (actor is not None and find_batch(session, actor, batch_code) is None):
        raise OpeningError(f"批次不存在 / no such batch: {batch_code}")
    batch = lock_for_update(session, Batch, batch.id)
    if batch.status != BatchStatus.BIDDING:
        raise OpeningError(f"批次不在申报期，不能开标 / batch is {batch.status}, not in bidding")
    if batch.opening_at is None or now < batch.opening_at:
        raise OpeningError("开标时间未到 / the opening time has not been reached")
    key_row = session.exec(select(BatchSealKey).where(BatchSealKey.batch_id == batch.id)).first()
    record = OpeningRecord(batch_id=batch.id, opened_at=now, opened_by=actor.user_id if actor else None,
                           key_fingerprint=key_row.fingerprint if key_row else "")
    session.add(record)
    session.flush()
    if key_row is not None:
        opener = open_batch_key(BatchKey.from_text(key_row.key_text), keyring, batch_code=batch.code,
                                opening_at=batch.opening_at, now=now)
        record.bids, record.valid_bids = _open_each(session, batch, record, opener)
    transition_batch(session, actor, batch.code, "open_bids", now=now, commit=False, internal=True)
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "bids.open", "batch", batch.code,
                 {"bids": record.bids, "valid": record.valid_bids, "fingerprint": record.key_fingerprint}, at=now)
    session.commit()
    return record


def _open_each(session: Session, batch: Batch, record: OpeningRecord, opener) -> tuple[int, int]:
    """Unseal, verify and re-validate every live submission; returns (bids, valid bids)."""
    rows = session.exec(
        select(BidSubmission, BatchItem, Item, Organisation)
        .join(BatchItem, BidSubmission.batch_item_id == BatchItem.id)
        .join(Item, BatchItem.item_id == Item.id)
        .join(Organisation, BidSubmission.supplier_org_id == Organisation.id)
        .where(BidSubmission.batch_id == batch.id, BidSubmission.status == "live")
        .order_by(BidSubmission.id)).all()
    total = valid = 0
    for sub, batch_item, item, supplier in rows:
        context = BidContext(batch.code, supplier.code, item.code, sub.uid)
        document = opener.unseal(SealedBid.from_text(sub.sealed), context)
        canonical, salt = split_sealed_document(document)
        receipt_ok = verify_receipt(canonical, salt, sub.receipt)
        read_context, submitted_at, offer = read_bid_record(canonical)
        check = check_bid(offer, item_terms(batch, item, batch_item))
        reasons = [r.code for r in check.refusals]
        if barred(session, supplier.id, batch, record.opened_at) is not None:  # rated since it submitted
            reasons.append(RefusalCode.SUPPLIER_BARRED)
        if not receipt_ok or read_context != context:
            reasons.append("receipt_mismatch")
        ok = not reasons
        session.add(OpenedBid(
            opening_id=record.id, submission_id=sub.id, batch_item_id=batch_item.id, supplier_org_id=supplier.id,
            receipt=sub.receipt, receipt_ok=receipt_ok, document=document.decode("utf-8"),
            strength=offer.strength.amount, strength_unit=offer.strength.unit, units_per_pack=offer.units_per_pack,
            pack_price_e4=offer.pack_price_e4, ucp_e4=check.ucp_e4, capacity=offer.capacity,
            eligibility=str(offer.eligibility or ""),
            tiers_json=json.dumps([{"min_volume": t.min_volume, "pack_price_e4": t.pack_price_e4, "ucp_e4": t.ucp_e4}
                                   for t in check.tiers]),
            valid=ok, reasons_json=json.dumps(reasons), submitted_at=submitted_at))
        total += 1
        valid += ok
    return total, valid
