"""The national picking procedure used as the baseline."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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


def reference_baseline(p):
    """The picking procedure written plainly (a full scan per pick), to check the fast one."""
    limit = p.share_limit()
    room = {b.supplier: b.capacity if limit is None else min(b.capacity, limit) for b in p.winners}
    primary = [None] * len(p.regions)
    for ri, pin in enumerate(p.pins):
        if pin in room:
            primary[ri] = pin
            room[pin] -= p.volumes[ri]
    order = sorted(range(len(p.regions)), key=lambda ri: (-p.volumes[ri], p.regions[ri]))
    while any(s is None for s in primary):
        progress = False
        for b in p.winners:
            pick = next((ri for ri in order if primary[ri] is None and p.volumes[ri] <= room[b.supplier]), None)
            if pick is not None:
                primary[pick] = b.supplier
                room[b.supplier] -= p.volumes[pick]
                progress = True
        if not progress:
            return None
    return tuple(primary)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=12),
    st.lists(st.integers(0, 250), min_size=1, max_size=4),
    st.lists(st.sampled_from([None, None, "A", "B"]), min_size=12, max_size=12),
)
def test_fast_baseline_equals_the_plain_procedure(volumes, capacities, pins):
    winners = [bid(name, f"0.{i + 1}", c) for i, (name, c) in enumerate(zip("ABCD", capacities, strict=False))]
    p = problem(winners, volumes, pins[: len(volumes)])
    alloc = national_baseline(p)
    assert (alloc.primary if alloc else None) == reference_baseline(p)
