"""Database fixtures for settlement service and page tests: a batch in execution with contracts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from evaluation.models import Evaluation
from procurement import services
from procurement.models import BatchItem, Item
from review.models import Contract
from tests.conftest import PASSWORD

CREATED = datetime(2026, 1, 5, tzinfo=UTC)
SIGNED = datetime(2026, 9, 20, tzinfo=UTC)
NOW = datetime(2026, 11, 8, 2, 0, tzinfo=UTC)


@dataclass
class Setup:
    """What the settlement tests need: the batch, contracts by item, the actors."""

    code: str
    batch_id: int
    contracts: dict[str, Contract]
    foreign_contract: Contract


def _batch_in_execution(session, world, code: str, side: str = "A", rules: dict | None = None) -> int:
    """A batch of ``side`` moved draft → execution, with YP001 and YP003."""
    officer = world.actors[(side, Role.PRICE_OFFICER)]
    timeline = services.Timeline(CREATED + timedelta(days=10), CREATED + timedelta(days=20),
                                 CREATED + timedelta(days=20), date(2026, 10, 1), date(2027, 9, 30))
    services.create_batch(session, officer, code=code, name=f"结算测试批次{side}", timeline=timeline,
                          rules=rules, now=CREATED)
    services.add_batch_item(session, officer, code, "YP001", 5000, 12000, now=CREATED)
    services.add_batch_item(session, officer, code, "YP003", 3000, 8000, now=CREATED)
    regions = ["370100", "370200"] if side == "A" else ["320100", "320200"]
    services.set_batch_regions(session, officer, code, regions, now=CREATED)
    at = CREATED + timedelta(days=1)
    for action in ("open_demand", "close_demand", "open_bids", "start_evaluation", "submit_for_review",
                   "approve", "publish", "start_execution"):
        if action == "close_demand":
            at = CREATED + timedelta(days=11)
        if action == "open_bids":
            at = CREATED + timedelta(days=21)
        services.transition_batch(session, officer, code, action, now=at, internal=True)
    batch = services.get_batch_for_update(session, officer, code)
    session.commit()
    return batch.id


def _contract(session, world, batch_id: int, item_code: str, side: str, price_e4: int, agreed: int) -> Contract:
    """A signed contract of ``side``'s hospital with ``side``'s supplier."""
    from sqlmodel import select

    item = session.exec(select(Item).where(Item.code == item_code)).one()
    bi = session.exec(select(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.item_id == item.id)).one()
    ev = session.exec(select(Evaluation).where(Evaluation.batch_id == batch_id)).first()
    if ev is None:
        ev = Evaluation(batch_id=batch_id, version=1, status="done", rules_json="{}", created_at=CREATED)
        session.add(ev)
        session.flush()
    c = Contract(code=f"HT-{batch_id}-{item_code}-{side}", batch_id=batch_id, evaluation_id=ev.id,
                 batch_item_id=bi.id, hospital_org_id=world.orgs[(side, OrgKind.HOSPITAL)].id,
                 supplier_org_id=world.orgs[(side, OrgKind.SUPPLIER)].id, ucp_e4=price_e4,
                 reported_demand=agreed * 2, agreed_volume=agreed, period_start=date(2026, 10, 1),
                 period_end=date(2027, 9, 30), status="signed", hospital_signed_at=SIGNED,
                 supplier_signed_at=SIGNED, created_at=SIGNED)
    session.add(c)
    session.commit()
    return c


def make_items(session) -> None:
    """The two catalogue drugs the batches use."""
    session.add(Item(code="YP001", kind="drug", generic_name="阿托伐他汀钙片", dosage_form="片剂",
                     rep_strength=Decimal("20"), strength_unit="mg", minimal_unit="片", rep_units_per_pack=7))
    session.add(Item(code="YP003", kind="drug", generic_name="苯磺酸氨氯地平片", dosage_form="片剂",
                     rep_strength=Decimal("5"), strength_unit="mg", minimal_unit="片", rep_units_per_pack=7))
    session.commit()


def make_setup(session, world, code: str = "JS2026", rules: dict | None = None) -> Setup:
    """Province A batch in execution with two signed contracts (YP001 ¥0.1234, YP003 ¥0.0567), and a
    province B batch with one contract (for foreign-object refusals)."""
    make_items(session)
    batch_id = _batch_in_execution(session, world, code, rules=rules)
    contracts = {
        "YP001": _contract(session, world, batch_id, "YP001", "A", 1234, 100_000),
        "YP003": _contract(session, world, batch_id, "YP003", "A", 567, 50_000),
    }
    b_id = _batch_in_execution(session, world, "JSFOREIGN2", side="B")
    foreign = _contract(session, world, b_id, "YP001", "B", 1000, 10_000)
    return Setup(code, batch_id, contracts, foreign)


def second_officer(session, world):
    """A second settlement officer of province A's fund agency (four-eyes approval)."""
    user = accounts.create_user(session, None, username="a_settlement_officer_2", display_name="复核员",
                                password=PASSWORD, role=Role.SETTLEMENT_OFFICER,
                                org_id=world.orgs[("A", OrgKind.FUND)].id)
    return accounts.actor_for(session, user)


@pytest.fixture
def setup(session, world) -> Setup:
    """Province A batch in execution with signed contracts."""
    return make_setup(session, world)


@pytest.fixture
def officer_b(session, world):
    """The second settlement officer of province A."""
    return second_officer(session, world)


def settled_lines(session) -> dict[int, tuple[int, int]]:
    """Every settled line: acceptance id → (run id, gross it was settled at), from the claims."""
    from sqlmodel import select

    from core.money import line_amount_fen
    from settlement.models import Acceptance
    from settlement.runs.claims import clawed_back, settled, settling_run

    rows = session.exec(select(Acceptance.id, settling_run(), Acceptance.quantity - Acceptance.returned,
                               Contract.ucp_e4, clawed_back())
                        .join(Contract, Contract.id == Acceptance.contract_id).where(settled())).all()
    return {pk: (run, line_amount_fen(net, price) + int(claw)) for pk, run, net, price, claw in rows}


def delivery_workbook(rows) -> bytes:
    """A delivery workbook (sheet 发货) with the given data rows, as a supplier's ERP writes it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "发货"
    ws.append(["合同编号", "发货数量", "发货日期", "企业单号"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
