"""The load test's world, built through the domain services like the demo seed.

A province bureau with a price officer; N hospitals and M suppliers spread over 16 cities,
each with one user; a catalog of 20 drugs; batch ``LT-DEMAND`` collecting demand for all of
them, and batch ``LT-BID`` in its bidding phase for four of them (its deadline is set by the
run, one minute before it ends). Passwords are stored with the production Argon2id cost so
that logins cost what they cost in production; the hash is computed once and shared, which
is only a shortcut for seeding 700 accounts quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, select

from accounts import passwords
from accounts import services as accounts
from accounts.models import Organisation, User
from accounts.roles import OrgKind, Role
from accounts.services import actor_for
from core.clock import utcnow
from core.config import Settings
from procurement import services as procurement
from procurement.models import Batch, Region
from procurement.regions import ensure_default_regions

PASSWORD = "loadtest-pass-2026"  # noqa: S105 - a throwaway database's shared test password
PROVINCE = "370000"
CITIES = tuple(f"37{n:02d}00" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17))
DEMAND_BATCH, BID_BATCH = "LT-DEMAND", "LT-BID"
BID_ITEMS = 4


@dataclass(frozen=True)
class BidItem:
    """What a supplier needs to price an item: representative spec and the ceiling."""

    code: str
    strength: str
    unit: str
    pack: int
    max_unit_e4: int  # maximum valid price per minimal unit, 1/10000 yuan


@dataclass(frozen=True)
class Account:
    """An organisation and the one user who acts for it."""

    org_code: str
    username: str


@dataclass(frozen=True)
class Plan:
    """What the clients and the checks need to know about the seeded world."""

    demand_batch: str
    bid_batch: str
    bid_items: tuple[BidItem, ...]
    hospitals: tuple[Account, ...]
    suppliers: tuple[Account, ...]
    password: str = PASSWORD


def _drug(n: int) -> tuple[str, str, str, int, int]:
    """(code, strength, unit, pack size, max ¥e4 per unit) of the n-th synthetic drug."""
    strengths = (("10", "mg"), ("20", "mg"), ("0.5", "g"), ("5", "mg"), ("150", "mg"))
    strength, unit = strengths[n % len(strengths)]
    return f"LT{n + 1:03d}", strength, unit, (7, 14, 30, 10)[n % 4], 3000 + 700 * n


def seed(session: Session, hospitals: int, suppliers: int, items: int = 20) -> Plan:
    """Build the world; returns the plan the clients follow."""
    ensure_default_regions(session)
    for n, code in enumerate(CITIES):
        if session.get(Region, code) is None:
            session.add(Region(code=code, name=f"压测市{n + 1}", parent_code=PROVINCE, level="city"))
    session.commit()
    production_hash_cost()
    shared_hash = passwords.hash_password(PASSWORD)  # production cost (the app's defaults)
    passwords.configure(time_cost=1, memory_kib=1024)  # cheap while creating, replaced below
    org = lambda **kw: accounts.create_organisation(session, None, commit=False, **kw)  # noqa: E731
    bureau = org(code="LT-MB370000", name="压测省医疗保障局", kind=OrgKind.BUREAU, region_code=PROVINCE)
    officer = accounts.create_user(session, None, username="lt-officer", display_name="压测价格处",
                                   password=PASSWORD, role=Role.PRICE_OFFICER, org_id=bureau.id, commit=False)
    hosp, supp = [], []
    for i in range(hospitals):
        o = org(code=f"LTH{i:04d}", name=f"压测医院{i:04d}", kind=OrgKind.HOSPITAL,
                region_code=CITIES[i % len(CITIES)], level=("三级甲等", "二级甲等", "一级")[i % 3])
        accounts.create_user(session, None, username=f"lt-h{i:04d}", display_name=f"采购员{i:04d}",
                             password=PASSWORD, role=Role.HOSPITAL_BUYER, org_id=o.id, commit=False)
        hosp.append(Account(o.code, f"lt-h{i:04d}"))
    for i in range(suppliers):
        o = org(code=f"LTS{i:04d}", name=f"压测制药{i:04d}有限公司", kind=OrgKind.SUPPLIER,
                region_code=CITIES[i % len(CITIES)], bank_name="压测银行", bank_cnaps="102100099996",
                bank_account=f"62220000{i:010d}")
        accounts.create_user(session, None, username=f"lt-s{i:04d}", display_name=f"申报员{i:04d}",
                             password=PASSWORD, role=Role.SUPPLIER_REP, org_id=o.id, commit=False)
        supp.append(Account(o.code, f"lt-s{i:04d}"))
    drugs = [_drug(n) for n in range(items)]
    for code, strength, unit, pack, _max in drugs:
        procurement.create_item(session, None, commit=False, code=code, kind="drug", generic_name=f"压测药品{code}",
                                dosage_form="片剂", rep_strength=Decimal(strength), strength_unit=unit,
                                minimal_unit="片", rep_units_per_pack=pack, consistency_evaluated=True)
    session.commit()
    session.execute(update(User).where(User.username.startswith("lt-")).values(password_hash=shared_hash))
    session.commit()
    actor = actor_for(session, session.exec(select(User).where(User.id == officer.id)).one())
    now = utcnow().replace(microsecond=0)
    year = now.year + 1
    cycle = (date(year, 1, 1), date(year, 12, 31))
    procurement.create_batch(session, actor, code=DEMAND_BATCH, name="压测批次：报量", timeline=procurement.Timeline(
        now + timedelta(days=14), now + timedelta(days=28), now + timedelta(days=28), *cycle))
    _fill(session, actor, DEMAND_BATCH, drugs, now)
    procurement.transition_batch(session, actor, DEMAND_BATCH, "open_demand", now=now)
    start = now - timedelta(days=30)
    procurement.create_batch(session, actor, code=BID_BATCH, name="压测批次：申报", now=start,
                             timeline=procurement.Timeline(now - timedelta(days=1), now + timedelta(days=1),
                                                           now + timedelta(days=1), *cycle))
    _fill(session, actor, BID_BATCH, drugs[:BID_ITEMS], start)
    procurement.transition_batch(session, actor, BID_BATCH, "open_demand", now=start)
    procurement.transition_batch(session, actor, BID_BATCH, "close_demand", now=now)
    bid_items = tuple(BidItem(c, s, u, p, m) for c, s, u, p, m in drugs[:BID_ITEMS])
    return Plan(DEMAND_BATCH, BID_BATCH, bid_items, tuple(hosp), tuple(supp))


def _fill(session: Session, actor, code: str, drugs, now: datetime) -> None:
    """Items (ceiling and previous price) and the 16 cities as supply regions."""
    for item_code, _s, _u, _p, max_e4 in drugs:
        procurement.add_batch_item(session, actor, code, item_code, max_e4, max_e4 * 5, now=now)
    procurement.set_batch_regions(session, actor, code, list(CITIES), now=now)


def set_bid_deadline(session: Session, code: str, deadline: datetime, opening_at: datetime) -> None:
    """Move the bidding batch's deadline and opening (before any bid exists, so before its
    sealing key binds the opening time): the run decides when "the last minute" is."""
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    batch.bid_deadline, batch.opening_at = deadline, opening_at
    session.commit()


def production_hash_cost() -> None:
    """Configure Argon2id as the app will (its settings' defaults) before hashing the password."""
    defaults = Settings()
    passwords.configure(defaults.argon2_time_cost, defaults.argon2_memory_kib)


def org_ids(session: Session) -> dict[str, int]:
    """Organisation id by code, for the checks."""
    return {o.code: o.id for o in session.exec(select(Organisation).where(Organisation.code.startswith("LT"))).all()}
