"""A batch with demand from two regions and opened bids: the input of evaluation and review."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accounts.roles import Role
from bidding import services as bidding
from bidding.pricing import Eligibility
from procurement import services as procurement
from procurement.demand.services import submit_demand
from tests.procurement.demand_fixtures import AFTER, BEFORE, make_demand_batch, sheet

OPENING = AFTER + timedelta(days=32)  # the DB1 batch opens on 2099-02-11


def opened_batch(session, world, ring, demand=(1000, 3000)):
    """DB1 with demand from two regions (A-hospital in 370100, A2 in 370200) and two bidders on YP101, opened."""
    setup = make_demand_batch(session, world)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    submit_demand(session, officer, setup.code, "A-hospital", sheet([["YP101", demand[0], demand[0], None, None],
                                                                     ["YP102", 10, 10, None, None]]), "a.xlsx", BEFORE)
    submit_demand(session, officer, setup.code, "A2-hospital", sheet([["YP101", demand[1], demand[1], None, None],
                                                                      ["YP102", 10, 10, None, None]]), "b.xlsx", BEFORE)
    procurement.transition_batch(session, officer, setup.code, "close_demand", now=AFTER)
    for side, price in (("A", 1400), ("B", 1300)):  # ¥0.1400 and ¥0.1300 per tablet (pack of 1)
        bidding.submit_bid(session, world.actors[(side, Role.SUPPLIER_REP)], setup.code,
                           bidding.BidInput("YP101", Decimal(1), "", 1, price, 10_000, Eligibility.CONSISTENCY_GENERIC),
                           ring, AFTER + timedelta(days=1))
    bidding.open_bids(session, None, setup.code, ring, OPENING)
    return setup.code


