"""A hospital records its own payment of self-settled accepted rows: exactly their total, not in
the future, a proper bank reference, its own rows only, each row once; everything else refused
with the reason and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.money import format_yuan
from directpay.queries import direct_ids
from orders.rules import OrderRefused
from selfpay.models import SelfPayment, SelfPaymentLine
from selfpay.services import record_self_payment
from tests.orders.conftest import listed
from tests.selfpay.conftest import NOW, accept_all


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def _yuan(fen):
    return format_yuan(fen).removeprefix("¥").replace(",", "")


def test_only_the_non_vbp_row_is_self_settled(session, accepted):
    # no scope set: the default phase settles every VBP-selected row directly, nothing else
    assert direct_ids(session, [accepted.vbp.id, accepted.plain.id]) == {accepted.vbp.id}


def test_the_hospital_pays_the_plain_row_in_full(session, accepted):
    row = accepted.plain
    assert row.amount_fen == 40004  # 4 packs × ¥100.01
    payment = record_self_payment(session, accepted.shop.hospital, [row.id], "2026-12-01", "400.04", "CMB-2026-001", NOW)
    assert (payment.amount_fen, payment.bank_ref, payment.supplier_org_id) == (40004, "CMB-2026-001",
                                                                               row.supplier_org_id)
    assert session.exec(select(SelfPaymentLine.acceptance_id)).all() == [row.id]


def test_a_row_already_paid_is_refused(session, accepted):
    hospital, row = accepted.shop.hospital, accepted.plain
    record_self_payment(session, hospital, [row.id], "2026-12-01", "400.04", "CMB-001", NOW)
    with pytest.raises(OrderRefused, match="already paid"):
        record_self_payment(session, hospital, [row.id], "2026-12-01", "400.04", "CMB-002", NOW)
    assert _count(session, SelfPayment) == 1


def test_every_refusal_names_its_field_and_nothing_is_written(session, accepted):
    hospital, row = accepted.shop.hospital, accepted.plain
    with pytest.raises(OrderRefused) as refused:
        record_self_payment(session, hospital, [row.id, accepted.vbp.id, row.id], "2026-12-09", "400.00", "no",
                            NOW)
    fields = [f for _k, f, _m in refused.value.problems]
    assert fields == ["lines[1]", "lines[2]", "paid_on", "bank_ref"]
    texts = [m.english() for _k, _f, m in refused.value.problems]
    assert "not self-settled" in texts[0] and "named twice" in texts[1] and "in the future" in texts[2]
    with pytest.raises(OrderRefused, match="is not the lines' total ¥400.04"):
        record_self_payment(session, hospital, [row.id], "2026-12-01", "400.00", "CMB-001", NOW)
    with pytest.raises(OrderRefused, match="more than 2 decimal places"):
        record_self_payment(session, hospital, [row.id], "2026-12-01", "400.041", "CMB-001", NOW)
    with pytest.raises(OrderRefused, match="must be a date"):
        record_self_payment(session, hospital, [row.id], "yesterday", "400.04", "CMB-001", NOW)
    with pytest.raises(OrderRefused, match="before the acceptance"):
        record_self_payment(session, hospital, [row.id], "2026-11-30", "400.04", "CMB-001", NOW)
    with pytest.raises(OrderRefused, match="choose the accepted lines"):
        record_self_payment(session, hospital, [], "2026-12-01", "400.04", "CMB-001", NOW)
    assert _count(session, SelfPayment) == 0 and _count(session, SelfPaymentLine) == 0


def test_another_hospitals_rows_are_refused_and_only_hospitals_pay(session, world, accepted):
    other = accept_all(session, listed(session, world, "B"), NOW, side="B")
    with pytest.raises(OrderRefused, match="no such accepted line of your hospital"):
        record_self_payment(session, accepted.shop.hospital, [other.plain.id], "2026-12-01", _yuan(
            other.plain.amount_fen), "CMB-001", NOW)
    with pytest.raises(Forbidden):
        record_self_payment(session, world.actors[("A", Role.SUPPLIER_REP)], [accepted.plain.id], "2026-12-01",
                            "400.04", "CMB-001", NOW)
    assert _count(session, SelfPayment) == 0


def test_a_payment_may_cover_several_rows_of_one_supplier(session, accepted):
    later = accept_all(session, accepted.shop, NOW + timedelta(days=2), plain=1)
    total = accepted.plain.amount_fen + later.plain.amount_fen
    payment = record_self_payment(session, accepted.shop.hospital, [accepted.plain.id, later.plain.id], "2026-12-03",
                                  "500.05", "ICBC/77", NOW + timedelta(days=2))
    assert payment.amount_fen == total == 50005
