"""The audit chain detects edited, deleted and truncated entries, and the CLI names them."""

from sqlalchemy import text

from core import audit
from core.audit import AuditActor, verify_chain

ALICE = AuditActor(user_id=None, org_id=None, name="alice")


def _append(db, n):
    with db.write_session() as s:
        for i in range(n):
            audit.record(s, ALICE, "test.action", "thing", i, {"n": i})
        s.commit()


def test_intact_chain_verifies(db):
    _append(db, 5)
    with db.read_session() as s:
        report = verify_chain(s)
    assert report.ok and report.entries == 5


def test_edited_entry_is_named(db):
    _append(db, 5)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = :d WHERE seq = 3"), {"d": '{"n":99}'})
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == 3
    assert "hash" in report.reason


def test_deleted_entry_is_named(db):
    _append(db, 5)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == 2


def test_removed_tail_is_detected_by_the_head(db):
    _append(db, 5)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == 5


def test_cli_verify_exit_codes(app, db):
    _append(db, 3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "3 entries" in ok.output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 2"))
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "entry 2" in broken.output
