"""Sealed bids: envelope encryption that opens only at the batch's opening time.

Goal: before ``opening_at`` nobody — rival suppliers, bureau roles, admins, a DBA, anyone
with a database dump or backup — can read a bid's price, capacity or tiers.
Keys. The **KEK** (256-bit AES-GCM key with a key id) lives outside the database: a server
secret from config/env in production, an instance-folder file in dev, later a KMS/HSM. The
**batch key** is an X25519 key pair made when bidding opens; its 256-bit private half is the
batch's data key (DEK), stored only wrapped under the KEK (AES-256-GCM; associated data =
batch code, opening time, public key, KEK id); the public half is stored in clear. Each
**bid** document is padded to 256-byte blocks and encrypted with AES-256-GCM under a key
derived (ephemeral X25519 + HKDF-SHA256) from the batch public key, with a fresh 96-bit nonce
and associated data (batch, supplier, item, submission id).
Why a key pair, not a symmetric DEK: sealing needs only the public key, so submitting never
unwraps the DEK. Only ``open_batch_key`` yields it, and refuses before ``opening_at``
(``BidsStillSealed``); ``rewrap_batch_key`` unwraps inside but returns only a new wrap.
Both are the calls to audit.
Protected: readers of the database, dumps and backups (they hold ciphertext and a wrapped
key); bureau and admin roles in the app (no code path decrypts early); a ciphertext moved to
another bid, supplier or item (associated data → ``UnsealError``); altered ciphertexts or
wrapped keys (GCM tags); an opening time edited in the database to open early (it is in the
wrap's associated data, so the unwrap fails); guessing prices from receipts (salted, salt
sealed); price length (padding).
Not protected:
* Someone holding both the database and the KEK before the opening (an operator with the
  server secrets, a compromised app host) can unwrap. Mitigations: the KEK in a separate
  secret store (KMS/HSM with its own access policy and log; later key shares held by several
  officers), never in the database or its backups; the unwrap path guarded by the opening
  time and audited; KEKs rotated.
* A clock moved forward on the opening host (mitigation: NTP monitoring, audit log).
* A database writer replacing the batch public key during bidding can read bids sealed
  after that; detected at opening (the forged key does not unwrap) — mitigation: record the
  key fingerprint in the hash-chained audit log at bidding start and compare before sealing.
* The server sees the plaintext in memory at submission (validation, UCP shown back):
  logs, errors and caches must never hold it. Ciphertext size reveals the 256-byte bucket.
* Withholding a bid (availability): the supplier's receipt proves the submission.
Rotation: each wrapped key carries its KEK id; the keyring's first KEK wraps new batch keys,
older KEKs stay for unwrapping until their batches open, and ``rewrap_batch_key`` moves a
batch to the current KEK or postpones its opening (never earlier).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bidding.keys import (
    KEY_BYTES,
    KEY_ID_PATTERN,
    NONCE_BYTES,
    Kek,
    KeyFormatError,
    KeyRing,
    SealingError,
    UnknownKek,
    b64d,
    b64e,
)
from bidding.receipts import BidContext, canonical_json

__all__ = [
    "BatchKey", "BatchOpener", "BidsStillSealed", "Kek", "KeyFormatError", "KeyRing",
    "SealedBid", "SealingError", "UnknownKek", "UnsealError", "create_batch_key",
    "open_batch_key", "rewrap_batch_key", "seal_bid", "unseal",
]

PAD_BLOCK = 256
_BATCH_KEY_TAG, _SEALED_TAG = "jbk1", "jsb1"


class BidsStillSealed(SealingError):
    """The opening time has not been reached: nothing may be decrypted yet."""


class UnsealError(SealingError):
    """Authentication failed: wrong KEK, altered data, or a ciphertext of another bid."""


def _aware(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes (a programming error)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


@dataclass(frozen=True)
class BatchKey:
    """A batch key as stored: the public key in clear, the private key (DEK) wrapped."""

    kek_id: str
    public_key: bytes
    nonce: bytes
    wrapped: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """First 16 hex digits of SHA-256(public key), for the audit log."""
        return hashlib.sha256(self.public_key).hexdigest()[:16]

    def to_text(self) -> str:
        """One ASCII column value: ``jbk1.<kek id>.<public>.<nonce>.<wrapped>``."""
        parts = (b64e(self.public_key), b64e(self.nonce), b64e(self.wrapped))
        return ".".join((_BATCH_KEY_TAG, self.kek_id, *parts))

    @classmethod
    def from_text(cls, text: str) -> BatchKey:
        """Inverse of :meth:`to_text`; malformed → :class:`KeyFormatError`."""
        parts = text.split(".")
        if len(parts) != 5 or parts[0] != _BATCH_KEY_TAG or not KEY_ID_PATTERN.fullmatch(parts[1]):
            raise KeyFormatError("not a stored batch key", "不是批次密钥")
        return cls(parts[1], b64d(parts[2], KEY_BYTES), b64d(parts[3], NONCE_BYTES),
                   b64d(parts[4], KEY_BYTES + 16))


def _wrap_aad(batch_code: str, opening_at: datetime, kek_id: str, public_key: bytes) -> bytes:
    """Associated data binding a wrapped key to its batch, opening time, KEK and public key."""
    return canonical_json({"purpose": "jicai/batch-key/v1", "batch": batch_code,
                           "opening_at": _aware(opening_at, "opening_at"), "kek": kek_id,
                           "public_key": b64e(public_key)})


def _wrap(private: X25519PrivateKey, kek: Kek, batch_code: str, opening_at: datetime) -> BatchKey:
    """Wrap a batch private key under ``kek``."""
    public = private.public_key().public_bytes_raw()
    nonce = os.urandom(NONCE_BYTES)
    aad = _wrap_aad(batch_code, opening_at, kek.key_id, public)
    return BatchKey(kek.key_id, public, nonce,
                    AESGCM(kek.secret).encrypt(nonce, private.private_bytes_raw(), aad))


def _unwrap(batch_key: BatchKey, keyring: KeyRing, batch_code: str,
            opening_at: datetime) -> X25519PrivateKey:
    """Unwrap without any time check (callers check); verifies the public key matches."""
    kek = keyring.get(batch_key.kek_id)
    aad = _wrap_aad(batch_code, opening_at, kek.key_id, batch_key.public_key)
    try:
        raw = AESGCM(kek.secret).decrypt(batch_key.nonce, batch_key.wrapped, aad)
    except InvalidTag as exc:
        raise UnsealError("batch key does not unwrap: wrong KEK, or the stored key, batch or "
                          "opening time was altered",
                          "批次密钥无法解封：KEK 错误，或密钥、批次、开标时间被篡改") from exc
    private = X25519PrivateKey.from_private_bytes(raw)
    if private.public_key().public_bytes_raw() != batch_key.public_key:
        raise UnsealError("batch key pair does not match", "批次密钥对不匹配")
    return private


def create_batch_key(keyring: KeyRing, *, batch_code: str, opening_at: datetime) -> BatchKey:
    """Make a batch's key pair when bidding opens, wrapped under the current KEK."""
    return _wrap(X25519PrivateKey.generate(), keyring.current, batch_code, opening_at)


def rewrap_batch_key(batch_key: BatchKey, keyring: KeyRing, *, batch_code: str,
                     opening_at: datetime, new_opening_at: datetime | None = None) -> BatchKey:
    """Rewrap under the current KEK (rotation) and/or a later opening time (postponement).

    The private key never leaves this function; an earlier opening time is refused.
    """
    target = opening_at if new_opening_at is None else _aware(new_opening_at, "new_opening_at")
    if target < _aware(opening_at, "opening_at"):
        raise SealingError("the opening time can only be postponed", "开标时间只能推迟")
    private = _unwrap(batch_key, keyring, batch_code, opening_at)
    return _wrap(private, keyring.current, batch_code, target)


def _bid_aad(context: BidContext) -> bytes:
    """Associated data binding a sealed bid to its batch, supplier, item and submission."""
    return canonical_json({"purpose": "jicai/bid/v1", "batch": context.batch_code,
                           "supplier": context.supplier_code, "item": context.item_code,
                           "submission": context.submission_id})


def _bid_key(shared: bytes, ephemeral: bytes, batch_public: bytes) -> bytes:
    """The per-bid AES-256 key: HKDF-SHA256 over the X25519 secret, bound to both keys."""
    info = b"jicai/bid-key/v1" + ephemeral + batch_public
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(shared)


def _pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding (0x80 then zeros) to a multiple of :data:`PAD_BLOCK`."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    """Inverse of :func:`_pad`."""
    body = data.rstrip(b"\x00")
    if not body.endswith(b"\x80"):
        raise UnsealError("bad padding", "填充错误")
    return body[:-1]


@dataclass(frozen=True)
class SealedBid:
    """One encrypted bid: ephemeral public key, nonce, AES-GCM ciphertext with tag."""

    ephemeral_public: bytes
    nonce: bytes
    ciphertext: bytes

    def to_text(self) -> str:
        """One ASCII column value: ``jsb1.<ephemeral>.<nonce>.<ciphertext>``."""
        parts = (b64e(self.ephemeral_public), b64e(self.nonce), b64e(self.ciphertext))
        return ".".join((_SEALED_TAG, *parts))

    @classmethod
    def from_text(cls, text: str) -> SealedBid:
        """Inverse of :meth:`to_text`; malformed → :class:`KeyFormatError`."""
        parts = text.split(".")
        if len(parts) != 4 or parts[0] != _SEALED_TAG:
            raise KeyFormatError("not a sealed bid", "不是密封的报价")
        return cls(b64d(parts[1], KEY_BYTES), b64d(parts[2], NONCE_BYTES), b64d(parts[3]))


def seal_bid(document: bytes, batch_key: BatchKey, context: BidContext) -> SealedBid:
    """Encrypt a bid document to the batch public key; needs no KEK and decrypts nothing."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    try:
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(batch_key.public_key))
    except ValueError as exc:  # wrong size or a low-order point
        raise KeyFormatError("unusable batch public key", "批次公钥无效") from exc
    key = _bid_key(shared, ephemeral_public, batch_key.public_key)
    nonce = os.urandom(NONCE_BYTES)
    return SealedBid(ephemeral_public, nonce,
                     AESGCM(key).encrypt(nonce, _pad(document), _bid_aad(context)))


@dataclass(frozen=True)
class BatchOpener:
    """The unwrapped batch key after the opening time; obtain it via :func:`open_batch_key`."""

    batch_code: str
    _private: X25519PrivateKey = field(repr=False)

    def unseal(self, sealed: SealedBid, context: BidContext) -> bytes:
        """Decrypt one bid of this batch; any mismatch or alteration → :class:`UnsealError`."""
        failure = UnsealError("sealed bid fails authentication: altered, or it belongs to "
                              "another bid", "密封报价校验失败：已被篡改或不属于该报价")
        if context.batch_code != self.batch_code:
            raise failure
        public = self._private.public_key().public_bytes_raw()
        try:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral_public))
            key = _bid_key(shared, sealed.ephemeral_public, public)
            padded = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, _bid_aad(context))
        except (InvalidTag, ValueError) as exc:
            raise failure from exc
        return _unpad(padded)


def open_batch_key(batch_key: BatchKey, keyring: KeyRing, *, batch_code: str,
                   opening_at: datetime, now: datetime) -> BatchOpener:
    """Unwrap the batch key — only at or after ``opening_at`` (else :class:`BidsStillSealed`)."""
    if _aware(now, "now") < _aware(opening_at, "opening_at"):
        raise BidsStillSealed(f"bids stay sealed until {opening_at.isoformat()}",
                              f"开标时间（{opening_at.isoformat()}）前报价保持密封")
    return BatchOpener(batch_code, _unwrap(batch_key, keyring, batch_code, opening_at))


def unseal(sealed: SealedBid, batch_key: BatchKey, keyring: KeyRing, context: BidContext, *,
           opening_at: datetime, now: datetime) -> bytes:
    """Open one bid: :func:`open_batch_key` then :meth:`BatchOpener.unseal`."""
    opener = open_batch_key(batch_key, keyring, batch_code=context.batch_code,
                            opening_at=opening_at, now=now)
    return opener.unseal(sealed, context)
