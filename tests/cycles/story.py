"""Steps of the national result's life in province A, each the real use case at the time it
happens (the service story and the browser journey share them): put into effect, deliveries and
acceptances, a month settled, a renewal tendered to its contracts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import select

from accounts import services as accounts
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from bidding import services as bidding
from bidding.pricing import Eligibility
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand
from procurement.models import Batch
from results import services as results
from review import services as review
from review.models import Contract
from settlement import services as settlement
from settlement.models import Acceptance, Delivery
from tests.conftest import PASSWORD
from tests.results.fixtures import CREATED, DEADLINE, bulk_demand, load_national

CODE = "NAT9"
#: the nationally reported figures the bureau loads: (hospital, item, last year, committed)
REPORTED = (("A-hospital", "YP901", 1000, 900), ("A-hospital", "YP902", 5000, 4500), ("A-hospital", "YP903", 300, 300),
            ("A-hospital-2", "YP901", 500, 400), ("A-hospital-2", "YP902", 2000, 2000))


def at(day: date, hour: int = 2) -> datetime:
    """A UTC time on ``day`` (02:00 UTC is 10:00 in Beijing)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def acting(world, role: Role, org: Organisation) -> Actor:
    """Province A's user of ``role`` acting for ``org`` (the world has one user per role)."""
    base = world.actors[("A", role)]
    return Actor(base.user_id, base.username, role, org.id, org.kind, org.region_code)


def officer(world) -> Actor:
    """Province A's price officer."""
    return world.actors[("A", Role.PRICE_OFFICER)]


def second_price_officer(session, world) -> Actor:
    """A second price officer of province A (four-eyes review of the renewal's tender)."""
    user = accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.actors[("A", Role.PRICE_OFFICER)].org_id)
    return accounts.actor_for(session, user)


def second_settlement_officer(session, world) -> Actor:
    """A second settlement officer of province A's fund (four-eyes approval of runs)."""
    user = accounts.create_user(session, None, username="a_settlement_officer_2", display_name="复核员",
                                password=PASSWORD, role=Role.SETTLEMENT_OFFICER,
                                org_id=world.actors[("A", Role.SETTLEMENT_OFFICER)].org_id)
    return accounts.actor_for(session, user)


def contracts_of(session, code: str) -> list[Contract]:
    """The batch's contracts, by code."""
    batch_id = session.exec(select(Batch.id).where(Batch.code == code)).one()
    session.expire_all()
    return list(session.exec(select(Contract).where(Contract.batch_id == batch_id).order_by(Contract.code)).all())


def report_and_publish(session, world) -> list[Contract]:
    """Open demand, load the reported figures, put the allocation under publicity at the deadline
    and publish when it is over: the contracts per city."""
    procurement.transition_batch(session, officer(world), CODE, "open_demand", now=CREATED + timedelta(hours=1))
    assert submit_bulk_demand(session, officer(world), CODE, bulk_demand(REPORTED), "全国报量.xlsx",
                              CREATED + timedelta(days=2)).accepted
    results.start_allocation_publicity(session, None, CODE, DEADLINE + timedelta(minutes=1))
    return review.end_publicity(session, None, CODE, DEADLINE + timedelta(days=4)).value


def sign_everything(session, world, code: str, when: datetime) -> None:
    """Every hospital and every winning supplier confirms its contracts."""
    contracts = contracts_of(session, code)
    for role, attr in ((Role.HOSPITAL_BUYER, "hospital_org_id"), (Role.SUPPLIER_REP, "supplier_org_id")):
        for org_id in sorted({getattr(c, attr) for c in contracts}):
            review.sign_all(session, acting(world, role, session.get(Organisation, org_id)), code, when)


def put_into_effect(session, world) -> list[Contract]:
    """The national result loaded, reported, published, signed and in execution from 2024-03-01."""
    assert load_national(session, world).accepted
    report_and_publish(session, world)
    sign_everything(session, world, CODE, DEADLINE + timedelta(days=6))
    procurement.transition_batch(session, officer(world), CODE, "start_execution", now=at(date(2024, 3, 1)))
    return contracts_of(session, CODE)


def deliver(session, world, code: str, day: date, share: Decimal, only: set[str] | None = None) -> list[Acceptance]:
    """Every (or each named) contract of the batch ships ``share`` of its agreed volume on ``day``;
    the hospital accepts it the same day."""
    when = at(day, 8)
    accepted = []
    for c in contracts_of(session, code):
        if only is not None and c.code not in only:
            continue
        supplier = acting(world, Role.SUPPLIER_REP, session.get(Organisation, c.supplier_org_id))
        quantity = max(1, int(c.agreed_volume * share))
        delivery = settlement.record_delivery(session, supplier, settlement.DeliveryInput(c.code, quantity, day), when)
        hospital = acting(world, Role.HOSPITAL_BUYER, session.get(Organisation, c.hospital_org_id))
        accepted.append(settlement.accept_delivery(session, hospital, delivery.id, quantity, day, when))
    return accepted


def settle_month(session, world, code: str, month: str, second) -> object:
    """The month's lines applied for, confirmed, run and approved: the run."""
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    year, mon = (int(p) for p in month.split("-"))
    after = date(year + mon // 12, mon % 12 + 1, 1)
    for org_id in sorted(set(session.exec(select(Acceptance.supplier_org_id).where(
            Acceptance.batch_id == batch.id, Acceptance.applied_month.is_(None))).all())):
        settlement.apply_for_settlement(session, acting(world, Role.SUPPLIER_REP, session.get(Organisation, org_id)),
                                        batch.id, month, at(after + timedelta(days=1)))
    pending = session.exec(select(Acceptance.hospital_org_id, Acceptance.id).where(
        Acceptance.batch_id == batch.id, Acceptance.applied_month == month,
        Acceptance.reconcile_status == "pending")).all()
    by_hospital: dict[int, list[int]] = {}
    for org_id, pk in pending:
        by_hospital.setdefault(org_id, []).append(pk)
    for org_id, ids in sorted(by_hospital.items()):
        settlement.reconcile(session, acting(world, Role.HOSPITAL_BUYER, session.get(Organisation, org_id)), ids, True,
                             "", at(after + timedelta(days=3)))
    run = settlement.run_settlement(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], code, month,
                                    at(after + timedelta(days=6))).run
    settlement.approve_run(session, second, run.id, at(after + timedelta(days=6), 6))
    return run


RENEWAL_START = datetime(2025, 10, 16, 2, tzinfo=UTC)


def renewal_timeline(batch: Batch) -> procurement.Timeline:
    """The renewal's tender timeline (its cycle as the renewal set it)."""
    start = RENEWAL_START
    return procurement.Timeline(start + timedelta(days=20), start + timedelta(days=35),
                                start + timedelta(days=35, hours=2), batch.cycle_start, batch.cycle_end)


def open_renewal_demand(session, world, code: str) -> None:
    """The draft renewal gets its tender timeline and opens demand collection."""
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    procurement.update_batch(session, officer(world), code, timeline=renewal_timeline(batch), now=RENEWAL_START)
    procurement.transition_batch(session, officer(world), code, "open_demand", now=RENEWAL_START + timedelta(hours=1))


def tender_renewal(db, session, world, code: str, reviewer: Actor, ring, demand: list[tuple[str, str, int, int]],
                   bids: list[tuple[str, str, int]]) -> list[Contract]:
    """Take the renewal collecting demand through its tender: demand (at least the floors),
    sealed bids (supplier code, item, ¥/unit in 1/10000), opening, evaluation, four-eyes review,
    publicity, publication and signing; its execution starts with its cycle."""
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    start, timeline = RENEWAL_START, renewal_timeline(batch)
    reported = submit_bulk_demand(session, officer(world), code, bulk_demand(demand), "接续报量.xlsx",
                                  start + timedelta(days=3))
    assert reported.accepted, [e.message() for e in reported.errors]
    procurement.transition_batch(session, None, code, "close_demand", now=timeline.demand_deadline)
    suppliers = {o.code: o for o in session.exec(select(Organisation).where(Organisation.kind == OrgKind.SUPPLIER)).all()}
    for supplier_code, item, price_e4 in bids:
        bidding.submit_bid(session, acting(world, Role.SUPPLIER_REP, suppliers[supplier_code]), code,
                           bidding.BidInput(item, Decimal(_strength(item)), "mg", 1, price_e4, 1_000_000,
                                            Eligibility.CONSISTENCY_GENERIC), ring,
                           timeline.demand_deadline + timedelta(days=2))
    bidding.open_bids(session, None, code, ring, timeline.opening_at)
    later = timeline.opening_at + timedelta(hours=1)
    run = evaluation.request_evaluation(session, officer(world), code, later).value
    session.close()
    assert evaluation.claim_and_run(db, run.id, officer(world)).status == "done"
    review.submit_for_review(session, officer(world), code, run.version, later)
    review.decide(session, reviewer, code, True, "", later + timedelta(hours=2))
    published = later + timedelta(days=5)
    review.end_publicity(session, None, code, published)
    sign_everything(session, world, code, published + timedelta(days=1))
    procurement.transition_batch(session, officer(world), code, "start_execution", now=at(batch.cycle_start))
    return contracts_of(session, code)


def _strength(item: str) -> str:
    """The representative strength of the national items (mg)."""
    return {"YP901": "200", "YP902": "400", "YP903": "500"}[item]


def deliveries_of(session, contract: Contract) -> list[Delivery]:
    """A contract's deliveries."""
    return list(session.exec(select(Delivery).where(Delivery.contract_id == contract.id).order_by(Delivery.id)).all())
