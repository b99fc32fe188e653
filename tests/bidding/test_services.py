"""Sealed bidding end to end at the service level: submit, amend, withdraw, open."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from bidding import queries, services
from bidding.keys import Kek, KeyRing
from bidding.models import BatchSealKey, BidSubmission, OpenedBid
from bidding.receipts import split_sealed_document, verify_receipt
from bidding.sealing import BidsStillSealed
from core.audit import AuditEntry, verify_chain
from procurement.models import Batch
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import aware

T0 = aware(2030, 1, 1, 0, 0)
DEMAND, DEADLINE, OPENING = T0 + timedelta(days=1), T0 + timedelta(days=10), T0 + timedelta(days=10, hours=1)


@pytest.fixture
def batch_code(session, world):
    return make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)


def _supplier(world, side="A"):
    return world.actors[(side, Role.SUPPLIER_REP)]


def test_submit_amend_withdraw_keeps_history(session, world, ring, batch_code):
    rep = _supplier(world)
    now = DEMAND + timedelta(hours=1)
    first = services.submit_bid(session, rep, batch_code, bid(), ring, now)
    assert first.check.ucp_e4 == 2000  # ¥1.4000 / 7
    second = services.submit_bid(session, rep, batch_code, bid(pack_price_e4=13300), ring, now + timedelta(minutes=5))
    services.submit_bid(session, rep, batch_code, bid("YP003", 7000), ring, now)
    services.withdraw_bid(session, rep, batch_code, "YP003", now + timedelta(minutes=6), "产能调整")
    rows = session.exec(select(BidSubmission).order_by(BidSubmission.id)).all()
    assert [r.status for r in rows] == ["superseded", "live", "withdrawn"]
    assert rows[1].receipt == second.prepared.receipt != first.prepared.receipt
    actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert {"bid.submit", "bid.amend", "bid.withdraw", "bids.seal_key_created"} <= set(actions)
    assert verify_chain(session).ok


def test_refusals_name_their_reasons_and_write_nothing(session, world, ring, batch_code):
    rep = _supplier(world)
    now = DEMAND + timedelta(hours=1)
    with pytest.raises(services.BidRefused) as err:
        services.submit_bid(session, rep, batch_code, bid(pack_price_e4=36000, capacity=0), ring, now)
    assert {r.code for r in err.value.reasons} == {"above_max_price", "capacity_not_positive"}
    with pytest.raises(services.BidRefused) as late:
        services.submit_bid(session, rep, batch_code, bid(), ring, DEADLINE)
    assert [r.code for r in late.value.reasons] == ["window_closed"]
    with pytest.raises(services.BidRefused):
        services.submit_bid(session, rep, batch_code, bid(tiers=[(1000, 15000)]), ring, now)  # tier above base
    assert session.exec(select(BidSubmission)).all() == []
    with pytest.raises(Forbidden):
        services.submit_bid(session, world.actors[("A", Role.PRICE_OFFICER)], batch_code, bid(), ring, now)


def test_opening_decrypts_verifies_and_ranks(session, world, ring, batch_code):
    a, b = _supplier(world, "A"), _supplier(world, "B")  # a Jiangsu supplier may bid on a Shandong batch
    now = DEMAND + timedelta(hours=2)
    ra = services.submit_bid(session, a, batch_code, bid(pack_price_e4=14000, tiers=[(1_000_000, 12600)]), ring, now)
    rb = services.submit_bid(session, b, batch_code, bid(pack_price_e4=5600, strength="40", units=14), ring, now)
    with pytest.raises(services.OpeningError, match="开标时间未到"):
        services.open_bids(session, None, batch_code, ring, OPENING - timedelta(seconds=1))
    record = services.open_bids(session, world.actors[("A", Role.PRICE_OFFICER)], batch_code, ring, OPENING)
    assert (record.bids, record.valid_bids) == (2, 2)
    assert session.exec(select(Batch).where(Batch.code == batch_code)).one().status == "opened"
    opened = {o.receipt: o for o in session.exec(select(OpenedBid)).all()}
    assert opened[ra.prepared.receipt].ucp_e4 == 2000
    assert json.loads(opened[ra.prepared.receipt].tiers_json)[0]["ucp_e4"] == 1800
    # 40 mg × 14 at ¥0.5600: UCP = 0.56 / 14 / 1.7^log2(40/20) = 0.04 / 1.7 = ¥0.0235 (half up)
    assert opened[rb.prepared.receipt].ucp_e4 == 235
    canonical, salt = split_sealed_document(opened[rb.prepared.receipt].document.encode())
    assert verify_receipt(canonical, salt, rb.prepared.receipt)
    with pytest.raises(services.OpeningError):
        services.open_bids(session, None, batch_code, ring, OPENING)  # never twice


def test_opening_with_the_wrong_kek_fails_and_changes_nothing(session, world, ring, batch_code):
    services.submit_bid(session, _supplier(world), batch_code, bid(), ring, DEMAND + timedelta(hours=1))
    from bidding.keys import SealingError

    with pytest.raises(SealingError):
        services.open_bids(session, None, batch_code, KeyRing((Kek.generate("other"),)), OPENING)
    session.rollback()
    assert session.exec(select(Batch).where(Batch.code == batch_code)).one().status == "bidding"
    assert session.exec(select(OpenedBid)).all() == []


def test_reads_before_opening_show_no_prices(session, world, ring, batch_code):
    services.submit_bid(session, _supplier(world), batch_code, bid(), ring, DEMAND + timedelta(hours=1))
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).one()
    for role in Role:
        actor = world.actors[("A", role)]
        assert queries.opening_rows(session, actor, batch) == []
    assert queries.sealed_summary(session, world.actors[("A", Role.PRICE_OFFICER)], batch) == {"bids": 1, "suppliers": 1}
    assert queries.sealed_summary(session, world.actors[("B", Role.PRICE_OFFICER)], batch) == {"bids": 0, "suppliers": 0}
    from bidding.sealing import BatchKey, open_batch_key

    key_text = session.exec(select(BatchSealKey)).one().key_text
    with pytest.raises(BidsStillSealed):
        open_batch_key(BatchKey.from_text(key_text), ring, batch_code=batch_code, opening_at=OPENING,
                       now=OPENING - timedelta(seconds=1))
