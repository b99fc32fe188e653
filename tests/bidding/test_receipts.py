"""Receipts: SHA-256 over the canonical bid and a sealed salt; any change breaks them."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidding.pricing import Eligibility, Strength
from bidding.receipts import (
    BidContext,
    CanonicalError,
    bid_record,
    canonical_json,
    compute_receipt,
    parse_canonical,
    prepare_bid,
    read_bid_record,
    sealed_document,
    short_receipt,
    split_sealed_document,
    verify_receipt,
)
from bidding.validation import BidOffer, TierOffer

SALT = bytes(range(16))
CONTEXT = BidContext("VBP-2026-01", "SUP-001", "ATV-10", "7f3c")
AT = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
OFFER = BidOffer(pack_price_e4=123400, units_per_pack=7, strength=Strength(Decimal("10"), "mg"),
                 capacity=2_000_000, eligibility=Eligibility.REFERENCE_DRUG,
                 tiers=(TierOffer(500_000, 110000),))
BID = bid_record(OFFER, CONTEXT, AT)


def test_canonical_json_is_sorted_compact_and_exact():
    value = {"b": Decimal("12.3400"), "a": [1, "药"], "t": datetime(2026, 1, 2, 11, 0,
             tzinfo=timezone(timedelta(hours=8))), "e": Eligibility.REFERENCE_DRUG,
             "z": Decimal("0E-7"), "big": Decimal("1E+3")}
    assert canonical_json(value) == (
        '{"a":[1,"药"],"b":"12.34","big":"1000","e":"reference_drug",'
        '"t":"2026-01-02T03:00:00.000000Z","z":"0"}').encode()


def test_equal_bids_give_equal_bytes():
    assert canonical_json({"p": Decimal("1.50")}) == canonical_json({"p": Decimal("1.5")})
    later = datetime(2026, 11, 22, 16, 30, tzinfo=timezone(timedelta(hours=8)))
    assert canonical_json(bid_record(OFFER, CONTEXT, later)) == canonical_json(BID)


@pytest.mark.parametrize("value", [
    {"p": 1.5}, {"t": datetime(2026, 1, 1)}, {"s": {1, 2}}, {1: "x"},
    {"p": Decimal("NaN")}, {"o": object()},
])
def test_values_without_a_canonical_form_are_refused(value):
    with pytest.raises(CanonicalError):
        canonical_json(value)


def test_parse_canonical_refuses_floats_and_non_canonical_text():
    assert parse_canonical(b'{"a":"1.5"}') == {"a": "1.5"}
    for bad in (b'{"a":1.5}', b'{"b":1,"a":2}', b'{"a": 1}', b"\xff", b"NaN"):
        with pytest.raises(CanonicalError):
            parse_canonical(bad)


def test_receipt_is_sha256_of_the_sealed_document():
    document = sealed_document(BID, SALT)
    assert document.startswith(b'{"bid":{"batch":"VBP-2026-01"')
    assert document.endswith(b',"salt":"000102030405060708090a0b0c0d0e0f","v":1}')
    assert parse_canonical(document)["bid"]["pack_price"] == "12.34"
    assert compute_receipt(BID, SALT) == hashlib.sha256(document).hexdigest()


def test_receipt_verifies_from_bytes_mapping_or_hex_salt():
    receipt = compute_receipt(BID, SALT)
    assert verify_receipt(BID, SALT, receipt)
    assert verify_receipt(canonical_json(BID), SALT.hex(), receipt.upper())


def test_short_display_form_does_not_verify():
    receipt = compute_receipt(BID, SALT)
    short = short_receipt(receipt)
    assert len(short) == 19 and short.count("-") == 3 and receipt.startswith(short[:4])
    assert not verify_receipt(BID, SALT, short)
    grouped = "-".join(receipt[i:i + 4] for i in range(0, 64, 4))
    assert verify_receipt(BID, SALT, grouped)


@pytest.mark.parametrize(("key", "value"), [
    ("pack_price", Decimal("12.3401")), ("capacity", 2_000_001), ("units_per_pack", 14),
    ("strength", Decimal("20")), ("supplier", "SUP-002"), ("item", "ATV-20"),
    ("submission", "7f3d"), ("submitted_at", AT + timedelta(microseconds=1)),
    ("eligibility", Eligibility.CONSISTENCY_GENERIC), ("tiers", []),
])
def test_receipt_changes_when_any_field_changes(key, value):
    receipt = compute_receipt(BID, SALT)
    assert not verify_receipt({**BID, key: value}, SALT, receipt)


def test_receipt_changes_with_the_salt():
    receipt = compute_receipt(BID, SALT)
    assert not verify_receipt(BID, bytes(16), receipt)
    assert compute_receipt(BID, bytes(16)) != receipt


def test_bad_inputs_do_not_verify():
    receipt = compute_receipt(BID, SALT)
    assert not verify_receipt(BID, "not hex", receipt)
    assert not verify_receipt(BID, SALT[:8], receipt)
    assert not verify_receipt(b'{"a": 1}', SALT, receipt)
    assert not verify_receipt(BID, SALT, None)
    assert not verify_receipt(BID, SALT, receipt[:-1] + "é")


def test_prepare_bid_draws_a_fresh_128_bit_salt():
    first, second = prepare_bid(BID), prepare_bid(BID)
    assert len(first.salt) == 16 and first.salt != second.salt
    assert first.receipt != second.receipt
    assert verify_receipt(first.canonical_bid, first.salt, first.receipt)
    assert first.short == short_receipt(first.receipt)


def test_sealed_document_round_trip():
    prepared = prepare_bid(BID, SALT)
    assert split_sealed_document(prepared.document) == (canonical_json(BID), SALT)
    for bad in (b'{"bid":{},"salt":"00","v":1}', b'{"bid":{},"v":1}', b'{"bid":[],"salt":"'
                + SALT.hex().encode() + b'","v":1}'):
        with pytest.raises(CanonicalError):
            split_sealed_document(bad)


def test_bid_record_round_trip():
    context, submitted_at, offer = read_bid_record(canonical_json(BID))
    assert (context, submitted_at, offer) == (CONTEXT, AT, OFFER)


@pytest.mark.parametrize("change", [
    {"capacity": "2000000"}, {"capacity": True}, {"pack_price": "12.34567"},
    {"eligibility": "originator"}, {"submitted_at": "yesterday"}, {"tiers": [1]},
    {"strength": "ten"},
])
def test_malformed_bid_records_are_refused(change):
    with pytest.raises(CanonicalError):
        read_bid_record(canonical_json({**BID, **change}))


prices = st.integers(1, 10**10)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@given(price=prices, capacity=st.integers(1, 10**12), supplier=texts, salt=st.binary(min_size=16, max_size=16))
def test_any_bid_round_trips_and_verifies(price, capacity, supplier, salt):
    offer = BidOffer(price, 10, Strength(Decimal("10"), "mg"), capacity,
                     Eligibility.REFERENCE_DRUG, (TierOffer(1, price),))
    context = BidContext("B", supplier, "I", "1")
    prepared = prepare_bid(bid_record(offer, context, AT), salt)
    canonical, got_salt = split_sealed_document(prepared.document)
    assert read_bid_record(canonical) == (context, AT, offer)
    assert verify_receipt(canonical, got_salt, prepared.receipt)
