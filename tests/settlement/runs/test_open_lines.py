"""The open-lines query reads a run's lines by their queue places, never the whole batch: a
run stays as fast in the cycle's twelfth month as in its first (issue 18)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from settlement.runs.open_lines import _SHARES


def test_the_open_lines_query_reads_the_queue_index_on_sqlite(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's plan (PostgreSQL chooses by its statistics)")
    plan = [row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {_SHARES.text}"),  # noqa: S608
                                               {"batch": 1, "end": "2026-11-01", "lo": 0, "top": 10})]
    lines = [p for p in plan if " a " in f" {p} " or p.startswith(("SCAN a", "SEARCH a"))]
    # both parts (the claimed range, the unclaimed lines) search (batch_id, claim_seq)
    assert len(lines) == 2 and all("ix_settlement_acceptance_claim" in p and p.startswith("SEARCH") for p in lines), plan
