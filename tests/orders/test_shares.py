"""The bureau's platform figures from orders (orders.shares): on a small story run through the
real services — a VBP-selected product, a non-selected product of the same generic, a product not
in VBP, all accepted, and the hospital's reported total spend — every share equals the hand
computation; a correction supersedes the earlier figure, keeping it; bad reports write nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.roles import Role
from listing.services import ProductInput, decide_listing, submit_listing
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import HospitalSpend, OrderLine, ShipmentLine
from orders.rules import OrderRefused
from orders.services import LineInput, OrderInput, place_orders
from orders.shares import ShareTargets, shares
from orders.spend import report_spend
from tests.orders.conftest import NOW, PLAIN_CODE, VBP_CODE

OTHER_CODE = "XC10AAA001A001010100003"  # atorvastatin of another maker: non-selected of a VBP generic


def bought(session, world, shop):
    """List the non-selected atorvastatin, then order, ship and accept 10 VBP packs (¥123.46),
    2 plain packs (¥200.02) and 5 non-selected packs at ¥20 (¥100.00) — all in 2026-12."""
    other = submit_listing(session, shop.supplier, ProductInput(OTHER_CODE, "阿托伐他汀钙片", "片剂", "10mg", "7片/盒",
                                                                "另一制药", "20", "not_vbp"), NOW)
    decide_listing(session, shop.officer, other.id, True, "", NOW)
    order = place_orders(session, shop.hospital, [OrderInput("A-distributor", [
        LineInput(VBP_CODE, 10), LineInput(PLAIN_CODE, 2), LineInput(OTHER_CODE, 5)])], NOW, send=True).orders[0]
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    decide_lines(session, shop.distributor, order.id, [(ln.id, True, "") for ln in lines], NOW)
    ship(session, shop.distributor, order.id, [ShipInput(ln.id, ln.quantity, f"L{ln.line_no}", "2028-01-01")
                                               for ln in lines], NOW)
    for sl in session.exec(select(ShipmentLine).order_by(ShipmentLine.id)).all():
        answer_shipment_line(session, shop.hospital, sl.id, sl.quantity, True, "", NOW)


def test_every_share_equals_the_hand_computation(session, world, shop):
    bought(session, world, shop)
    bureau = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    before = shares(session, bureau, "2026-12")
    assert before.total.accepted_fen == 12346 + 20002 + 10000
    assert before.total.platform_share("drug") is None  # nothing reported: not yet available, never guessed
    assert before.total.unreported == {"drug": 1}
    report_spend(session, shop.hospital, "2026-12", "drug", "500.00", "", NOW)
    for period in ("2026-12", "2026"):
        s = shares(session, bureau, period)
        for row in (s.total, s.cities[0], s.hospitals[0]):
            assert row.platform_share("drug") == Decimal("0.8470")  # 42,348 ÷ 50,000 fen
            assert row.vbp_share == Decimal("0.2915")  # 12,346 ÷ 42,348
            assert row.non_selected_share == Decimal("0.4475")  # 10,000 ÷ (12,346 + 10,000)
            assert row.platform_share("consumable") is None
        assert s.meets("drug") is False and s.meets("consumable") is None
        assert [h.label for h in s.hospitals] == ["A hospital"]
    assert shares(session, bureau, "2026-11").total.accepted_fen == 0
    assert shares(session, bureau, "2026-12", ShareTargets(drugs_pct=84)).meets("drug") is True
    own = shares(session, shop.hospital, "2026-12")
    assert own.total.platform_share("drug") == Decimal("0.8470")
    other = shares(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], "2026-12")
    assert other.hospitals == () and other.total.accepted_fen == 0  # another province sees none of it


def test_a_correction_needs_a_reason_and_keeps_the_earlier_figure(session, world, shop):
    bought(session, world, shop)
    first = report_spend(session, shop.hospital, "2026-12", "drug", "500", "", NOW)
    with pytest.raises(OrderRefused, match="already reported"):
        report_spend(session, shop.hospital, "2026-12", "drug", "600", "", NOW)
    later = NOW + timedelta(hours=1)
    report_spend(session, shop.hospital, "2026-12", "drug", "42,348", "漏报院外采购", later)
    rows = session.exec(select(HospitalSpend).order_by(HospitalSpend.id)).all()
    assert [(r.amount_fen, r.superseded_at is not None) for r in rows] == [(50000, True), (4234800, False)]
    assert (first.superseded_by, rows[1].reason) == (shop.hospital.user_id, "漏报院外采购")
    assert shares(session, shop.hospital, "2026-12").total.platform_share("drug") == Decimal("0.0100")


@pytest.mark.parametrize(("month", "kind", "amount", "field"), [
    ("2026-13", "drug", "1", "month"), ("2027-01", "drug", "1", "month"), ("", "drug", "1", "month"),
    ("2026-12", "food", "1", "kind"), ("2026-12", "drug", "-1", "amount"), ("2026-12", "drug", "1.234", "amount"),
    ("2026-12", "drug", "abc", "amount"), ("2026-12", "drug", "1e30", "amount")])
def test_a_bad_report_is_refused_naming_the_field_and_writes_nothing(session, shop, month, kind, amount, field):
    with pytest.raises(OrderRefused) as refused:
        report_spend(session, shop.hospital, month, kind, amount, "", NOW)
    assert refused.value.problems[0][1] == field
    assert session.exec(select(func.count()).select_from(HospitalSpend)).one() == 0


def test_only_a_hospital_reports(session, shop):
    with pytest.raises(Forbidden):
        report_spend(session, shop.officer, "2026-12", "drug", "1", "", NOW)
