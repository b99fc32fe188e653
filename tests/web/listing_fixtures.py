"""A published batch with many contracts, made by the real services (demand, sealed bids,
opening, evaluation, four-eyes review, publicity): the input of the paging tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from bidding import services as bidding
from bidding.pricing import Eligibility
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_demand
from review import services as review
from tests.conftest import PASSWORD
from tests.evaluation.fixtures import OPENING
from tests.procurement.demand_fixtures import AFTER, BEFORE, make_demand_batch, sheet

AT = OPENING + timedelta(hours=1)


def reviewer(session, world):
    """Officer B of province A's bureau, who approves what officer A submits."""
    user = accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    return accounts.actor_for(session, user)


def published_with_contracts(db, session, world, ring, hospitals: int = 14) -> str:
    """DB1 published: ``hospitals`` extra hospitals (测试医院00 …, in both regions) and A-hospital
    report YP101; two suppliers bid; one contract per hospital follows publication."""
    setup = make_demand_batch(session, world)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    codes = ["A-hospital"]
    for n in range(hospitals):
        org = accounts.create_organisation(session, None, code=f"H{n:02d}-hospital", name=f"测试医院{n:02d}",
                                           kind=OrgKind.HOSPITAL, region_code="370200" if n % 2 else "370100")
        codes.append(org.code)
    for n, code in enumerate(codes):
        submit_demand(session, officer, setup.code, code, sheet([["YP101", 100 + n, 100 + n, None, None]]),
                      "demand.xlsx", BEFORE)
    procurement.transition_batch(session, officer, setup.code, "close_demand", now=AFTER)
    for side, price in (("A", 1400), ("B", 1300)):
        bidding.submit_bid(session, world.actors[(side, Role.SUPPLIER_REP)], setup.code,
                           bidding.BidInput("YP101", Decimal(1), "", 1, price, 100_000, Eligibility.CONSISTENCY_GENERIC),
                           ring, AFTER + timedelta(days=1))
    bidding.open_bids(session, None, setup.code, ring, OPENING)
    run = evaluation.request_evaluation(session, officer, setup.code, AT).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer)
    review.submit_for_review(session, officer, setup.code, 1, AT)
    review.decide(session, reviewer(session, world), setup.code, True, "", AT)
    review.end_publicity(session, officer, setup.code, AT + timedelta(days=10))
    return setup.code
