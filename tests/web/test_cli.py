"""The seed command loads the demo once and prints the logins; db upgrade is idempotent."""

from sqlmodel import func, select

from accounts.models import Organisation, User
from procurement.models import Batch, BatchItem


def test_seed_demo_through_the_cli(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--hospitals", "20", "--suppliers", "5"])
    assert result.exit_code == 0, result.output
    for username in ("admin", "admin2", "officer", "officer2", "settle", "settle2", "hospital", "supplier",
                     "distributor"):
        assert username in result.output
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(Organisation).where(Organisation.kind == "hospital")).one() == 20
        assert s.exec(select(func.count()).select_from(User)).one() == 9
        statuses = sorted(b.status for b in s.exec(select(Batch)).all())
        # the open batch, one ready for evaluation, and the later stages (tests/web/test_demo_stages.py)
        assert statuses == ["bidding", "demand", "execution", "execution", "execution", "opened", "publicity", "review"]  # the national result and the supply demo too
        assert s.exec(select(func.count()).select_from(BatchItem)).one() == 20 + 6 + 3 + 2 + 3 + 2 + 3 + 1  # … their 3 and 1 items
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0 and "already present" in again.output
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_db_upgrade_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "0 default regions added" in result.output
