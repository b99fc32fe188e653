"""A bid is refused with every reason that applies, each with a code and zh/en messages."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bidding.pricing import Eligibility, RefusalCode, Strength
from bidding.validation import BidOffer, ItemTerms, PricedTier, TierOffer, check_bid, validate_bid

MG10 = Strength(Decimal("10"), "mg")
ITEM = ItemTerms(rep_strength=MG10, max_valid_price_e4=10000)  # ¥1.0000 per 10 mg tablet
DEADLINE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def offer(**changes) -> BidOffer:
    """A valid bid: ¥8.0000 for 10 tablets of 10 mg (UCP ¥0.8000), capacity 1,000,000."""
    base = {"pack_price_e4": 80000, "units_per_pack": 10, "strength": MG10,
            "capacity": 1_000_000, "eligibility": Eligibility.CONSISTENCY_GENERIC, "tiers": ()}
    return BidOffer(**{**base, **changes})


def codes(bid: BidOffer, item: ItemTerms = ITEM, **kwargs) -> list[RefusalCode]:
    """The refusal codes of a bid, in order."""
    return [reason.code for reason in validate_bid(bid, item, **kwargs)]


def test_valid_bid_shows_its_ucp_and_has_no_refusals():
    result = check_bid(offer(), ITEM)
    assert result.ok and result.ucp_e4 == 8000 and result.refusals == ()


def test_price_at_the_maximum_is_valid_one_e4_above_is_not():
    assert codes(offer(pack_price_e4=100000)) == []
    assert codes(offer(pack_price_e4=100010)) == [RefusalCode.ABOVE_MAX_PRICE]


def test_maximum_is_compared_after_conversion():
    # ¥17 for 10 × 20 mg is ¥1.0000 comparable: valid although ¥1.70 per tablet
    assert codes(offer(pack_price_e4=170000, strength=Strength(Decimal("20"), "mg"))) == []
    reason = validate_bid(offer(pack_price_e4=170017, strength=Strength(Decimal("20"), "mg")),
                          ITEM)[0]
    assert reason.code is RefusalCode.ABOVE_MAX_PRICE
    assert "¥1.0001" in reason.message_en and "¥1.0000" in reason.message_zh
    assert reason.field == "pack_price"


@pytest.mark.parametrize("capacity", [0, -1, 1.5, True, None])
def test_capacity_must_be_a_positive_int(capacity):
    assert codes(offer(capacity=capacity)) == [RefusalCode.CAPACITY_NOT_POSITIVE]


def test_eligibility_must_be_declared():
    assert codes(offer(eligibility=None)) == [RefusalCode.ELIGIBILITY_MISSING]
    assert codes(offer(eligibility="reference")) == [RefusalCode.ELIGIBILITY_MISSING]


def test_every_reason_is_collected():
    bad = offer(pack_price_e4=0, capacity=0, eligibility=None, units_per_pack=0)
    assert set(codes(bad)) == {RefusalCode.PRICE_NOT_POSITIVE, RefusalCode.CAPACITY_NOT_POSITIVE,
                               RefusalCode.ELIGIBILITY_MISSING,
                               RefusalCode.UNITS_PER_PACK_NOT_POSITIVE}


def test_mismatched_strength_unit_is_refused():
    assert codes(offer(strength=Strength(Decimal("0.01"), "g"))) == [
        RefusalCode.STRENGTH_UNIT_MISMATCH]


def test_missing_strength_is_refused_not_crashed():
    assert codes(offer(strength=None)) == [RefusalCode.INVALID_NUMBER]


def test_a_float_price_is_refused_not_converted():
    assert codes(offer(pack_price_e4=8.0)) == [RefusalCode.INVALID_NUMBER]


def test_ucp_below_one_e4_is_refused():
    assert codes(offer(pack_price_e4=4, units_per_pack=10)) == [RefusalCode.UCP_ROUNDS_TO_ZERO]


def test_window_open_until_just_before_the_deadline():
    second = timedelta(seconds=1)
    assert codes(offer(), now=DEADLINE - second, deadline=DEADLINE) == []
    assert codes(offer(), now=DEADLINE, deadline=DEADLINE) == [RefusalCode.WINDOW_CLOSED]
    late = validate_bid(offer(), ITEM, now=DEADLINE + second, deadline=DEADLINE)
    assert late[0].code is RefusalCode.WINDOW_CLOSED and "截止" in late[0].message_zh


def test_window_not_yet_open():
    opens = DEADLINE - timedelta(days=10)
    assert codes(offer(), now=opens - timedelta(seconds=1), opens_at=opens,
                 deadline=DEADLINE) == [RefusalCode.WINDOW_NOT_OPEN]


def test_naive_times_and_missing_now_are_programming_errors():
    with pytest.raises(ValueError):
        validate_bid(offer(), ITEM, now=datetime(2026, 11, 1), deadline=DEADLINE)
    with pytest.raises(ValueError):
        validate_bid(offer(), ITEM, deadline=DEADLINE)


def test_consistent_tiers_are_priced_like_the_base():
    tiers = (TierOffer(100_000, 75000), TierOffer(500_000, 70000), TierOffer(900_000, 70000))
    result = check_bid(offer(tiers=tiers), ITEM)
    assert result.ok
    assert result.tiers == (PricedTier(100_000, 75000, 7500), PricedTier(500_000, 70000, 7000),
                            PricedTier(900_000, 70000, 7000))


def test_tiers_are_converted_with_the_same_strength_factor():
    strong = Strength(Decimal("20"), "mg")
    result = check_bid(offer(pack_price_e4=170000, strength=strong,
                             tiers=(TierOffer(10, 153000),)), ITEM)
    assert result.ucp_e4 == 10000 and result.tiers[0].ucp_e4 == 9000


def test_tier_volumes_must_strictly_increase():
    tiers = (TierOffer(500, 75000), TierOffer(500, 70000), TierOffer(400, 65000))
    reasons = validate_bid(offer(tiers=tiers), ITEM)
    assert [(r.code, r.tier) for r in reasons] == [
        (RefusalCode.TIER_VOLUME_NOT_INCREASING, 2), (RefusalCode.TIER_VOLUME_NOT_INCREASING, 3)]
    assert "第 2 档" in reasons[0].message_zh and "Tier 2" in reasons[0].message_en


def test_more_volume_never_raises_the_price():
    tiers = (TierOffer(100, 70000), TierOffer(200, 72000))
    assert [(r.code, r.tier) for r in validate_bid(offer(tiers=tiers), ITEM)] == [
        (RefusalCode.TIER_PRICE_RISES, 2)]


def test_tier_price_must_not_exceed_the_base_and_be_positive():
    tiers = (TierOffer(100, 81000), TierOffer(200, 0), TierOffer(300, -1))
    assert codes(offer(tiers=tiers)) == [RefusalCode.TIER_PRICE_ABOVE_BASE,
                                         RefusalCode.TIER_PRICE_NOT_POSITIVE,
                                         RefusalCode.TIER_PRICE_NOT_POSITIVE]


def test_tier_volume_must_be_positive_and_within_capacity():
    tiers = (TierOffer(0, 75000), TierOffer(2_000_000, 70000))
    assert codes(offer(tiers=tiers)) == [RefusalCode.TIER_VOLUME_NOT_POSITIVE,
                                         RefusalCode.TIER_VOLUME_ABOVE_CAPACITY]


def test_number_of_tiers_is_a_setting():
    tiers = tuple(TierOffer(100 * n, 80000 - n) for n in range(1, 4))
    assert codes(offer(tiers=tiers)) == []
    few = ItemTerms(rep_strength=MG10, max_valid_price_e4=10000, max_tiers=2)
    assert codes(offer(tiers=tiers), few) == [RefusalCode.TOO_MANY_TIERS]


def test_every_code_has_both_messages():
    bad = offer(pack_price_e4=0, capacity=0, eligibility=None,
                tiers=(TierOffer(0, 0), TierOffer(-1, 5)))
    for reason in validate_bid(bad, ITEM, now=DEADLINE, deadline=DEADLINE):
        assert reason.message_zh and reason.message_en and "{" not in reason.message_en


def test_window_refusals_name_the_time_in_the_bureau_zone() -> None:
    from datetime import UTC, datetime

    from bidding.validation import _window_reasons

    deadline = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    (closed,) = _window_reasons(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), deadline, None)
    assert "2026-12-01 17:00 UTC+08:00" in closed.message_zh and "+00:00" not in closed.message_en
