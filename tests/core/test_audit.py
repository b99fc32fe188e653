"""The audit chain detects edited, deleted and truncated entries, and the CLI names them; it is
keyed, so a database writer without the audit key cannot recompute a chain that verifies."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from core import audit
from core.audit import AuditActor, AuditEntry, AuditKeyMissing, canonical_json, verify_chain
from core.keys import Key, KeyRing

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


# -- the key (issue 13, item 11) ------------------------------------------------------------------

BODY_FIELDS = ("seq", "at", "actor_user_id", "actor_org_id", "actor_name", "action", "subject_type",
               "subject_id", "detail", "prev_hash")


def _rechain(db, forge_seq, forged_detail, sign):
    """What a database writer does without the key: forge one entry's detail, then recompute
    every hash from the stored content (``sign(body, row) -> (hash, key_id)``) and the head."""
    with db.engine.begin() as conn:
        has_key_id = "key_id" in {c["name"] for c in inspect(conn).get_columns("audit_entry")}
        rows = conn.execute(text("SELECT * FROM audit_entry ORDER BY seq")).mappings().all()
        prev = "0" * 64
        for row in rows:
            row = dict(row)
            if row["seq"] == forge_seq:
                row["detail"] = forged_detail
            at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(row["at"])
            content = {k: row[k] for k in BODY_FIELDS} | {"at": at.replace(tzinfo=UTC).isoformat(),
                                                           "prev_hash": prev}
            digest, key_id = sign(content, row)
            sets = "detail = :d, prev_hash = :p, hash = :h" + (", key_id = :k" if has_key_id else "")
            conn.execute(text(f"UPDATE audit_entry SET {sets} WHERE seq = :s"),
                         {"d": row["detail"], "p": prev, "h": digest, "k": key_id, "s": row["seq"]})
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": len(rows), "h": prev})


def _sha256(content, _row):
    return hashlib.sha256(canonical_json(content).encode()).hexdigest(), None


def test_a_forged_amount_with_a_recomputed_unkeyed_chain_and_head_is_detected(db):
    _append(db, 5)
    _rechain(db, 3, '{"amount_fen":1}', _sha256)
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and "not keyed" in report.reason


def test_a_rechain_with_the_wrong_key_is_detected(db):
    _append(db, 5)
    mallory = Key.generate("audit-test")  # the right key id, not the key

    def sign(content, _row):
        body = canonical_json(content | {"key_id": mallory.key_id}).encode()
        return hmac.new(mallory.secret, b"jicai.audit.entry\n" + body, hashlib.sha256).hexdigest(), mallory.key_id

    _rechain(db, 3, '{"amount_fen":1}', sign)
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == 1 and "hash" in report.reason


def test_entries_name_their_key_and_keys_rotate(db, audit_key):
    _append(db, 2)
    new = Key.generate("audit-2027")
    audit.configure(KeyRing((new, *audit_key.keys)))  # the new key first, the old one kept to verify
    _append(db, 2)
    with db.read_session() as s:
        ids = s.exec(select(AuditEntry.key_id).order_by(AuditEntry.seq)).all()
        assert ids == ["audit-test", "audit-test", "audit-2027", "audit-2027"]
        assert verify_chain(s).ok
        without_old = verify_chain(s, KeyRing((new,)))
    assert not without_old.ok and without_old.first_broken_seq == 1 and "audit-test" in without_old.reason


def _legacy_entries(db, n):
    """Entries as the platform wrote them before the chain was keyed (key_id NULL, SHA-256)."""
    prev = "0" * 64
    with db.engine.begin() as conn:
        for seq in range(1, n + 1):
            at = datetime(2026, 1, seq, tzinfo=UTC)
            content = {"seq": seq, "at": at.isoformat(), "actor_user_id": None, "actor_org_id": None,
                       "actor_name": "old", "action": "old.action", "subject_type": "thing",
                       "subject_id": str(seq), "detail": "{}", "prev_hash": prev}
            digest = hashlib.sha256(canonical_json(content).encode()).hexdigest()
            conn.execute(text("INSERT INTO audit_entry (seq, at, actor_name, action, subject_type, subject_id, "
                              "detail, prev_hash, hash) VALUES (:seq, :at, 'old', 'old.action', 'thing', :sid, "
                              "'{}', :prev, :h)"), {"seq": seq, "at": at, "sid": str(seq), "prev": prev, "h": digest})
            prev = digest
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :s, :h)"), {"s": n, "h": prev})


def test_legacy_entries_before_the_key_are_covered_by_the_first_keyed_one(app, db):
    _legacy_entries(db, 3)
    with db.read_session() as s:
        assert "not keyed" in verify_chain(s).reason  # migrated, key not adopted yet
    upgraded = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0 and "3 unkeyed entries" in upgraded.output
    with db.read_session() as s:
        report = verify_chain(s)
        adopted = s.exec(select(AuditEntry).where(AuditEntry.seq == 4)).one()
    assert report.ok and report.legacy == 3 and report.entries == 4 and adopted.action == "audit.key_adopted"
    assert "first 3 entries predate the audit key" in app.test_cli_runner().invoke(args=["audit", "verify"]).output
    with db.engine.begin() as conn:  # a legacy entry edited after the key adopted it
        conn.execute(text("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 2"))
    with db.read_session() as s:
        assert verify_chain(s).first_broken_seq == 2


def test_an_unkeyed_entry_after_keyed_ones_is_detected(db):
    _append(db, 3)
    _rechain(db, 0, "", lambda content, row: ((_sha256(content, row)[0], None) if row["seq"] == 3
                                              else (row["hash"], row["key_id"])))
    with db.read_session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == 3 and "unkeyed entry after keyed" in report.reason


def test_nothing_is_recorded_without_an_audit_key(db):
    audit.configure(None)
    with db.write_session() as s, pytest.raises(AuditKeyMissing):
        audit.record(s, ALICE, "test.action", "thing", 1)
