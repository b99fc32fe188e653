"""Read models of bidding, scoped: suppliers see their own bids; bureau roles see their
region's batches — and before the opening nobody sees more than envelopes and receipts."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from bidding.models import BidSubmission, OpenedBid, OpeningRecord
from procurement.models import Batch, BatchItem, Item


def _bid_rule(model):
    """Suppliers: their own rows. Bureau roles: rows of batches in their region. Others: none."""

    def rule(actor: Actor):
        if actor.role == Role.SUPPLIER_REP:
            return model.supplier_org_id == actor.org_id
        if actor.is_bureau:
            batches = select(Batch.id).where(within_region(Batch.region_code, actor.region_code))
            return model.batch_id.in_(batches) if hasattr(model, "batch_id") else model.opening_id.in_(
                select(OpeningRecord.id).where(OpeningRecord.batch_id.in_(batches)))
        return model.id == -1

    return rule


register_scope(BidSubmission, _bid_rule(BidSubmission))
register_scope(OpenedBid, _bid_rule(OpenedBid))


def my_submissions(session: Session, actor: Actor, batch: Batch) -> list[tuple[BidSubmission, Item]]:
    """The supplier's submissions in a batch (live, superseded, withdrawn), newest first."""
    stmt = (select(BidSubmission, Item).join(BatchItem, BidSubmission.batch_item_id == BatchItem.id)
            .join(Item, BatchItem.item_id == Item.id).where(BidSubmission.batch_id == batch.id,
                                                             BidSubmission.supplier_org_id == actor.org_id)
            .order_by(BidSubmission.submitted_at.desc(), BidSubmission.id.desc()))
    return list(session.exec(scope(stmt, actor, BidSubmission)).all())


def sealed_summary(session: Session, actor: Actor, batch: Batch) -> dict[str, int]:
    """Before opening, bureau roles see only how many live envelopes there are."""
    stmt = select(func.count(), func.count(func.distinct(BidSubmission.supplier_org_id))).where(
        BidSubmission.batch_id == batch.id, BidSubmission.status == "live")
    bids, suppliers = session.exec(scope(stmt, actor, BidSubmission)).one()
    return {"bids": bids, "suppliers": suppliers}


def opening_of(session: Session, batch: Batch) -> OpeningRecord | None:
    """The batch's opening record, if it has been opened."""
    return session.exec(select(OpeningRecord).where(OpeningRecord.batch_id == batch.id)).first()


@dataclass(frozen=True)
class OpenedRow:
    """One line of the opening record as a page shows it."""

    bid: OpenedBid
    item: Item
    supplier: Organisation | None  # None where the viewer may not see who bid
    tiers: list[dict]
    reasons: list[str]
    own: bool


def opening_statement(record: OpeningRecord):
    """The opened bids of one opening record with their items and suppliers (unordered)."""
    return (select(OpenedBid, Item, Organisation).join(BatchItem, OpenedBid.batch_item_id == BatchItem.id)
            .join(Item, BatchItem.item_id == Item.id).join(Organisation, OpenedBid.supplier_org_id == Organisation.id)
            .where(OpenedBid.opening_id == record.id))


def opened_row(actor: Actor, bid: OpenedBid, item: Item, supplier: Organisation) -> OpenedRow:
    """One opened bid as ``actor`` may see it: bureau roles in full, a supplier its own bids in
    full and the public part of the others (receipt, unit comparable price, valid or not)."""
    own = actor.role == Role.SUPPLIER_REP and bid.supplier_org_id == actor.org_id
    full = actor.is_bureau or own
    return OpenedRow(bid, item, supplier if full else None,
                     json.loads(bid.tiers_json) if full else [], json.loads(bid.reasons_json), own)


def opening_rows(session: Session, actor: Actor, batch: Batch) -> list[OpenedRow]:
    """The whole opening record (exports, the API): bureau roles see everything; a supplier sees
    its own bids in full and the public part of the others."""
    record = opening_of(session, batch)
    if record is None or not (actor.is_bureau or actor.role == Role.SUPPLIER_REP):
        return []
    rows = [opened_row(actor, *found) for found in session.exec(opening_statement(record)).all()]
    big = 10**15
    rows.sort(key=lambda r: (r.item.code, not r.bid.valid, r.bid.ucp_e4 if r.bid.ucp_e4 is not None else big,
                             r.bid.submitted_at))
    return rows


@dataclass(frozen=True)
class ReceiptSlip:
    """What a printed receipt shows: batch, company, item, time and the verification code."""

    batch: Batch
    company: str
    item: Item
    submission: BidSubmission


def supplier_name(session: Session, actor: Actor) -> str:
    """The organisation name of the actor (a supplier's company name)."""
    return session.get(Organisation, actor.org_id).name


def receipt_slip(session: Session, actor: Actor, batch: Batch, submission_id: int) -> ReceiptSlip | None:
    """One of the supplier's own submissions in the batch, for its printable receipt (None when
    it is not theirs or not in this batch)."""
    row = session.exec(scope(
        select(BidSubmission, Item).join(BatchItem, BidSubmission.batch_item_id == BatchItem.id)
        .join(Item, BatchItem.item_id == Item.id)
        .where(BidSubmission.id == submission_id, BidSubmission.batch_id == batch.id), actor, BidSubmission)).first()
    if row is None or actor.role != Role.SUPPLIER_REP:
        return None
    submission, item = row
    return ReceiptSlip(batch, supplier_name(session, actor), item, submission)
