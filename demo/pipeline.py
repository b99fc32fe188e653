"""Demo data beyond the catalog: reported demand for the open batch, and a second batch whose
bids have been opened, ready for an officer to run the evaluation. Built only through the
real services, with past timestamps, so everything is audited like live data."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.services import actor_for
from bidding import services as bidding
from bidding.keys import KeyRing
from bidding.pricing import Eligibility
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand


def demand_workbook(rows: list[tuple[str, str, int, int]]) -> bytes:
    """A bureau-side bulk demand workbook: hospital code, item code, last year's use, committed."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报量"
    ws.append(["医院编码", "品种编码", "上年用量", "承诺年采购量"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _demand_rows(rng: random.Random, hospitals: list[Organisation], drugs) -> list[tuple[str, str, int, int]]:
    """Plausible yearly use per hospital and drug (tertiary hospitals use more)."""
    rows = []
    for hospital in hospitals:
        scale = 5 if (hospital.level or "").startswith("三级") else 1
        for drug in drugs:
            last = rng.randint(2, 60) * 1000 * scale
            rows.append((hospital.code, drug[0], last, last * rng.randint(80, 110) // 100))
    return rows


def officer(session: Session, username: str = "officer") -> Actor:
    """The demo price officer as an actor."""
    return actor_for(session, session.exec(select(User).where(User.username == username)).one())


def report_demand(session: Session, code: str, drugs, share: float, now: datetime, seed: int) -> int:
    """Bureau IT loads the demand of a share of the batch's hospitals in one bulk file."""
    rng = random.Random(seed)
    hospitals = list(session.exec(select(Organisation).where(Organisation.kind == "hospital")
                                  .order_by(Organisation.code)).all())
    chosen = [h for h in hospitals if rng.random() < share]
    result = submit_bulk_demand(session, officer(session), code, demand_workbook(_demand_rows(rng, chosen, drugs)),
                                "demo-demand.xlsx", now)
    return len(getattr(result, "versions", {}) or {})


def opened_batch(session: Session, keyring: KeyRing, drugs, cities, now: datetime) -> str:
    """A batch of a few drugs whose demand was collected and whose bids were opened yesterday."""
    actor = officer(session)
    start = now - timedelta(days=40)
    code = f"SD-{now.year}-DEMO-B"
    timeline = procurement.Timeline(start + timedelta(days=20), now - timedelta(days=2), now - timedelta(days=1),
                                    date(now.year + 1, 1, 1), date(now.year + 1, 12, 31))
    procurement.create_batch(session, actor, code=code, name=f"山东省{now.year}年第二批药品集中带量采购（演示：已开标）",
                             timeline=timeline, now=start)
    chosen = drugs[:6]
    for row in chosen:
        procurement.add_batch_item(session, actor, code, row[0], _e4(row[7]), _e4(row[8]), now=start)
    procurement.set_batch_regions(session, actor, code, [c for c, _n in cities], now=start)
    procurement.transition_batch(session, actor, code, "open_demand", now=start)
    report_demand(session, code, chosen, 1.0, start + timedelta(days=5), seed=7)
    procurement.transition_batch(session, actor, code, "close_demand", now=start + timedelta(days=20))
    _bids(session, keyring, code, chosen, start + timedelta(days=25))
    bidding.open_bids(session, None, code, keyring, now)
    return code


def _e4(text: str) -> int:
    """Yuan text to 1/10000 yuan."""
    return int(Decimal(text) * 10000)


def _bids(session: Session, keyring: KeyRing, code: str, drugs, when: datetime) -> None:
    """Six to twelve suppliers bid on each drug, mostly well under the maximum valid price."""
    rng = random.Random(11)
    reps = list(session.exec(select(User).where(User.role == "supplier_rep")).all())
    suppliers = list(session.exec(select(Organisation).where(Organisation.kind == "supplier")
                                  .order_by(Organisation.code)).all())
    demo_rep = reps[0]
    for drug in drugs:
        max_e4 = _e4(drug[7])
        n = len(suppliers)
        for supplier in rng.sample(suppliers, rng.randint(min(6, n), min(12, n))):
            actor = Actor(demo_rep.id, demo_rep.username, demo_rep.role, supplier.id, supplier.kind, supplier.region_code)
            unit_e4 = max(1, int(max_e4 * rng.uniform(0.15, 0.95)))
            pack = drug[6]
            bid = bidding.BidInput(drug[0], Decimal(drug[3]), drug[4], pack, unit_e4 * pack, rng.randint(2, 40) * 1_000_000,
                                   Eligibility.CONSISTENCY_GENERIC)
            bidding.submit_bid(session, actor, code, bid, keyring, when + timedelta(minutes=rng.randint(0, 600)))
