"""Reproducible clearing record: canonical input snapshot, its SHA-256, LP text, solver log.

The snapshot is the item and the full rule set in the JSON input contract's shape, with bids
sorted by supplier, regions by code and keys sorted, so the same evaluation always hashes to
the same value whatever order the data came in. ``replay`` re-runs a record.
"""

from __future__ import annotations

import hashlib
import json

from optimizer.encode import item_to_json, rules_to_json
from optimizer.model import ClearingRecord, Item, ItemResult, Rules


def canonical_snapshot(rules: Rules, item: Item) -> str:
    """Canonical JSON text of one item's input (a valid one-item input document)."""
    doc = {"rules": rules_to_json(rules), "items": [item_to_json(item)]}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_hash(snapshot: str) -> str:
    """SHA-256 hex digest of the snapshot's UTF-8 bytes."""
    return hashlib.sha256(snapshot.encode("utf-8")).hexdigest()


def make_record(rules: Rules, item: Item, lp_text: str, solver_log: str) -> ClearingRecord:
    """Bundle the snapshot, its hash, the model text and the solver log."""
    snapshot = canonical_snapshot(rules, item)
    return ClearingRecord(snapshot, snapshot_hash(snapshot), lp_text, solver_log)


def verify(record: ClearingRecord) -> bool:
    """True when the stored hash matches the stored snapshot."""
    return snapshot_hash(record.snapshot) == record.sha256


def replay(record: ClearingRecord) -> ItemResult:
    """Re-run the evaluation a record describes (after checking its hash)."""
    from optimizer.evaluate import solve_item
    from optimizer.jsonio import parse_instance

    if not verify(record):
        raise ValueError("clearing record: snapshot does not match its sha256")
    instance = parse_instance(json.loads(record.snapshot))
    return solve_item(instance.items[0], instance.rules, record=True)
