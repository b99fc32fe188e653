"""Append-only audit log, chained with a key kept outside the database.

Every state change and approval appends one :class:`AuditEntry`. Each entry's ``hash`` is the
HMAC-SHA256, under the audit key named by its ``key_id``, of its canonical content plus the
previous entry's hash, so editing, deleting or inserting any entry breaks the chain from that
point, and nobody without the key — a DBA included — can recompute a chain that verifies.
:class:`AuditHead` holds the latest sequence number and hash, so removing entries from the end
is detected too; signed checkpoints kept outside the database (:mod:`core.audit_checkpoints`)
catch a truncated or re-chained log even when the head was rewritten with it.

The key is a keyring (``JICAI_AUDIT_KEY``, or the development file ``audit_key`` of the instance
folder): its first key signs new entries, the others stay to verify older ones, so keys rotate.
Entries written before the chain was keyed (``key_id`` NULL, plain SHA-256) are *legacy*: they
may only precede keyed entries, and the first keyed entry's HMAC covers the last legacy hash.

Appends are serialised (row lock on the head, an advisory lock on PostgreSQL; the write
transaction on SQLite), so concurrent writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func as sa_func
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, select

from core.clock import utcnow
from core.db import advisory_xact_lock
from core.keys import Key, KeyRing, KeyringError
from core.types import UTCDateTime

GENESIS = "0" * 64
ENTRY_CONTEXT = b"jicai.audit.entry\n"


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
    key_id: str | None = Field(default=None, max_length=64)  # audit key of the HMAC; NULL = legacy SHA-256
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


class AuditKeyMissing(KeyringError):
    """No audit key is configured in this process, so nothing can be appended or verified."""


# -- the audit key of this process (set once by the composition root, like the password policy) --

KeySource = Callable[[bool], "KeyRing | None"]  # create? → the keyring (None: there is none yet)
_key_source: KeySource | None = None
_checkpoint_file: Path | None = None


def configure(keys: KeyRing | KeySource | None, checkpoints: Path | None = None) -> None:
    """Install where this process gets the audit keyring (a keyring, or a callable taking
    ``create`` that may make the development key on first use) and the checkpoint file
    (a ``Path``, or None when checkpoints are not kept in a file)."""
    global _key_source, _checkpoint_file
    _key_source = (lambda _create, ring=keys: ring) if isinstance(keys, KeyRing) else keys
    _checkpoint_file = checkpoints


def keyring(create: bool = True) -> KeyRing | None:
    """The configured audit keyring; ``create=False`` never makes a development key."""
    return _key_source(create) if _key_source is not None else None


def checkpoint_file() -> Path | None:
    """The configured checkpoint file, or None."""
    return _checkpoint_file


def signing_ring() -> KeyRing:
    """The keyring new entries and checkpoints are signed with (made on first use in
    development), or :class:`AuditKeyMissing`."""
    ring = keyring(create=True)
    if ring is None:
        raise AuditKeyMissing("no audit key configured (JICAI_AUDIT_KEY)", "未配置审计密钥（JICAI_AUDIT_KEY）")
    return ring


# -- hashing ------------------------------------------------------------------------------------


def canonical_json(value: object) -> str:
    """Deterministic JSON: sorted keys, no spaces, non-ASCII kept, no floats allowed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_body(entry) -> bytes:
    """The canonical content an entry's hash covers (an :class:`AuditEntry` or a row of it);
    keyed entries cover their key id too, legacy ones keep the body they were hashed with."""
    content = {
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
    if entry.key_id is not None:
        content["key_id"] = entry.key_id
    return canonical_json(content).encode("utf-8")


def keyed_hash(key: Key, body: bytes) -> str:
    """HMAC-SHA256 of an entry body under an audit key."""
    return hmac.new(key.secret, ENTRY_CONTEXT + body, hashlib.sha256).hexdigest()


def legacy_hash(body: bytes) -> str:
    """The unkeyed SHA-256 of entries written before the chain was keyed."""
    return hashlib.sha256(body).hexdigest()


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
    """Append one entry, signed with the current audit key, inside the caller's transaction
    (the caller commits)."""
    key = signing_ring().current
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
        key_id=key.key_id,
        prev_hash=head.hash,
        hash="",
    )
    # Hash what the database will give back: aware UTC, microsecond precision.
    entry.hash = keyed_hash(key, entry_body(entry))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.flush()
    return entry


def adopt_key(session: Session) -> int:
    """After the migration that keyed the chain: when the newest entry is a legacy (unkeyed)
    one, append ``audit.key_adopted`` — its HMAC covers the last legacy hash, so from now on
    the whole chain, legacy prefix included, verifies only with the key. The number of legacy
    entries it covered (0: nothing to do; the caller commits)."""
    head_seq, _hash = _head(session)
    newest = session.exec(select(AuditEntry.id, AuditEntry.key_id).where(AuditEntry.seq == head_seq)).first()
    if newest is None or newest[1] is not None:  # empty, already keyed, or broken (verify names it)
        return 0
    legacy = session.exec(select(sa_func.count()).select_from(AuditEntry).where(AuditEntry.key_id.is_(None))).one()
    record(session, SYSTEM, "audit.key_adopted", "audit_chain", head_seq,
           {"legacy_entries": legacy, "key_id": signing_ring().current.key_id})
    return legacy


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``legacy`` unkeyed entries precede the keyed ones;
    ``head_seq``/``head_hash`` are what was verified (what a checkpoint then anchors)."""

    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""
    legacy: int = 0
    checkpoints: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS


def _head(session: Session) -> tuple[int, str]:
    """The head row as stored now (not a cached object)."""
    row = session.exec(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def _entries(session: Session, up_to: int):
    """Entries 1..up_to in order, streamed as rows (memory stays flat on a long log)."""
    table = AuditEntry.__table__
    query = sa_select(*table.columns).where(table.c.seq <= up_to).order_by(table.c.seq)
    return session.execute(query.execution_options(yield_per=2000))


def _entry_problem(entry, ring: KeyRing | None, keyed_seen: bool) -> str:
    """Why this entry's own hash does not verify, or ''."""
    body = entry_body(entry)
    if entry.key_id is None:
        if keyed_seen:
            return "unkeyed entry after keyed entries: the chain was rewritten without the audit key"
        expected = legacy_hash(body)
    else:
        if ring is None:
            return f"entry is keyed with {entry.key_id!r} but no audit key is available (JICAI_AUDIT_KEY)"
        try:
            expected = keyed_hash(ring.get(entry.key_id), body)
        except KeyringError:
            return f"entry names audit key {entry.key_id!r}, which the keyring does not hold"
    if not hmac.compare_digest(expected, entry.hash):
        return "content does not match its hash (edited, or re-chained with another key)"
    return ""


def verify_chain(session: Session, ring: KeyRing | None = None, checkpoints: Sequence = ()) -> ChainReport:
    """Walk the whole chain and name the first entry that was edited, removed, inserted or
    re-chained; then check it against each signed checkpoint (objects of
    :class:`core.audit_checkpoints.Checkpoint`). ``ring`` defaults to the configured keyring."""
    ring = ring if ring is not None else keyring(create=False)
    head_seq, head_hash = _head(session)
    marks = {cp.seq: cp for cp in checkpoints}
    seen: dict[int, str] = {0: GENESIS}
    expected_prev, expected_seq, count, legacy = GENESIS, 1, 0, 0

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(False, count, seq, reason, legacy, 0, head_seq, head_hash)

    rows = _entries(session, head_seq)
    try:
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                return broken(expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != expected_prev:
                return broken(entry.seq, "link to the previous entry is broken")
            if problem := _entry_problem(entry, ring, keyed_seen=legacy < count - 1):
                return broken(entry.seq, problem)
            legacy += entry.key_id is None
            if entry.seq in marks:
                seen[entry.seq] = entry.hash
            expected_prev, expected_seq = entry.hash, expected_seq + 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL, also when the walk stops early
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        return broken(expected_seq, f"entries after {expected_seq - 1} were removed")
    if count and legacy == count:
        return broken(count, "the newest entry is not keyed: the chain was rewritten without the audit key "
                             "(or the key was never adopted: run flask db upgrade)")
    last = session.exec(select(sa_func.max(AuditEntry.seq))).one() or 0
    if last > _head(session)[0]:
        return broken(_head(session)[0] + 1, "entries beyond the head were inserted")
    for cp in sorted(checkpoints, key=lambda c: c.seq):
        if problem := cp.problem(ring):
            return broken(cp.seq, problem)
        if cp.seq > head_seq:
            return broken(head_seq + 1, f"entries after {head_seq} were removed: the checkpoint of "
                                        f"{cp.at} covers entry {cp.seq}")
        if seen.get(cp.seq) != cp.hash or cp.legacy != legacy:
            return broken(cp.seq, f"entry {cp.seq} does not match the checkpoint of {cp.at}: "
                                  "the chain up to it was rewritten")
    return ChainReport(True, count, None, "", legacy, len(checkpoints), head_seq, head_hash)
