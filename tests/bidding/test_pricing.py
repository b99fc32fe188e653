"""Unit comparable price: pack size divided out, each doubling of strength divides by 1.7."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidding.pricing import (
    Eligibility,
    PricingError,
    RefusalCode,
    Strength,
    normalise_unit,
    strength_multiplier,
    unit_comparable_price_e4,
)

MG10 = Strength(Decimal("10"), "mg")


def mg(amount: str) -> Strength:
    """A strength in mg."""
    return Strength(Decimal(amount), "mg")


def test_same_strength_is_pack_price_over_units():
    # ¥12.6000 for 7 tablets of the representative 10 mg → ¥1.8000 per tablet
    assert unit_comparable_price_e4("12.6", 7, mg("10"), MG10) == 18000
    assert unit_comparable_price_e4(126000, 7, mg("10"), MG10) == 18000


def test_double_strength_divides_by_1_7():
    # ¥17.0000 for 10 tablets of 20 mg → 1.7 / 1.7 = ¥1.0000
    assert unit_comparable_price_e4("17", 10, mg("20"), MG10) == 10000


def test_half_strength_multiplies_by_1_7():
    # ¥10.0000 for 10 tablets of 5 mg → 1 × 1.7 = ¥1.7000
    assert unit_comparable_price_e4("10", 10, mg("5"), MG10) == 17000


def test_four_times_strength_divides_by_2_89():
    # ¥28.9000 for 10 tablets of 40 mg → 2.89 / 2.89 = ¥1.0000
    assert unit_comparable_price_e4("28.9", 10, mg("40"), MG10) == 10000
    assert strength_multiplier(mg("40"), MG10) == Fraction("2.89")
    assert strength_multiplier(mg("2.5"), MG10) == 1 / Fraction("2.89")


def test_rounds_half_up_at_the_fifth_decimal():
    # ¥1.0001 / 2 = ¥0.50005 → ¥0.5001 (half-even would give ¥0.5000)
    assert unit_comparable_price_e4("1.0001", 2, mg("10"), MG10) == 5001
    # ¥1.0003 / 2 = ¥0.50015 → ¥0.5002
    assert unit_comparable_price_e4("1.0003", 2, mg("10"), MG10) == 5002
    # ¥1.0001 / 3 = ¥0.333366… → ¥0.3334
    assert unit_comparable_price_e4("1.0001", 3, mg("10"), MG10) == 3334


def test_exact_tie_after_a_strength_doubling_rounds_up():
    # ¥0.0017 for 4 tablets of 20 mg: 17 / 4 / 1.7 = 2.5 (×10⁻⁴ yuan) exactly → 3
    assert unit_comparable_price_e4(17, 4, mg("20"), MG10) == 3


def test_non_power_of_two_ratio_uses_r_to_the_log2_of_1_7():
    # 15 mg vs 10 mg: 1.5 ** log2(1.7) = 1.363965…; ¥10 / 10 / 1.363965 = ¥0.73316 → 7332
    assert unit_comparable_price_e4("10", 10, mg("15"), MG10) == 7332
    multiplier = strength_multiplier(mg("15"), MG10)
    assert Fraction("1.36396") < multiplier < Fraction("1.36397")


def test_factor_is_a_setting():
    assert unit_comparable_price_e4("20", 10, mg("20"), MG10, Decimal("2")) == 10000
    assert unit_comparable_price_e4("20", 10, mg("20"), MG10, Decimal("1")) == 20000


def test_units_are_normalised_and_mismatches_refused():
    assert normalise_unit(" MG ") == "mg"
    assert normalise_unit("µg") == normalise_unit("ug") == normalise_unit("mcg") == "μg"
    assert unit_comparable_price_e4("10", 10, Strength(Decimal("10"), "MG"), MG10) == 10000
    with pytest.raises(PricingError) as caught:
        unit_comparable_price_e4("10", 10, Strength(Decimal("0.01"), "g"), MG10)
    assert caught.value.reason.code is RefusalCode.STRENGTH_UNIT_MISMATCH
    assert "g" in caught.value.reason.message_zh and "mg" in caught.value.reason.message_en


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("0", 10, mg("10")), RefusalCode.PRICE_NOT_POSITIVE),
        ((-5, 10, mg("10")), RefusalCode.PRICE_NOT_POSITIVE),
        (("1.23456", 10, mg("10")), RefusalCode.INVALID_NUMBER),
        ((1.5, 10, mg("10")), RefusalCode.INVALID_NUMBER),
        ((True, 10, mg("10")), RefusalCode.INVALID_NUMBER),
        (("10", 0, mg("10")), RefusalCode.UNITS_PER_PACK_NOT_POSITIVE),
        (("10", 2.0, mg("10")), RefusalCode.UNITS_PER_PACK_NOT_POSITIVE),
        (("10", 10, mg("0")), RefusalCode.STRENGTH_NOT_POSITIVE),
        (("10", 10, Strength(10.0, "mg")), RefusalCode.INVALID_NUMBER),
        (("10", 10, Strength(Decimal("NaN"), "mg")), RefusalCode.INVALID_NUMBER),
        (("10", 10, Strength(Decimal("1E+999999"), "mg")), RefusalCode.INVALID_NUMBER),
        (("10", 10, Strength(Decimal("1." + "1" * 40), "mg")), RefusalCode.INVALID_NUMBER),
        (("10", 10, Strength(Decimal("10"), None)), RefusalCode.STRENGTH_UNIT_MISMATCH),
    ],
)
def test_bad_inputs_are_refused_with_a_code(args, code):
    with pytest.raises(PricingError) as caught:
        unit_comparable_price_e4(*args, MG10)
    assert caught.value.reason.code is code
    assert caught.value.reason.message_zh and caught.value.reason.message_en


def test_float_factor_is_refused():
    with pytest.raises(PricingError):
        unit_comparable_price_e4("10", 10, mg("20"), MG10, 1.7)


def test_eligibility_has_both_labels():
    assert Eligibility("reference_drug").label_zh == "参比制剂"
    assert Eligibility.CONSISTENCY_GENERIC.label_zh == "通过一致性评价仿制药"
    assert Eligibility.CONSISTENCY_GENERIC.label_en == "Consistency-evaluated generic"


strengths = st.sampled_from(["1", "2.5", "5", "7.5", "10", "15", "20", "40", "80", "0.3"])


@given(a=st.integers(1, 10**9), b=st.integers(1, 10**9), units=st.integers(1, 500),
       strength=strengths)
def test_ucp_is_monotone_in_pack_price(a, b, units, strength):
    low, high = sorted((a, b))
    assert (unit_comparable_price_e4(low, units, mg(strength), MG10)
            <= unit_comparable_price_e4(high, units, mg(strength), MG10))


@given(price=st.integers(1, 10**9), units=st.integers(1, 500), low=strengths, high=strengths)
def test_higher_strength_never_raises_the_ucp(price, units, low, high):
    weak, strong = sorted((Decimal(low), Decimal(high)))
    assert (unit_comparable_price_e4(price, units, Strength(strong, "mg"), MG10)
            <= unit_comparable_price_e4(price, units, Strength(weak, "mg"), MG10))


@given(price=st.integers(1, 10**9), units=st.integers(1, 500), strength=strengths)
def test_ucp_is_deterministic_and_an_int(price, units, strength):
    first = unit_comparable_price_e4(price, units, mg(strength), MG10)
    assert type(first) is int
    assert first == unit_comparable_price_e4(price, units, mg(strength), MG10)
