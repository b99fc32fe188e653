"""Concurrent writers (SQLite and PostgreSQL): one listing per code, one price request at a time."""

from __future__ import annotations

from sqlmodel import select

from accounts.roles import Role
from listing.models import ListedPrice, ListedProduct
from listing.services import ListingRefused, decide_listing, request_price_change, submit_listing
from tests.conftest import aware, run_together
from tests.listing.conftest import product_input

NOW = aware(2026, 12, 1, 2)


def test_two_suppliers_listing_the_same_code_at_once_list_it_once(db, session, world):
    actors = [world.actors[("A", Role.SUPPLIER_REP)], world.actors[("B", Role.SUPPLIER_REP)]]
    session.commit()

    def submit(i, start):
        with db.write_session() as s:
            start()
            try:
                return submit_listing(s, actors[i], product_input(), NOW).id
            except ListingRefused as exc:
                return str(exc)

    results = run_together(2, submit)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"]
    assert len(session.exec(select(ListedProduct)).all()) == 1


def test_two_price_requests_at_once_leave_one_pending(db, session, world):
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    product = submit_listing(session, supplier, product_input(), NOW)
    decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", NOW)
    product_id = product.id
    session.commit()

    def ask(i, start):
        with db.write_session() as s:
            start()
            try:
                return request_price_change(s, supplier, product_id, str(90 + i), None, "降价", NOW).id
            except ListingRefused as exc:
                return str(exc)

    results = run_together(2, ask)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"]
    statuses = session.exec(select(ListedPrice.status).where(ListedPrice.product_id == product_id)).all()
    assert sorted(statuses) == ["approved", "pending"]
