"""Fixtures for bidding service and page tests: a keyring and a batch in bidding."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from accounts.roles import Role
from bidding.pricing import Eligibility
from bidding.services import BidInput
from bidding.validation import TierOffer
from core.clock import utcnow
from procurement import services
from procurement.models import Item


def make_bidding_batch(session, world, *, demand_deadline: datetime, bid_deadline: datetime,
                       opening_at: datetime, code: str = "BID1") -> str:
    """A province-A batch with two drugs, moved through demand into bidding."""
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    session.add(Item(code="YP001", kind="drug", generic_name="阿托伐他汀钙片", dosage_form="片剂",
                     rep_strength=Decimal("20"), strength_unit="mg", minimal_unit="片", rep_units_per_pack=7))
    session.add(Item(code="YP003", kind="drug", generic_name="苯磺酸氨氯地平片", dosage_form="片剂",
                     rep_strength=Decimal("5"), strength_unit="mg", minimal_unit="片", rep_units_per_pack=7))
    session.commit()
    created = demand_deadline - timedelta(days=1)
    timeline = services.Timeline(demand_deadline, bid_deadline, opening_at, date(2030, 1, 1), date(2030, 12, 31))
    services.create_batch(session, officer, code=code, name="申报测试批次", timeline=timeline, now=created)
    services.add_batch_item(session, officer, code, "YP001", 5000, 35000, now=created)  # ¥0.5000 max
    services.add_batch_item(session, officer, code, "YP003", 3000, 21000, now=created)
    services.set_batch_regions(session, officer, code, ["370100", "370200"], now=created)
    services.transition_batch(session, officer, code, "open_demand", now=created)
    services.transition_batch(session, officer, code, "close_demand", now=demand_deadline)
    return code


def bidding_open_now(session, world, *, days: int = 1) -> str:
    """:func:`make_bidding_batch` as it stands today: demand closed an hour ago, bids open for
    ``days`` days, the opening an hour after the deadline."""
    now = utcnow()
    return make_bidding_batch(session, world, demand_deadline=now - timedelta(hours=1),
                              bid_deadline=now + timedelta(days=days), opening_at=now + timedelta(days=days, hours=1))


def bid(item="YP001", pack_price_e4=14000, capacity=5_000_000, strength="20", units=7, tiers=()):
    """A bid input: by default ¥1.4000 per pack of 7 × 20 mg = ¥0.2000 per tablet."""
    return BidInput(item, Decimal(strength), "mg", units, pack_price_e4, capacity,
                    Eligibility.CONSISTENCY_GENERIC, tuple(TierOffer(v, p) for v, p in tiers))
