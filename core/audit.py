"""Append-only, hash-chained audit log.

Every state change and approval appends one :class:`AuditEntry`. Each entry's ``hash`` is the
SHA-256 of its canonical content plus the previous entry's hash, so editing or deleting any
entry breaks the chain from that point; :class:`AuditHead` holds the latest sequence number
and hash, so removing entries from the end is detected too. Appends are serialised (row lock
on the head, an advisory lock on PostgreSQL; the write transaction on SQLite), so concurrent
writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Field, Session, SQLModel, select

from core.clock import utcnow
from core.db import advisory_xact_lock
from core.types import UTCDateTime

GENESIS = "0" * 64


class AuditEntry(SQLModel, table=True):
    """One recorded action: who did what to which record, when, chained to the last entry."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_user_id: int | None = None
    actor_org_id: int | None = None
    actor_name: str = Field(max_length=100)
    action: str = Field(max_length=60, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=60, index=True)
    detail: str = ""  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's head: a single row (id = 1) with the latest sequence number and hash."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default=GENESIS, max_length=64)


@dataclass(frozen=True)
class AuditActor:
    """Who acts, as the audit log records it (a user, or the scheduler/CLI as a named system)."""

    user_id: int | None
    org_id: int | None
    name: str


SYSTEM = AuditActor(user_id=None, org_id=None, name="system")


def canonical_json(value: object) -> str:
    """Deterministic JSON: sorted keys, no spaces, non-ASCII kept, no floats allowed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's content and its predecessor's hash."""
    body = canonical_json(
        {
            "seq": entry.seq,
            "at": entry.at.isoformat(),
            "actor_user_id": entry.actor_user_id,
            "actor_org_id": entry.actor_org_id,
            "actor_name": entry.actor_name,
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "detail": entry.detail,
            "prev_hash": entry.prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: AuditActor,
    action: str,
    subject_type: str,
    subject_id: object,
    detail: dict | None = None,
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (the caller commits)."""
    advisory_xact_lock(session, "audit_chain")
    head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    when = (at or utcnow()).astimezone(UTC)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=when,
        actor_user_id=actor.user_id,
        actor_org_id=actor.org_id,
        actor_name=actor.name,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=canonical_json(detail or {}),
        prev_hash=head.hash,
        hash="",
    )
    # Hash what the database will give back: aware UTC, microsecond precision.
    entry.hash = _entry_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`."""

    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain and name the first entry that was edited, removed or inserted."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(False, count, entry.seq, "link to the previous entry is broken")
        if _entry_hash(entry) != entry.hash:
            return ChainReport(False, count, entry.seq, "content does not match its hash")
        expected_prev, expected_seq = entry.hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        return ChainReport(
            False, count, expected_seq, f"entries after {expected_seq - 1} were removed"
        )
    return ChainReport(True, count)
