"""Canonical bid serialisation and submission receipts.

Canonical JSON: UTF-8, keys sorted, no whitespace, strings unescaped (``ensure_ascii=False``);
``Decimal`` as its shortest plain decimal text (``Decimal("12.3400")`` → ``"12.34"``),
datetimes as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, ``StrEnum`` as its value, tuples as lists.
Floats, naive datetimes, sets, non-string keys and NaN are refused: two equal bids always
give the same bytes.

The **sealed document** is ``{"bid": <canonical bid>, "salt": <32 hex>, "v": 1}`` in the same
canonical form; it is what gets encrypted. The **receipt** is the SHA-256 hex of exactly
those bytes. The 128-bit random salt lives only inside the sealed envelope, so a receipt
shown before the opening reveals nothing about a price even though the price space is small.
After the opening, anyone with the canonical bid and the salt can recompute it::

    printf '%s' '{"bid":…,"salt":"…","v":1}' | sha256sum
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bidding.pricing import Eligibility, Strength
from bidding.validation import BidOffer, TierOffer
from core.money import parse_price_e4, price_e4_to_decimal

SALT_BYTES = 16
DOCUMENT_VERSION = 1
SHORT_GROUPS = 4


class CanonicalError(ValueError):
    """A value that has no canonical form (float, naive datetime, …) or malformed bytes."""


def _decimal_text(value: Decimal) -> str:
    """Shortest plain text of a finite Decimal, never in exponent form; zero is ``"0"``."""
    if not value.is_finite():
        raise CanonicalError(f"not a finite decimal: {value!r}")
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def _plain(value: Any) -> Any:
    """Turn a value into JSON-ready plain data under the canonical rules."""
    if value is None or isinstance(value, bool | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise CanonicalError("floats have no canonical form; use Decimal")
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise CanonicalError("naive datetime; use timezone-aware values")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise CanonicalError("mapping keys must be strings")
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise CanonicalError(f"no canonical form for {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a mapping/dataclass of plain values (see the module docstring)."""
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError("text is not valid Unicode") from exc


def _refuse_float(text: str) -> Any:
    """``json.loads`` hook: canonical documents never contain JSON numbers with a fraction."""
    raise CanonicalError(f"float in canonical JSON: {text}")


def parse_canonical(data: bytes) -> Any:
    """Parse canonical bytes back into plain data, refusing anything not in canonical form."""
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_refuse_float,
                           parse_constant=_refuse_float)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalError("not canonical JSON") from exc
    if canonical_json(value) != data:
        raise CanonicalError("JSON is not in canonical form")
    return value


def new_salt() -> bytes:
    """A fresh random 128-bit receipt salt."""
    return secrets.token_bytes(SALT_BYTES)


def _salt_bytes(salt: bytes | str) -> bytes:
    """Salt as 16 bytes; a 32-character hex string is accepted (as shown after opening)."""
    if isinstance(salt, str):
        try:
            salt = bytes.fromhex(salt)
        except ValueError as exc:
            raise CanonicalError("salt is not hex") from exc
    if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise CanonicalError(f"salt must be {SALT_BYTES} bytes")
    return salt


def _bid_bytes(canonical_bid: bytes | Mapping[str, Any]) -> bytes:
    """Canonical bid bytes from bytes (checked) or a mapping (serialised)."""
    if isinstance(canonical_bid, bytes):
        if not isinstance(parse_canonical(canonical_bid), dict):
            raise CanonicalError("a bid must be a JSON object")
        return canonical_bid
    return canonical_json(canonical_bid)


def sealed_document(canonical_bid: bytes | Mapping[str, Any], salt: bytes | str) -> bytes:
    """The bytes that are sealed and hashed: ``{"bid":…,"salt":"<hex>","v":1}`` canonically."""
    bid = _bid_bytes(canonical_bid)
    tail = f',"salt":"{_salt_bytes(salt).hex()}","v":{DOCUMENT_VERSION}}}'.encode("ascii")
    return b'{"bid":' + bid + tail


def split_sealed_document(document: bytes) -> tuple[bytes, bytes]:
    """Inverse of :func:`sealed_document`: ``(canonical_bid, salt)``; malformed → error."""
    value = parse_canonical(document)
    if (not isinstance(value, dict) or set(value) != {"bid", "salt", "v"}
            or value["v"] != DOCUMENT_VERSION or not isinstance(value["bid"], dict)
            or not isinstance(value["salt"], str)):
        raise CanonicalError("not a sealed bid document")
    bid, salt = canonical_json(value["bid"]), _salt_bytes(value["salt"])
    return bid, salt


def compute_receipt(canonical_bid: bytes | Mapping[str, Any], salt: bytes | str) -> str:
    """The full receipt: SHA-256 hex (64 characters) of the sealed document."""
    return hashlib.sha256(sealed_document(canonical_bid, salt)).hexdigest()


def verify_receipt(canonical_bid: bytes | Mapping[str, Any], salt: bytes | str,
                   receipt: str) -> bool:
    """True when ``receipt`` is the full receipt of this bid and salt.

    Spaces and dashes (from the display form) are ignored and case does not matter, but all
    64 hex digits are required: a short display prefix never verifies.
    """
    if not isinstance(receipt, str):
        return False
    given = receipt.replace(" ", "").replace("-", "").lower()
    try:
        expected = compute_receipt(canonical_bid, salt)
    except CanonicalError:
        return False
    return len(given) == 64 and hmac.compare_digest(given.encode("ascii", "replace"),
                                                    expected.encode("ascii"))


def short_receipt(receipt: str, groups: int = SHORT_GROUPS) -> str:
    """Display form: the first ``groups`` × 4 hex digits, grouped (``3f2a-9c01-77be-e4d2``)."""
    digits = receipt.lower()
    return "-".join(digits[i * 4:(i + 1) * 4] for i in range(groups))


@dataclass(frozen=True)
class PreparedBid:
    """Everything a submission produces before sealing: the document to seal and its receipt."""

    canonical_bid: bytes
    salt: bytes
    document: bytes
    receipt: str

    @property
    def short(self) -> str:
        """The receipt's display form."""
        return short_receipt(self.receipt)


def prepare_bid(bid: Mapping[str, Any], salt: bytes | None = None) -> PreparedBid:
    """Canonicalise a bid, draw a salt (unless given, for tests) and compute its receipt."""
    canonical = canonical_json(bid)
    salt = new_salt() if salt is None else _salt_bytes(salt)
    document = sealed_document(canonical, salt)
    return PreparedBid(canonical, salt, document, hashlib.sha256(document).hexdigest())


@dataclass(frozen=True)
class BidContext:
    """Who bids on what: bound into the receipt and into the envelope's associated data."""

    batch_code: str
    supplier_code: str
    item_code: str
    submission_id: str


def bid_record(offer: BidOffer, context: BidContext, submitted_at: datetime) -> dict[str, Any]:
    """The canonical bid as a mapping: identity, time, and the offer with yuan decimals."""
    return {
        "batch": context.batch_code, "supplier": context.supplier_code,
        "item": context.item_code, "submission": context.submission_id,
        "submitted_at": submitted_at,
        "pack_price": price_e4_to_decimal(offer.pack_price_e4),
        "units_per_pack": offer.units_per_pack,
        "strength": offer.strength.amount, "strength_unit": offer.strength.unit,
        "capacity": offer.capacity, "eligibility": offer.eligibility,
        "tiers": [{"min_volume": t.min_volume, "pack_price": price_e4_to_decimal(t.pack_price_e4)}
                  for t in offer.tiers],
    }


def _take(record: Mapping[str, Any], key: str, kind: type) -> Any:
    """A field of the expected JSON type (ints are never booleans), else CanonicalError."""
    value = record.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CanonicalError(f"bid field {key!r} missing or not {kind.__name__}")
    return value


def read_bid_record(canonical_bid: bytes) -> tuple[BidContext, datetime, BidOffer]:
    """Inverse of :func:`bid_record` from canonical bytes (used at the opening)."""
    record = parse_canonical(canonical_bid)
    if not isinstance(record, dict):
        raise CanonicalError("a bid must be a JSON object")
    try:
        context = BidContext(*(_take(record, k, str) for k in ("batch", "supplier", "item",
                                                                 "submission")))
        submitted_at = datetime.strptime(_take(record, "submitted_at", str),
                                         "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        tiers = tuple(TierOffer(_take(t, "min_volume", int), parse_price_e4(_take(t, "pack_price", str)))
                      for t in _take(record, "tiers", list))
        eligibility = record.get("eligibility")
        offer = BidOffer(
            pack_price_e4=parse_price_e4(_take(record, "pack_price", str)),
            units_per_pack=_take(record, "units_per_pack", int),
            strength=Strength(Decimal(_take(record, "strength", str)),
                              _take(record, "strength_unit", str)),
            capacity=_take(record, "capacity", int),
            eligibility=None if eligibility is None else Eligibility(eligibility),
            tiers=tiers)
    except (ValueError, AttributeError, ArithmeticError) as exc:  # MoneyError is a ValueError
        if isinstance(exc, CanonicalError):
            raise
        raise CanonicalError(f"malformed bid record: {exc}") from exc
    return context, submitted_at, offer
