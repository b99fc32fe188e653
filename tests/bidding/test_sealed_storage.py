"""The raw database holds no plaintext price or capacity before the opening, and concurrent
submissions at the deadline leave exactly one live bid per supplier and item."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from accounts.roles import Role
from bidding import services
from bidding.models import BidSubmission
from core.db import retrying
from schema import metadata
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import aware

T0 = aware(2030, 1, 1, 0, 0)
DEMAND, DEADLINE, OPENING = T0 + timedelta(days=1), T0 + timedelta(days=10), T0 + timedelta(days=10, hours=1)


def _dump(db) -> str:
    """Every value of every table as text: what someone reading the database would see."""
    parts = []
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_database_holds_no_plaintext_price_or_capacity(db, session, world, ring):
    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    secrets = ("13579", "1.3579", "8642097", "7531000", "12468", "1.2468")
    # the session-wide database holds other tests' rows, whose random hashes and tokens may
    # contain a short figure by chance: what the submission adds must not contain any
    before = _dump(db)
    # distinctive figures: pack price ¥1.3579 and capacity 8,642,097
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code,
                        bid(pack_price_e4=13579, capacity=8642097, tiers=[(7_531_000, 12468)]), ring,
                        DEMAND + timedelta(hours=1))
    dump = _dump(db)
    for secret in secrets:
        assert dump.count(secret) == before.count(secret), secret
    services.open_bids(session, None, code, ring, OPENING)
    assert "8642097" in _dump(db)  # after the opening the record is plaintext, by design


def test_concurrent_submissions_at_the_deadline_leave_one_live_bid(db, session, world, ring):
    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    rep = world.actors[("A", Role.SUPPLIER_REP)]
    just_before = DEADLINE - timedelta(milliseconds=5)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            start.wait()

            def unit():
                with db.write_session() as s:
                    services.submit_bid(s, rep, code, bid(pack_price_e4=14000 - n), ring, just_before)
            retrying(unit)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read_session() as s:
        rows = s.exec(select(BidSubmission)).all()
    assert len(rows) == 8
    assert [r.status for r in rows].count("live") == 1
    record = services.open_bids(session, None, code, ring, OPENING)
    assert record.bids == 1


def test_no_route_shows_a_price_before_the_opening(app, client, session, world, ring):
    from tests.conftest import csrf_token, login

    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code,
                        bid(pack_price_e4=13579, capacity=8642097), ring, DEMAND + timedelta(hours=1))
    session.close()
    secrets = ("1.3579", "8,642,097", "8642097", "0.1940")  # pack price, capacity, UCP ¥0.1940 (13579/7)
    batch_urls = [r.rule.replace("<code>", code) for r in app.url_map.iter_rules()
                  if "<code>" in r.rule and "GET" in r.methods and "<" not in r.rule.replace("<code>", "")]
    assert len(batch_urls) >= 4
    for role in Role:
        login(client, world.username("A", role))
        for url in batch_urls:
            response = client.get(url)
            body = response.get_data(as_text=True) if response.mimetype.startswith("text") else response.data.decode("latin-1")
            assert not any(s in body for s in secrets), (role, url)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_tampered_receipt_makes_the_bid_invalid_with_its_reason(db, session, world, ring):
    import json

    from bidding.models import OpenedBid

    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, DEMAND)
    session.close()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bid_submission SET receipt = :r"), {"r": "0" * 64})
    with db.write_session() as s:
        record = services.open_bids(s, None, code, ring, OPENING)
        opened = s.exec(select(OpenedBid)).one()
    assert (record.bids, record.valid_bids) == (1, 0)
    assert not opened.valid and json.loads(opened.reasons_json) == ["receipt_mismatch"]
