"""Clearing records: canonical snapshot, hash, LP text, log, replay."""

import json
from dataclasses import replace

from optimizer import solve_item
from optimizer.clearing import canonical_snapshot, replay, snapshot_hash, verify
from tests.optimizer import bid, item, rules


def sample():
    """A two-winner item."""
    return item([bid("A", "0.10", 100), bid("B", "0.20")], [("r1", 60), ("r2", 50), ("r3", 40)])


def test_snapshot_is_canonical_under_reordering():
    it = sample()
    shuffled = replace(it, bids=it.bids[::-1], regions=it.regions[::-1])
    assert canonical_snapshot(rules(), it) == canonical_snapshot(rules(), shuffled)
    assert snapshot_hash(canonical_snapshot(rules(), it)) != snapshot_hash(canonical_snapshot(rules(backup=True), it))


def test_record_holds_model_log_and_replays_to_the_same_result():
    res = solve_item(sample(), rules(), record=True)
    rec = res.clearing
    assert verify(rec)
    assert json.loads(rec.snapshot)["items"][0]["code"] == "X01"
    assert "capacity_A" in rec.lp_text and "one_primary_per_region_r1" in rec.lp_text
    assert "HiGHS" in rec.solver_log
    again = replay(rec)
    assert again.objective == res.objective and again.winners == res.winners
    assert again.clearing.sha256 == rec.sha256


def test_tampered_record_is_refused():
    rec = solve_item(sample(), rules(), record=True).clearing
    bad = replace(rec, snapshot=rec.snapshot.replace("0.2000", "0.1900"))
    assert not verify(bad)
    try:
        replay(bad)
    except ValueError as exc:
        assert "sha256" in str(exc)
    else:
        raise AssertionError("tampered record replayed")
