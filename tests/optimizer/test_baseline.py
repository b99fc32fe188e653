"""The national picking procedure used as the baseline."""

from decimal import Decimal

from optimizer.allocation import Problem
from optimizer.baseline import national_baseline
from tests.optimizer import bid


def problem(winners, volumes, pins=None, share=None, backup=False):
    """A problem over regions r1…rn."""
    codes = tuple(f"r{i + 1}" for i in range(len(volumes)))
    return Problem("X", codes, tuple(volumes), tuple(pins or [None] * len(volumes)), tuple(winners), 1, share, backup)


def test_winners_pick_largest_region_in_price_order_one_per_round():
    p = problem([bid("A", "0.1"), bid("B", "0.2")], [20, 50, 30, 40])
    alloc = national_baseline(p)
    # round 1: A 50 (r2), B 40 (r4); round 2: A 30 (r3), B 20 (r1)
    assert alloc.primary == ("B", "A", "A", "B")


def test_a_winner_without_room_passes_its_turn():
    p = problem([bid("A", "0.1", 55), bid("B", "0.2")], [20, 50, 30, 40])
    assert national_baseline(p).primary == ("B", "A", "B", "B")


def test_pins_are_placed_before_the_first_round():
    p = problem([bid("A", "0.1"), bid("B", "0.2")], [20, 50], pins=[None, "B"])
    assert national_baseline(p).primary == ("A", "B")


def test_max_share_limits_the_picks():
    p = problem([bid("A", "0.1"), bid("B", "0.2")], [50, 30, 20], share=Decimal("0.6"))
    assert national_baseline(p).primary == ("A", "B", "B")


def test_no_baseline_when_capacity_runs_out():
    assert national_baseline(problem([bid("A", "0.1", 10), bid("B", "0.2", 10)], [20, 5])) is None


def test_backup_is_the_best_ranked_other_winner():
    p = problem([bid("A", "0.1"), bid("B", "0.2"), bid("C", "0.3")], [30, 20, 10], backup=True)
    alloc = national_baseline(p)
    assert alloc.primary == ("A", "B", "C")
    assert alloc.backup == ("B", "A", "A")
