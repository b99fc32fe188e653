"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint states "entry ``seq`` has hash ``hash``, and the first ``legacy`` entries are the
unkeyed ones from before the chain was keyed", signed with the audit key (HMAC-SHA256, key id
named). ``flask audit checkpoint`` (and the scheduler's daily pass, when ``JICAI_AUDIT_CHECKPOINTS``
names a file) verifies the chain first, then appends one JSON line to the checkpoint file and
prints it for an operator to publish elsewhere (a ticket, a mail to the bureau, a WORM store).
``flask audit verify`` checks the chain against every line: a log truncated after a checkpoint,
or re-chained up to one, is detected even when ``audit_head`` was rewritten to match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from core.audit import ChainReport, canonical_json, verify_chain
from core.keys import KeyRing, KeyringError

CHECKPOINT_CONTEXT = b"jicai.audit.checkpoint\n"


class CheckpointError(KeyringError):
    """A checkpoint file is unreadable, or the chain it would anchor is broken."""


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement about the chain at a moment."""

    seq: int
    hash: str
    legacy: int
    at: str  # ISO 8601, UTC
    key_id: str
    mac: str = ""

    def body(self) -> bytes:
        """What the MAC covers: every field but the MAC."""
        fields = {k: v for k, v in asdict(self).items() if k != "mac"}
        return CHECKPOINT_CONTEXT + canonical_json(fields).encode("utf-8")

    def signed(self, ring: KeyRing) -> Checkpoint:
        """This checkpoint signed with the ring's current key."""
        key = ring.current
        unsigned = Checkpoint(self.seq, self.hash, self.legacy, self.at, key.key_id)
        return Checkpoint(**{**asdict(unsigned), "mac": _mac(key.secret, unsigned.body())})

    def problem(self, ring: KeyRing | None) -> str:
        """Why this checkpoint's signature does not hold, or ''."""
        if ring is None:
            return f"checkpoint of {self.at} cannot be checked: no audit key is available"
        try:
            key = ring.get(self.key_id)
        except KeyringError:
            return f"checkpoint of {self.at} names audit key {self.key_id!r}, which the keyring does not hold"
        if not hmac.compare_digest(_mac(key.secret, self.body()), self.mac):
            return f"checkpoint of {self.at} has a wrong signature (forged or edited)"
        return ""

    def to_line(self) -> str:
        """The JSON line written to the checkpoint file (and printed)."""
        return canonical_json(asdict(self))

    @classmethod
    def from_line(cls, text: str) -> Checkpoint:
        """Inverse of :meth:`to_line`; :class:`ValueError` when malformed."""
        value = json.loads(text)
        if not isinstance(value, dict) or set(value) != {"seq", "hash", "legacy", "at", "key_id", "mac"}:
            raise ValueError("not a checkpoint")
        if not all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in ("seq", "legacy")):
            raise ValueError("seq and legacy must be whole numbers")
        if not all(isinstance(value[k], str) for k in ("hash", "at", "key_id", "mac")):
            raise ValueError("hash, at, key_id and mac must be text")
        return cls(**value)


def _mac(secret: bytes, body: bytes) -> str:
    """HMAC-SHA256, hex."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in ``path`` (none when the file does not exist yet); a malformed line
    is a :class:`CheckpointError` naming the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint.from_line(line))
        except (ValueError, TypeError) as exc:
            raise CheckpointError(f"{path} line {number}: not a checkpoint ({exc})",
                                  f"{path} 第 {number} 行：不是审计检查点（{exc}）") from exc
    return found


def take_checkpoint(session: Session, ring: KeyRing, now: datetime,
                    known: list[Checkpoint] | tuple = ()) -> Checkpoint:
    """Verify the chain (against the ``known`` checkpoints too), then a signed checkpoint of
    the verified head. A broken chain is never anchored: :class:`CheckpointError`."""
    report: ChainReport = verify_chain(session, ring, known)
    if not report.ok:
        raise CheckpointError(
            f"audit chain broken at entry {report.first_broken_seq}: {report.reason}; no checkpoint written",
            f"审计链在第 {report.first_broken_seq} 条处断裂：{report.reason}；未写入检查点")
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    return Checkpoint(report.head_seq, report.head_hash, report.legacy, at, ring.current.key_id).signed(ring)


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line to the checkpoint file (created, with its folder, on first use)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(checkpoint.to_line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def checkpoint_to_file(session: Session, ring: KeyRing, path: Path, now: datetime) -> Checkpoint:
    """The daily pass and ``flask audit checkpoint``: verify against the file, then append."""
    checkpoint = take_checkpoint(session, ring, now, read_checkpoints(path))
    append_checkpoint(path, checkpoint)
    return checkpoint
