"""Golden cases of the rules engine, from the tables of domain.md §4."""

from decimal import Decimal
from fractions import Fraction

import pytest

from optimizer import rules as r
from optimizer.model import Anchor, MaxWinners, Qualification, Reason, Rules
from tests.optimizer import bid, item

ELEVENTH = MaxWinners(
    minus=None,
    table=((6, 3), (7, 4), (8, 5), (9, 6), (10, 6), (11, 7), (12, 8), (13, 8), (14, 9), (15, 9), (16, 10)),
    cap=10,
)


@pytest.mark.parametrize(
    ("n", "expected"),
    list(zip(range(6, 17), [3, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10], strict=True)),
)
def test_eleventh_batch_winner_table(n, expected):
    assert r.max_winners(n, ELEVENTH) == expected


def test_eleventh_batch_table_keeps_ten_beyond_sixteen():
    assert r.max_winners(40, ELEVENTH) == 10


@pytest.mark.parametrize(("n", "expected"), [(3, 1), (4, 2), (7, 5), (12, 10), (30, 10)])
def test_ninth_batch_n_minus_two_capped_at_ten(n, expected):
    assert r.max_winners(n, MaxWinners(minus=2, cap=10)) == expected


@pytest.mark.parametrize(("n", "expected"), [(4, 1), (5, 2), (13, 10), (14, 10)])
def test_tenth_batch_n_minus_three(n, expected):
    assert r.max_winners(n, MaxWinners(minus=3, cap=10)) == expected


def test_never_fewer_than_one_winner_and_none_without_valid_bids():
    assert r.max_winners(2, MaxWinners(minus=2, cap=10)) == 1
    assert r.max_winners(0, MaxWinners(minus=2, cap=10)) == 0


def test_four_plus_seven_pilot_single_winner():
    assert r.max_winners(9, MaxWinners(minus=0, cap=1)) == 1


def test_anchor_lowest_and_half_mean():
    ucps = [Decimal("1"), Decimal("2"), Decimal("3"), Decimal("10")]
    assert r.anchor_price(ucps, Rules()) == Fraction(1)
    # mean 4 → 0.5 × 4 = 2 > lowest 1
    assert r.anchor_price(ucps, Rules(anchor=Anchor.HALF_MEAN)) == Fraction(2)
    close = [Decimal("1"), Decimal("1.1")]
    assert r.anchor_price(close, Rules(anchor=Anchor.HALF_MEAN)) == Fraction(1)


def test_price_spread_is_inclusive_at_the_multiple():
    rules = Rules(reduction_safe_harbour=None, absolute_safe_harbour=None)
    assert r.qualification(Decimal("1.8"), Fraction(1), Decimal(5), rules) is Qualification.ANCHOR_SPREAD
    assert r.qualification(Decimal("1.8001"), Fraction(1), Decimal(5), rules) is None


def test_reduction_safe_harbour_rescues_a_bid_beyond_the_spread():
    rules = Rules(absolute_safe_harbour=None)
    got = r.qualification(Decimal("2.5"), Fraction(1), Decimal(5), rules)
    assert got is Qualification.REDUCTION_SAFE_HARBOUR
    assert r.qualification(Decimal("2.5"), Fraction(1), Decimal(5), Rules(reduction_safe_harbour=None, absolute_safe_harbour=None)) is None


def test_absolute_safe_harbour():
    rules = Rules(reduction_safe_harbour=None)
    assert r.qualification(Decimal("0.1"), Fraction(1, 100), Decimal(1), rules) is Qualification.ABSOLUTE_SAFE_HARBOUR
    assert r.qualification(Decimal("0.1001"), Fraction(1, 100), Decimal(1), rules) is None


def test_half_mean_anchor_lets_more_bids_qualify():
    bids = [bid("A", "0.10"), bid("B", "0.30"), bid("C", "0.90"), bid("D", "1.00")]
    it = item(bids, [("110000", 10)], max_price="2.0000")
    plain = Rules(reduction_safe_harbour=None, absolute_safe_harbour=None, max_winners=MaxWinners(minus=0))
    lowest = r.determine_winners(it, plain)
    half = r.determine_winners(it, Rules(**{**plain.__dict__, "anchor": Anchor.HALF_MEAN}))
    assert [b.supplier for b in lowest.winners] == ["A"]
    # mean 0.575, half 0.2875 → anchor 0.2875, 1.8 × = 0.5175 → A and B qualify
    assert [b.supplier for b in half.winners] == ["A", "B"]


def test_outcome_reasons():
    bids = [bid("A", "0.10"), bid("B", "0.11"), bid("C", "0.12"), bid("D", "0.50"), bid("E", "1.20")]
    it = item(bids, [("110000", 10)], max_price="1.0000")
    det = r.determine_winners(it, Rules(reduction_safe_harbour=None, absolute_safe_harbour=None))
    reasons = {o.supplier: o.reason for o in det.outcomes}
    # N = 4 valid → N − 2 = 2 winners
    assert reasons == {
        "A": Reason.WON,
        "B": Reason.WON,
        "C": Reason.WINNER_LIMIT,
        "D": Reason.PRICE_SPREAD,
        "E": Reason.ABOVE_MAX_PRICE,
    }
    assert det.valid_count == 4


def test_tie_break_lower_ucp_then_earlier_submission():
    bids = [bid("A", "0.10"), bid("LATE", "0.11", minute=30), bid("EARLY", "0.11", minute=5), bid("Z", "0.12")]
    det = r.determine_winners(item(bids, [("110000", 1)]), Rules(max_winners=MaxWinners(minus=2)))
    assert [b.supplier for b in det.winners] == ["A", "EARLY"]
    late = next(o for o in det.outcomes if o.supplier == "LATE")
    assert late.reason is Reason.WINNER_LIMIT and late.rank == 3


def test_determination_ignores_input_order():
    bids = [bid("A", "0.10"), bid("B", "0.11", minute=3), bid("C", "0.11", minute=1), bid("D", "0.9")]
    one = r.determine_winners(item(bids, [("1", 1)]), Rules())
    two = r.determine_winners(item(bids[::-1], [("1", 1)]), Rules())
    assert one == two


@pytest.mark.parametrize(("winners", "ratio"), [(1, "0.5"), (2, "0.6"), (3, "0.7"), (4, "0.8"), (9, "0.8")])
def test_agreed_ratio_by_winners_largest_key_applies_above(winners, ratio):
    assert r.agreed_ratio(winners, Rules()) == Decimal(ratio)


@pytest.mark.parametrize(("winners", "years"), [(1, 1), (2, 2), (3, 2), (4, 3), (10, 3)])
def test_contract_period_by_winners(winners, years):
    assert r.contract_years(winners, Rules()) == years


@pytest.mark.parametrize(
    ("demand", "ratio", "expected"),
    [(5, "0.7", 4), (3, "0.5", 2), (1234567, "0.6", 740740), (1200000, "0.6", 720000), (0, "0.8", 0)],
)
def test_agreed_volume_rounds_half_up(demand, ratio, expected):
    assert r.agreed_volume(demand, Decimal(ratio)) == expected


def test_gradient_floors_by_winner_count():
    rules = Rules(gradient=((2, (Decimal("0.6"),)), (3, (Decimal("0.6"), Decimal("0.24"))), (4, (Decimal("0.5"), Decimal("0.25"), Decimal("0.125")))))
    assert r.gradient_floors(2, rules) == (Decimal("0.6"),)
    assert r.gradient_floors(6, rules) == (Decimal("0.5"), Decimal("0.25"), Decimal("0.125"))
    assert r.gradient_floors(1, rules) == ()
    assert r.gradient_floors(3, Rules()) == ()


def test_one_bid_per_supplier():
    with pytest.raises(ValueError, match="one bid per supplier"):
        r.determine_winners(item([bid("A", "0.1"), bid("A", "0.2")], [("1", 1)]), Rules())
