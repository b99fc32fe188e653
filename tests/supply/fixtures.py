"""A batch in execution built through the real services: four cities of province A, one
hospital each, two winners of YP101 — the failing one (A-supplier, cheapest) primary in three
cities with the other (A2-supplier) as their stored backup (备供).

Demand: 370100 10,000 · 370200 1,000 · 370300 8,000 · 370400 6,000 units; two winners → 60 %
agreed: 6,000 · 600 · 4,800 · 3,600. The optimizer gives the cheaper bid (¥0.1000) every city but
the smallest (370200, ¥0.1200 to A2-supplier: each winner at least one region).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import select

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from bidding import services as bidding
from bidding.pricing import Eligibility
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_demand
from procurement.models import Batch, Item, Region
from review import services as review
from review.models import Contract
from tests.conftest import PASSWORD
from tests.procurement.demand_fixtures import sheet

CITIES = {"370100": 10_000, "370200": 1_000, "370300": 8_000, "370400": 6_000}
HOSPITALS = {"370100": "A-hospital", "370200": "H-370200", "370300": "H-370300", "370400": "H-370400"}
FAILED_E4, BACKUP_E4 = 1000, 1200
RULES = {"max_winners": {"minus": 0, "cap": 10}, "backup": True}


@dataclass
class Execution:
    """The batch and its people."""

    code: str
    officer: object
    officer2: object
    failed: object  # A-supplier's rep (actor)
    backup: object  # A2-supplier's rep
    hospitals: dict[str, object] = field(default_factory=dict)  # city → hospital buyer actor
    orgs: dict[str, object] = field(default_factory=dict)  # code → organisation
    cycle_start: date | None = None

    def contract(self, session, city: str, supplier_code: str | None = None, origin: str = "award") -> Contract:
        """The contract of a city's hospital (of one supplier / origin)."""
        hospital = self.orgs[HOSPITALS[city]]
        batch_id = session.exec(select(Batch.id).where(Batch.code == self.code)).one()
        stmt = select(Contract).where(Contract.batch_id == batch_id, Contract.hospital_org_id == hospital.id,
                                      Contract.origin == origin)
        if supplier_code:
            stmt = stmt.where(Contract.supplier_org_id == self.orgs[supplier_code].id)
        return session.exec(stmt).one()


def _user(session, org, username: str, role: Role):
    """A user of ``org`` and its actor."""
    user = accounts.create_user(session, None, username=username, display_name=username, password=PASSWORD,
                                role=role, org_id=org.id)
    return accounts.actor_for(session, user)


def people(session, world) -> Execution:
    """Regions, the three extra hospitals, the backup supplier, a second officer."""
    for code in CITIES:
        if session.get(Region, code) is None:
            session.add(Region(code=code, name=f"城市{code[2:4]}", parent_code="370000", level="city"))
    if session.exec(select(Item).where(Item.code == "YP101")).first() is None:
        session.add(Item(code="YP101", kind="drug", generic_name="阿托伐他汀钙片", minimal_unit="片"))
    session.commit()
    ex = Execution("", world.actors[("A", Role.PRICE_OFFICER)], None, world.actors[("A", Role.SUPPLIER_REP)], None)
    bureau = world.orgs[("A", OrgKind.BUREAU)]
    ex.officer2 = _user(session, bureau, "a_officer_2", Role.PRICE_OFFICER)
    backup = accounts.create_organisation(session, None, code="A2-supplier", name="A2 备供药业", kind=OrgKind.SUPPLIER,
                                          region_code="370200", bank_cnaps="102100099996",
                                          bank_account="6222000011113333")
    ex.backup = _user(session, backup, "a2_supplier_rep", Role.SUPPLIER_REP)
    ex.orgs = {"A-supplier": world.orgs[("A", OrgKind.SUPPLIER)], "A2-supplier": backup,
               "A-hospital": world.orgs[("A", OrgKind.HOSPITAL)]}
    ex.hospitals["370100"] = world.actors[("A", Role.HOSPITAL_BUYER)]
    for city, code in HOSPITALS.items():
        if city == "370100":
            continue
        org = accounts.create_organisation(session, None, code=code, name=f"{city} 医院", kind=OrgKind.HOSPITAL,
                                           region_code=city)
        ex.orgs[code] = org
        ex.hospitals[city] = _user(session, org, f"h_{city}", Role.HOSPITAL_BUYER)
    return ex


def build(db, session, world, ring, start: datetime, code: str = "BG1", rules: dict | None = None,
          backup_capacity: int = 1_000_000, ex: Execution | None = None) -> Execution:
    """The batch created at ``start``, published and signed ~35 days later; its cycle starts on
    day 30 and lasts a year."""
    ex = replace(ex, code=code, hospitals=dict(ex.hospitals), orgs=dict(ex.orgs)) if ex else people(session, world)
    ex.code = code
    ex.cycle_start = (start + timedelta(days=30)).date()
    timeline = procurement.Timeline(start + timedelta(days=10), start + timedelta(days=20),
                                    start + timedelta(days=20, hours=1), ex.cycle_start,
                                    ex.cycle_start.replace(year=ex.cycle_start.year + 1) - timedelta(days=1))
    procurement.create_batch(session, ex.officer, code=code, name="保供测试批次", timeline=timeline,
                             rules={**RULES, **(rules or {})}, now=start)
    procurement.add_batch_item(session, ex.officer, code, "YP101", 3000, 2000, now=start)
    procurement.set_batch_regions(session, ex.officer, code, list(CITIES), now=start)
    procurement.transition_batch(session, ex.officer, code, "open_demand", now=start)
    for city, demand in CITIES.items():
        result = submit_demand(session, ex.officer, code, HOSPITALS[city], sheet([["YP101", demand, demand, None, None]]),
                               f"{city}.xlsx", start + timedelta(days=1))
        assert getattr(result, "errors", None) in (None, []), result
    procurement.transition_batch(session, ex.officer, code, "close_demand", now=start + timedelta(days=10))
    for rep, price, capacity in ((ex.failed, FAILED_E4, 1_000_000), (ex.backup, BACKUP_E4, backup_capacity)):
        bidding.submit_bid(session, rep, code, bidding.BidInput("YP101", Decimal(1), "", 1, price, capacity,
                                                                Eligibility.CONSISTENCY_GENERIC),
                           ring, start + timedelta(days=11))
    opening = start + timedelta(days=20, hours=1)
    bidding.open_bids(session, None, code, ring, opening)
    run = evaluation.request_evaluation(session, ex.officer, code, opening).value
    session.close()
    assert evaluation.claim_and_run(db, run.id, ex.officer).status == "done"
    review.submit_for_review(session, ex.officer, code, run.version, opening + timedelta(hours=1))
    review.decide(session, ex.officer2, code, True, "", opening + timedelta(hours=2))
    published = opening + timedelta(days=5)
    review.end_publicity(session, None, code, published)
    for actor in [*ex.hospitals.values(), ex.failed, ex.backup]:
        review.sign_all(session, actor, code, published + timedelta(hours=1))
    procurement.transition_batch(session, ex.officer, code, "start_execution",
                                 now=datetime.combine(ex.cycle_start, time(1), tzinfo=UTC))
    return ex
