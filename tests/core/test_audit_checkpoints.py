"""Signed checkpoints outside the database anchor the audit chain: a log truncated after a
checkpoint, or re-chained up to one, is detected even when ``audit_head`` was rewritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from core import audit
from core.audit import AuditActor, AuditEntry, verify_chain
from core.audit_checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_to_file,
    read_checkpoints,
    take_checkpoint,
)
from core.keys import Key, KeyRing

BOB = AuditActor(user_id=None, org_id=None, name="bob")
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _append(db, n):
    with db.write_session() as s:
        for i in range(n):
            audit.record(s, BOB, "settlement.pay", "instruction", i, {"amount_fen": 100 * i})
        s.commit()


def _checkpoint(db, ring, path):
    with db.read_session() as s:
        return checkpoint_to_file(s, ring, path, NOW)


def _truncate_to(db, seq):
    """Delete the entries after ``seq`` and rewrite the head to match: the chain alone verifies."""
    with db.engine.begin() as conn:
        head_hash = conn.execute(text("SELECT hash FROM audit_entry WHERE seq = :s"), {"s": seq}).scalar_one()
        conn.execute(text("DELETE FROM audit_entry WHERE seq > :s"), {"s": seq})
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": seq, "h": head_hash})


def test_a_truncation_after_a_checkpoint_is_detected_although_the_head_was_rewritten(db, audit_key, tmp_path):
    path = tmp_path / "checkpoints.jsonl"
    _append(db, 5)
    cp = _checkpoint(db, audit_key, path)
    assert (cp.seq, cp.legacy, cp.key_id) == (5, 0, "audit-test") and read_checkpoints(path) == [cp]
    _truncate_to(db, 3)
    with db.read_session() as s:
        assert verify_chain(s).ok  # the database alone cannot tell
        report = verify_chain(s, audit_key, read_checkpoints(path))
    assert not report.ok and report.first_broken_seq == 4 and "entries after 3 were removed" in report.reason


def test_a_rechain_up_to_a_checkpoint_is_detected_even_with_the_key(db, audit_key, tmp_path):
    """Someone who stole the key rewrites entry 2 and re-signs the chain: the published checkpoint
    still pins the old hashes."""
    path = tmp_path / "checkpoints.jsonl"
    _append(db, 4)
    _checkpoint(db, audit_key, path)
    with db.write_session() as s:
        entries = s.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        prev = audit.GENESIS
        for entry in entries:
            entry.detail = '{"amount_fen":1}' if entry.seq == 2 else entry.detail
            entry.prev_hash = prev
            entry.hash = prev = audit.keyed_hash(audit_key.current, audit.entry_body(entry))
        head = s.get(audit.AuditHead, 1)
        head.hash = prev
        s.commit()
    with db.read_session() as s:
        assert verify_chain(s).ok
        report = verify_chain(s, audit_key, read_checkpoints(path))
    assert not report.ok and report.first_broken_seq == 4 and "does not match the checkpoint" in report.reason


def test_a_forged_or_edited_checkpoint_line_is_refused(db, audit_key, tmp_path):
    path = tmp_path / "checkpoints.jsonl"
    _append(db, 3)
    _checkpoint(db, audit_key, path)
    line = json.loads(path.read_text())
    path.write_text(json.dumps(line | {"seq": 2}) + "\n")
    with db.read_session() as s:
        report = verify_chain(s, audit_key, read_checkpoints(path))
    assert not report.ok and "wrong signature" in report.reason
    path.write_text("not json\n")
    with pytest.raises(CheckpointError, match="line 1"):
        read_checkpoints(path)
    other = Checkpoint(3, "0" * 64, 0, NOW.isoformat(), "mallory").signed(KeyRing((Key.generate("mallory"),)))
    with db.read_session() as s:
        assert "does not hold" in verify_chain(s, audit_key, [other]).reason


def test_a_broken_chain_is_never_anchored(db, audit_key, tmp_path):
    _append(db, 3)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = '{}' WHERE seq = 2"))
    with db.read_session() as s, pytest.raises(CheckpointError, match="entry 2"):
        take_checkpoint(s, audit_key, NOW)


def test_checkpoints_survive_key_rotation(db, audit_key, tmp_path):
    path = tmp_path / "checkpoints.jsonl"
    _append(db, 2)
    _checkpoint(db, audit_key, path)
    rotated = KeyRing((Key.generate("audit-2027"), *audit_key.keys))
    audit.configure(rotated)
    _append(db, 2)
    _checkpoint(db, rotated, path)
    with db.read_session() as s:
        report = verify_chain(s, rotated, read_checkpoints(path))
    assert report.ok and report.checkpoints == 2
    assert [cp.key_id for cp in read_checkpoints(path)] == ["audit-test", "audit-2027"]


def test_the_daily_pass_appends_a_checkpoint_when_a_file_is_configured(db, audit_key, tmp_path):
    from jobs.tasks import alerts_pass

    path = tmp_path / "anchors" / "audit.jsonl"
    _append(db, 2)
    assert "audit_checkpoint" not in alerts_pass(db, NOW).done + alerts_pass(db, NOW).idle  # none configured
    audit.configure(audit_key, path)
    report = alerts_pass(db, NOW)
    assert "audit_checkpoint" in report.done and [cp.seq for cp in read_checkpoints(path)] == [2]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = '{}' WHERE seq = 1"))
    failed = alerts_pass(db, NOW)
    assert [name for name, _error in failed.failed] == ["audit_checkpoint"] and len(read_checkpoints(path)) == 1


def test_cli_checkpoint_and_verify(app, db, tmp_path):
    path = tmp_path / "published.jsonl"
    _append(db, 3)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["audit", "checkpoint", "--file", str(path)])
    assert made.exit_code == 0, made.output
    assert Checkpoint.from_line(made.output.strip().splitlines()[-1]) == read_checkpoints(path)[0]
    ok = runner.invoke(args=["audit", "verify", "--checkpoints", str(path)])
    assert ok.exit_code == 0 and "3 entries" in ok.output and "1 checkpoints match" in ok.output
    _truncate_to(db, 2)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # without the checkpoint file
    broken = runner.invoke(args=["audit", "verify", "--checkpoints", str(path)])
    assert broken.exit_code == 1 and "entries after 2 were removed" in broken.output
    again = runner.invoke(args=["audit", "checkpoint", "--file", str(path)])
    assert again.exit_code == 1 and len(read_checkpoints(path)) == 1
    key = runner.invoke(args=["audit", "new-key", "audit-2027"])
    assert key.exit_code == 0 and KeyRing.parse(key.output).current.key_id == "audit-2027"
