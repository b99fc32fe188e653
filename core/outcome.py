"""What an idempotent action did: its result, and whether this call did the work.

Double clicks, retried requests and re-imported files repeat an action. A use case that may be
repeated locks its subject row first (``core.db.lock_for_update``: ``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite write sessions hold the database write lock from ``BEGIN IMMEDIATE``),
recognises the state its own earlier call left (or the token its form carried), and then writes
nothing — no new version, no audit row, no log row — and answers ``Outcome(value,
repeated=True)``, which the page or command reports as "already done".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The action's result (the existing one on a repeat) and whether this call was a repeat."""

    value: T
    repeated: bool = False
