"""Concurrent writers (SQLite and PostgreSQL): four payments of the same line at once record it once."""

from __future__ import annotations

from sqlmodel import select

from orders.rules import OrderRefused
from selfpay.models import SelfPayment, SelfPaymentLine
from selfpay.services import record_self_payment
from tests.conftest import run_together
from tests.selfpay.conftest import NOW


def test_four_payments_of_one_line_at_once_pay_it_once(db, session, accepted):
    hospital, row_id = accepted.shop.hospital, accepted.plain.id
    session.commit()

    def pay(i, start):
        with db.write_session() as s:
            start()
            try:
                return record_self_payment(s, hospital, [row_id], "2026-12-01", "400.04", f"CMB-{i:04d}", NOW).id
            except OrderRefused as exc:
                return str(exc)

    results = run_together(4, pay)
    assert sorted(type(r).__name__ for r in results) == ["int", "str", "str", "str"]
    assert all("already paid" in r for r in results if isinstance(r, str))
    assert len(session.exec(select(SelfPayment)).all()) == 1
    assert len(session.exec(select(SelfPaymentLine)).all()) == 1
