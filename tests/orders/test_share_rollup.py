"""The monthly rollup behind the share figures (orders.rollup), SQLite and PostgreSQL: after a story
of accepts and rejects over two months and two provinces — run through the real services at moved
times — the maintained rows equal the raw GROUP BY over order_acceptance, the figures equal those
of the raw computation for every scope; a selected product listed later turns a generic's earlier
purchases non-selected: the figures follow at once (drift corrected on read), the daily step moves
the amounts, and a rebuild gives the same rows; concurrent acceptances and a reclassification
never lose a fen."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from accounts.roles import Role
from jobs.tasks import alerts_pass
from listing.services import ProductInput, decide_listing, submit_listing
from orders import rollup
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderLine, ShipmentLine
from orders.services import LineInput, OrderInput, place_orders
from orders.shares import raw_bought, rolled_up, shares
from tests.conftest import run_together
from tests.orders.conftest import NOW, PLAIN_CODE, VBP_CODE, listed

LATER = NOW + timedelta(days=40)  # 2027-01
OTHER_CODE = "XC10AAA001A001010100003"  # atorvastatin of another maker: non-selected of a VBP generic
SELECTED_PLAIN = "XL02BBA326A001010102182"  # bicalutamide selected in VBPA, listed after the purchases


def _deliver(session, shop, codes, packs, now=NOW):
    """Order ``codes`` × ``packs``, confirm and ship everything; the shipment lines."""
    order = place_orders(session, shop.hospital, [OrderInput(f"{shop.hospital_side}-distributor", [
        LineInput(code, packs) for code in codes])], now, send=True).orders[0]
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    decide_lines(session, shop.distributor, order.id, [(ln.id, True, "") for ln in lines], now)
    ship(session, shop.distributor, order.id, [ShipInput(ln.id, ln.quantity, f"L{ln.line_no}", "2029-01-01")
                                               for ln in lines], now)
    return session.exec(select(ShipmentLine).where(ShipmentLine.order_line_id.in_([ln.id for ln in lines]))
                        .order_by(ShipmentLine.id)).all()


def _story(session, world):
    """Province A buys its three products in 2026-12 and 2027-01, with rejections; B buys too."""
    a = listed(session, world, "A")
    a.hospital_side = "A"
    other = submit_listing(session, a.supplier, ProductInput(OTHER_CODE, "阿托伐他汀钙片", "片剂", "10mg", "7片/盒",
                                                             "另一制药", "20", "not_vbp"), NOW)
    decide_listing(session, a.officer, other.id, True, "", NOW)
    for sl in _deliver(session, a, [VBP_CODE, PLAIN_CODE, OTHER_CODE], 10):
        answer_shipment_line(session, a.hospital, sl.id, 4, True, "", NOW)
        answer_shipment_line(session, a.hospital, sl.id, 1, False, "破损", NOW)
        answer_shipment_line(session, a.hospital, sl.id, 3, True, "", LATER)
        answer_shipment_line(session, a.hospital, sl.id, 2, False, "近效期", LATER)
    b = listed(session, world, "B")
    b.hospital_side = "B"
    for sl in _deliver(session, b, ["XC10AAA001A001010100002", "XL02BBA326A001010102181"], 7):
        answer_shipment_line(session, b.hospital, sl.id, 7, True, "", NOW)
    return a, b


def _net(rows):
    """(hospital, month, kind, class) → fen, zero sums left out."""
    out = defaultdict(int)
    for h, m, k, c, fen in rows:
        out[(h, m, k, c)] += fen
    return {key: fen for key, fen in out.items() if fen}


def _table(session):
    """The maintained rollup rows (zero rows left out)."""
    return {tuple(r[:5]): r[5] for r in session.execute(text(
        "SELECT hospital_org_id, region_code, month, kind, cls, amount_fen FROM order_share_month")).all() if r[5]}


def _group_by(session):
    """The raw GROUP BY over order_acceptance with the products' current classes."""
    return {tuple(r[:5]): int(r[5]) for r in session.execute(text(
        "SELECT a.hospital_org_id, a.region_code, a.month, n.kind, n.cls, SUM(a.amount_fen) FROM order_acceptance a"
        " JOIN (" + rollup.CLASSES.format(where="1 = 1") + ") n ON n.product_id = a.product_id"
        " WHERE a.kind = 'accepted' GROUP BY a.hospital_org_id, a.region_code, a.month, n.kind, n.cls")).all()}


def _actors(world):
    return [world.actors[(side, role)] for side in ("A", "B")
            for role in (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.HOSPITAL_BUYER)]


def _same_figures(session, world):
    for actor in _actors(world):
        for period in ("2026-12", "2027-01", "2026", "2027", "2025-06"):
            assert _net(rolled_up(session, actor, period)) == _net(raw_bought(session, actor, period)), (actor, period)


def test_the_rollup_equals_the_raw_group_by_after_accepts_and_rejects(session, world):
    a, _b = _story(session, world)
    assert _table(session) == _group_by(session)
    assert len({k[2] for k in _table(session)}) == 2 and len({k[0] for k in _table(session)}) == 2
    _same_figures(session, world)
    bureau = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    december = shares(session, bureau, "2026-12").total
    # 4 packs each: VBP 4 × 12.3456 = ¥49.38, plain 4 × 100.01 = ¥400.04, non-selected 4 × 20 = ¥80.00
    assert (december.accepted_fen, december.vbp_fen, december.non_selected_fen) == (4938 + 40004 + 8000, 4938, 8000)
    assert shares(session, bureau, "2027").total.accepted_fen == 3704 + 30003 + 6000


def test_a_later_selected_listing_reclassifies_the_generic_and_the_figures_follow(session, world, db):
    a, b = _story(session, world)
    bureau = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    before = shares(session, bureau, "2026").total
    selected = submit_listing(session, a.supplier, ProductInput(SELECTED_PLAIN, "比卡鲁胺片", "片剂", "50mg", "28片/盒",
                                                                "中选制药", "60", "selected", "VBPA"), LATER)
    decide_listing(session, a.officer, selected.id, True, "", LATER)
    # the earlier bicalutamide (of both provinces: a generic is one name) is non-selected now
    assert sorted(rollup.drift(session)) == sorted([a.plain.id, b.plain.id])
    assert _table(session) != _group_by(session)  # summed under its old class …
    _same_figures(session, world)  # … yet the figures are the raw ones at once
    after = shares(session, bureau, "2026").total
    assert after.non_selected_fen == before.non_selected_fen + 40004
    assert after.accepted_fen == before.accepted_fen
    session.commit()
    report = alerts_pass(db, LATER)
    assert "share_classes" in report.done
    session.expire_all()
    assert rollup.drift(session) == {} and _table(session) == _group_by(session)
    _same_figures(session, world)
    session.commit()  # the write lock (SQLite) is the pass's
    assert "share_classes" in alerts_pass(db, LATER).idle
    maintained = _table(session)
    rollup.rebuild(session)
    assert _table(session) == maintained


def test_concurrent_acceptances_and_a_reclassification_lose_no_fen(db, session, world):
    a = listed(session, world, "A")
    a.hospital_side = "A"
    slines = [sl.id for sl in _deliver(session, a, [PLAIN_CODE], 8)]
    answer_shipment_line(session, a.hospital, slines[0], 1, True, "", NOW)  # the product's class is recorded
    selected = submit_listing(session, a.supplier, ProductInput(SELECTED_PLAIN, "比卡鲁胺片", "片剂", "50mg", "28片/盒",
                                                                "中选制药", "60", "selected", "VBPA"), NOW)
    decide_listing(session, a.officer, selected.id, True, "", NOW)
    session.commit()

    def work(i, start):
        with db.write_session() as s:
            start()
            if i == 0:
                moved = rollup.reclassify(s)
                s.commit()
                return moved
            return answer_shipment_line(s, a.hospital, slines[0], 1, True, "", NOW).id

    run_together(4, work)
    session.expire_all()
    rollup.reclassify(session)
    session.commit()
    assert _table(session) == _group_by(session)
    assert sum(_table(session).values()) == 4 * 10001
