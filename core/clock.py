"""The one source of 'now': aware UTC datetimes (tests pass explicit times to services)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
