"""The supply tests' batch in execution (tests/supply/fixtures.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.supply.fixtures import build

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # cycle 2026-04-01 … 2027-03-31


@pytest.fixture
def ex(db, session, world, ring):
    """Batch BG1 in execution: A-supplier primary in three cities, A2-supplier their backup."""
    return build(db, session, world, ring, START)
