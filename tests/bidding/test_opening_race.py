"""An amendment in flight at the opening time is either opened or refused, never lost.

Found by ``make loadtest`` reasoning about the last second before a deadline (opening time =
bid deadline, as the tendering law has it): a submission that passed the "batch is in
bidding" check just before the deadline but had not yet written its row (it waits for the
supplier's per-item bid lock, or any other) was not seen by ``open_bids``, which committed
the opening with the *previous* bid; the amendment then committed and its receipt was shown,
but the opening never contained it. Only PostgreSQL interleaves these transactions (SQLite
write sessions are serialised as a whole).
"""

from __future__ import annotations

import threading
import time
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from accounts.roles import Role
from bidding import services
from bidding.models import BidSubmission, OpenedBid
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import aware


def test_amendment_in_flight_at_the_opening_is_not_lost(db, world, ring):
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises whole write transactions")
    deadline = aware(2030, 3, 1, 12)
    with db.write_session() as s:
        code = make_bidding_batch(s, world, demand_deadline=aware(2030, 2, 1), bid_deadline=deadline,
                                  opening_at=deadline)
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    with db.write_session() as s:
        services.submit_bid(s, supplier, code, bid(pack_price_e4=14000), ring, deadline - timedelta(hours=1))

    # another request of the same supplier for the same item holds its bid lock for a moment
    with db.read_session() as s:
        item_id = s.exec(select(BidSubmission.batch_item_id)).first()
    other = db.engine.connect()
    busy = other.begin()
    other.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                  {"k": zlib.crc32(f"bid:{item_id}:{supplier.org_id}".encode()) & 0x7FFFFFFF})
    outcome: dict[str, object] = {}

    def amend() -> None:
        with db.write_session() as s:
            try:
                done = services.submit_bid(s, supplier, code, bid(pack_price_e4=13000), ring,
                                           deadline - timedelta(milliseconds=1))
                outcome["receipt"] = done.prepared.receipt
            except services.BidRefused as exc:
                outcome["refused"] = exc

    amending = threading.Thread(target=amend)
    amending.start()
    time.sleep(0.5)  # the amendment has passed its checks and waits for the lock

    def open_at_deadline() -> None:
        with db.write_session() as s:
            services.open_bids(s, None, code, ring, deadline)

    opening = threading.Thread(target=open_at_deadline)
    opening.start()
    time.sleep(0.5)
    busy.rollback()
    other.close()
    amending.join(10)
    opening.join(10)
    assert not amending.is_alive() and not opening.is_alive()

    with db.read_session() as s:
        live = s.exec(select(BidSubmission).where(BidSubmission.status == "live")).all()
        opened = s.exec(select(OpenedBid)).all()
    assert len(opened) == 1
    if "receipt" in outcome:  # acknowledged: then it is what was opened
        assert opened[0].receipt == outcome["receipt"]
        assert opened[0].pack_price_e4 == 13000
    else:  # refused: the opening holds the earlier bid and nothing else changed
        assert opened[0].pack_price_e4 == 14000
    assert [row.id for row in live] == [opened[0].submission_id]
