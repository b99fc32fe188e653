"""Sealed bids open only at the opening time, only as the bid they were sealed for."""

import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidding.keys import KeyFormatError, UnknownKek, load_or_create_keyring_file
from bidding.pricing import Eligibility, Strength
from bidding.receipts import (
    BidContext,
    bid_record,
    prepare_bid,
    split_sealed_document,
    verify_receipt,
)
from bidding.sealing import (
    BatchKey,
    BidsStillSealed,
    Kek,
    KeyRing,
    SealedBid,
    SealingError,
    UnsealError,
    create_batch_key,
    open_batch_key,
    rewrap_batch_key,
    seal_bid,
    unseal,
)
from bidding.validation import BidOffer, TierOffer

OPENING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
BATCH = "VBP-2026-01"
CONTEXT = BidContext(BATCH, "SUP-001", "ATV-10", "sub-1")
RIVAL = BidContext(BATCH, "SUP-002", "ATV-10", "sub-2")
OFFER = BidOffer(pack_price_e4=987654321, units_per_pack=7,
                 strength=Strength(Decimal("10"), "mg"), capacity=24681357,
                 eligibility=Eligibility.REFERENCE_DRUG, tiers=(TierOffer(1000, 987650000),))
RING = KeyRing((Kek.generate("kek-2026"),))


@pytest.fixture(scope="module")
def batch_key() -> BatchKey:
    """A batch key made when bidding opened, stored and read back as text."""
    return BatchKey.from_text(create_batch_key(RING, batch_code=BATCH, opening_at=OPENING).to_text())


@pytest.fixture
def sealed(batch_key):
    """A prepared (receipted) bid and its sealed text, as the database would hold it."""
    prepared = prepare_bid(bid_record(OFFER, CONTEXT, OPENING - timedelta(days=2)))
    return prepared, seal_bid(prepared.document, batch_key, CONTEXT).to_text()


def test_round_trip_after_opening(batch_key, sealed):
    prepared, text = sealed
    document = unseal(SealedBid.from_text(text), batch_key, RING, CONTEXT,
                      opening_at=OPENING, now=OPENING)
    assert document == prepared.document
    bid, salt = split_sealed_document(document)
    assert verify_receipt(bid, salt, prepared.receipt)


def test_refused_before_opening_even_by_one_second(batch_key, sealed):
    _, text = sealed
    with pytest.raises(BidsStillSealed) as caught:
        unseal(SealedBid.from_text(text), batch_key, RING, CONTEXT,
               opening_at=OPENING, now=OPENING - SECOND)
    assert "开标" in caught.value.message_zh and "sealed" in str(caught.value)
    with pytest.raises(BidsStillSealed):
        open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING,
                       now=OPENING - timedelta(days=30))


def test_opening_time_moved_earlier_in_the_database_does_not_unwrap(batch_key):
    # someone edits opening_at in the database to open early: the wrapped key no longer unwraps
    early = OPENING - timedelta(days=1)
    with pytest.raises(UnsealError):
        open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=early, now=early)


def test_ciphertext_holds_no_plaintext(batch_key, sealed):
    prepared, text = sealed
    assert b"98765.4321" in prepared.document and b"24681357" in prepared.document
    raw = SealedBid.from_text(text)
    for needle in ("98765.4321", "987654321", "24681357", "SUP-001", "pack_price", "capacity"):
        assert needle not in text
        assert needle.encode() not in raw.ciphertext
    assert "98765" not in batch_key.to_text()


def test_ciphertext_length_hides_the_price_length(batch_key):
    short = bid_record(BidOffer(1, 1, Strength(Decimal("1"), "mg"), 1, None), CONTEXT, OPENING)
    documents = [prepare_bid(bid).document for bid in (short, bid_record(OFFER, CONTEXT, OPENING))]
    assert len(documents[0]) < len(documents[1])
    sizes = {len(seal_bid(document, batch_key, CONTEXT).ciphertext) for document in documents}
    assert sizes == {512 + 16}  # padded to 256-byte blocks, plus the 16-byte GCM tag


def test_low_order_public_key_is_refused_when_sealing(batch_key):
    bad = BatchKey(batch_key.kek_id, bytes(32), batch_key.nonce, batch_key.wrapped)
    with pytest.raises(KeyFormatError):
        seal_bid(b"{}", bad, CONTEXT)


def test_each_seal_uses_fresh_randomness(batch_key):
    document = prepare_bid(bid_record(OFFER, CONTEXT, OPENING)).document
    first, second = (seal_bid(document, batch_key, CONTEXT) for _ in range(2))
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext
    assert len(first.nonce) == 12


@pytest.mark.parametrize("position", [0, 100, -1])
def test_flipped_byte_is_detected(batch_key, sealed, position):
    _, text = sealed
    raw = SealedBid.from_text(text)
    flipped = bytearray(raw.ciphertext)
    flipped[position] ^= 0x01
    opener = open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING, now=OPENING)
    with pytest.raises(UnsealError):
        opener.unseal(SealedBid(raw.ephemeral_public, raw.nonce, bytes(flipped)), CONTEXT)
    with pytest.raises(UnsealError):
        opener.unseal(SealedBid(raw.ephemeral_public, bytes(12), raw.ciphertext), CONTEXT)


@pytest.mark.parametrize("other", [
    RIVAL, BidContext(BATCH, "SUP-001", "ATV-20", "sub-1"),
    BidContext(BATCH, "SUP-001", "ATV-10", "sub-0"), BidContext("VBP-2026-02", "SUP-001", "ATV-10", "sub-1"),
])
def test_ciphertext_moved_to_another_bid_does_not_open(batch_key, sealed, other):
    _, text = sealed
    opener = open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING, now=OPENING)
    with pytest.raises(UnsealError):
        opener.unseal(SealedBid.from_text(text), other)


def test_wrong_kek_is_refused(batch_key, sealed):
    _, text = sealed
    impostor = KeyRing((Kek("kek-2026", bytes(32)),))
    with pytest.raises(UnsealError) as caught:
        unseal(SealedBid.from_text(text), batch_key, impostor, CONTEXT,
               opening_at=OPENING, now=OPENING)
    assert "KEK" in caught.value.message_zh
    with pytest.raises(UnknownKek):
        unseal(SealedBid.from_text(text), batch_key, KeyRing((Kek.generate("other"),)), CONTEXT,
               opening_at=OPENING, now=OPENING)


def test_tampered_wrapped_key_or_other_batch_is_refused(batch_key):
    wrapped = bytearray(batch_key.wrapped)
    wrapped[0] ^= 0x80
    forged = BatchKey(batch_key.kek_id, batch_key.public_key, batch_key.nonce, bytes(wrapped))
    with pytest.raises(UnsealError):
        open_batch_key(forged, RING, batch_code=BATCH, opening_at=OPENING, now=OPENING)
    with pytest.raises(UnsealError):
        open_batch_key(batch_key, RING, batch_code="VBP-2026-02", opening_at=OPENING, now=OPENING)


def test_substituted_public_key_is_detected_at_opening(batch_key):
    other = create_batch_key(RING, batch_code=BATCH, opening_at=OPENING)
    swapped = BatchKey(batch_key.kek_id, other.public_key, batch_key.nonce, batch_key.wrapped)
    assert swapped.fingerprint != batch_key.fingerprint
    with pytest.raises(UnsealError):
        open_batch_key(swapped, RING, batch_code=BATCH, opening_at=OPENING, now=OPENING)


def test_kek_rotation_and_postponement(batch_key, sealed):
    prepared, text = sealed
    rotated = KeyRing((Kek.generate("kek-2027"), *RING.keks))
    later = OPENING + timedelta(days=7)
    moved = rewrap_batch_key(batch_key, rotated, batch_code=BATCH, opening_at=OPENING,
                             new_opening_at=later)
    assert moved.kek_id == "kek-2027" and moved.public_key == batch_key.public_key
    with pytest.raises(BidsStillSealed):
        open_batch_key(moved, rotated, batch_code=BATCH, opening_at=later, now=OPENING)
    new_only = KeyRing((rotated.current,))
    opener = open_batch_key(moved, new_only, batch_code=BATCH, opening_at=later, now=later)
    assert opener.unseal(SealedBid.from_text(text), CONTEXT) == prepared.document
    with pytest.raises(SealingError):
        rewrap_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING,
                         new_opening_at=OPENING - SECOND)


def test_naive_times_are_refused(batch_key):
    with pytest.raises(ValueError):
        open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING,
                       now=datetime(2026, 12, 2))


def test_keys_are_never_printed(batch_key):
    kek = RING.current
    assert kek.secret.hex() not in repr(kek) and repr(batch_key.wrapped) not in repr(batch_key)
    opener = open_batch_key(batch_key, RING, batch_code=BATCH, opening_at=OPENING, now=OPENING)
    assert "_private" not in repr(opener)


def test_keyring_text_and_dev_file(tmp_path):
    ring = KeyRing.parse(RING.to_text() + "," + KeyRing((Kek.generate("old"),)).to_text())
    assert [k.key_id for k in ring.keks] == ["kek-2026", "old"] and ring.current == RING.current
    path = tmp_path / "bid-kek"
    created = load_or_create_keyring_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_keyring_file(path) == created


@pytest.mark.parametrize("text", ["", "nocolon", "k:short", "bad id:" + "A" * 43,
                                  "a:" + "A" * 43 + ",a:" + "A" * 43])
def test_bad_keyring_text_is_refused(text):
    with pytest.raises(KeyFormatError):
        KeyRing.parse(text)


@pytest.mark.parametrize("text", ["", "jsb1.a.b", "jbk1.x.y.z.w", "jsb1.!!!.AAAA.AAAA"])
def test_malformed_stored_values_are_refused(text):
    with pytest.raises(KeyFormatError):
        SealedBid.from_text(text)
    with pytest.raises(KeyFormatError):
        BatchKey.from_text(text)


@settings(max_examples=25, deadline=None)
@given(price=st.integers(1, 10**10), capacity=st.integers(1, 10**12),
       supplier=st.text(min_size=1, max_size=12))
def test_random_bids_round_trip(batch_key, price, capacity, supplier):
    context = BidContext(BATCH, supplier, "ATV-10", "s")
    offer = BidOffer(price, 10, Strength(Decimal("10"), "mg"), capacity, Eligibility.REFERENCE_DRUG)
    document = prepare_bid(bid_record(offer, context, OPENING)).document
    sealed = SealedBid.from_text(seal_bid(document, batch_key, context).to_text())
    assert unseal(sealed, batch_key, RING, context, opening_at=OPENING, now=OPENING) == document
