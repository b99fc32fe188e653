"""``flask bids open`` refuses before the opening time and opens after it."""

from datetime import timedelta

from accounts.roles import Role
from bidding import services
from core.clock import utcnow
from tests.bidding.conftest import bid, make_bidding_batch


def test_cli_open_refuses_before_the_opening_time(app, session, world, ring):
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(days=2),
                              bid_deadline=now + timedelta(hours=1), opening_at=now + timedelta(hours=2))
    session.close()
    result = app.test_cli_runner().invoke(args=["bids", "open", code])
    assert result.exit_code == 1 and "开标时间未到" in result.output
    missing = app.test_cli_runner().invoke(args=["bids", "open", "NO-SUCH"])
    assert missing.exit_code == 1 and "NO-SUCH" in missing.output


def test_cli_open_after_the_opening_time(app, session, world, ring):
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(days=2),
                              bid_deadline=now - timedelta(hours=2), opening_at=now - timedelta(hours=1))
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, now - timedelta(days=1))
    session.close()
    app.extensions["jicai.keyring"] = ring
    result = app.test_cli_runner().invoke(args=["bids", "open", code])
    assert result.exit_code == 0 and "1 bids, 1 valid" in result.output
