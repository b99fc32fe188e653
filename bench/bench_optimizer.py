"""Optimizer benchmark: ``python -m bench.bench_optimizer [--quick]`` prints a table.

Generates seeded instances and times, in the same run:

(a) a plain PuLP model per item in which winners are decision variables (HiGHS),
(b) the optimizer (rules engine first, then the per-item allocation MILP), sequential and
    across two processes, to proven optimality (relative gap ≤ 1e-4), build included;
(c) a hospital-level item (10 winners, 5,000 hospitals) to ≤ 0.1 % gap;
(d) a tiered instance (60 items × 32 regions × 3 tiers) to optimality, sequential and
    across two processes.

Figures are compared as ratios measured in the same run. Not a test.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pulp

from optimizer import rules as rr
from optimizer.evaluate import build_problem, solve_instance, total_objective
from optimizer.model import E4, Bid, Instance, Item, Region, Rules, Status, Tier
from optimizer.solver import read_result

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _price(value: float) -> Decimal:
    """A float price rounded half up to 4 decimals (generation only)."""
    return Decimal(str(value)).quantize(E4, rounding=ROUND_HALF_UP)


def _regions(rnd: random.Random, count: int, base: int) -> tuple[Region, ...]:
    """Regions with skewed (log-normal) demand around ``base``."""
    return tuple(
        Region(f"{110000 + 10000 * i:06d}" if count <= 40 else f"H{i:05d}", max(1, int(base * rnd.lognormvariate(0, 0.8))))
        for i in range(count)
    )


def _bids(rnd: random.Random, count: int, mvp: Decimal, tiers: int) -> list[Bid]:
    """Bids around the maximum valid price, some invalid, with optional volume tiers."""
    out = []
    for i in range(count):
        ucp = _price(float(mvp) * rnd.uniform(0.15, 1.05))
        tier_list = tuple(
            Tier(10**6 * (k + 1) * rnd.randint(1, 4), _price(float(ucp) * (1 - 0.04 * (k + 1))))
            for k in range(tiers)
        )
        tier_list = tuple(sorted(tier_list, key=lambda t: t.min_volume))
        tier_list = tuple(t for k, t in enumerate(tier_list) if k == 0 or t.min_volume > tier_list[k - 1].min_volume)
        when = START + timedelta(minutes=rnd.randint(0, 5000))
        out.append(Bid(f"S{i + 1:02d}", ucp, 1, when, tier_list))
    return out


def _bind_capacities(rnd: random.Random, item: Item, rules: Rules) -> Item:
    """Capacities that bind for the cheapest winners (they cannot take all they would win).

    The two best-ranked winners can carry only 25–60 % of the agreed volume, so the optimum
    must spill volume to dearer winners; the others declare ample capacity (as national
    winners usually do). Every winner can carry at least two of the smallest regions.
    """
    det = rr.determine_winners(item, rules)
    p = build_problem(item, rules, det.winners)
    total, smallest = p.total, min(p.volumes)
    rank = {b.supplier: i for i, b in enumerate(det.winners)}
    bids = []
    for bid in item.bids:
        if bid.supplier not in rank:
            cap = math.ceil(total * rnd.uniform(0.1, 0.6))
        elif len(rank) == 1:
            cap = math.ceil(total * rnd.uniform(1.0, 1.3))
        elif rank[bid.supplier] < 2:
            cap = math.ceil(total * rnd.uniform(0.25, 0.6))
        else:
            cap = math.ceil(total * rnd.uniform(0.6, 1.2))
        bids.append(replace(bid, capacity=max(cap, 2 * smallest)))
    short = math.ceil(1.15 * total) - sum(b.capacity for b in bids if b.supplier in rank)
    if short > 0:  # few winners: the last one declares enough to cover the item
        last = det.winners[-1].supplier
        bids = [replace(b, capacity=b.capacity + short) if b.supplier == last else b for b in bids]
    return replace(item, bids=tuple(bids))


def national(seed: int, items: int, regions: int, bids: tuple[int, int], tiers: int = 0) -> Instance:
    """The national instance: items with 2–40 bids, 32 regions, binding capacities, backups."""
    rnd = random.Random(seed)
    rules = Rules(backup=True, min_regions_per_winner=1, gap=1e-4, time_limit_seconds=30)
    out = []
    for k in range(items):
        mvp = _price(rnd.uniform(0.2, 8.0))
        raw = Item(f"X{k + 1:02d}", mvp, _regions(rnd, regions, rnd.randint(50_000, 3_000_000)),
                   tuple(_bids(rnd, rnd.randint(*bids), mvp, tiers)))
        out.append(_bind_capacities(rnd, raw, rules))
    return Instance(rules, tuple(out))


def hospital_item(seed: int, hospitals: int) -> Instance:
    """One item, 12 bids of which 10 win (N − 2), thousands of hospitals."""
    rnd = random.Random(seed)
    rules = Rules(backup=False, gap=1e-3, time_limit_seconds=60)
    mvp = Decimal("1.0000")
    bids = [Bid(f"S{i + 1:02d}", _price(0.30 + 0.02 * i + rnd.uniform(0, 0.01)), 1,
                START + timedelta(minutes=i)) for i in range(12)]
    raw = Item("H01", mvp, _regions(rnd, hospitals, 20_000), tuple(bids))
    return Instance(rules, (_bind_capacities(rnd, raw, rules),))


def plain_item(item: Item, rules: Rules) -> tuple[Decimal | None, float]:
    """The plain model: winners as decision variables (u), built with lpSum; returns cost, s."""
    started = time.perf_counter()
    det = rr.determine_winners(item, rules)
    valid = [o for o in det.outcomes if o.rank is not None]
    cand = [b for b in sorted(item.bids, key=rr.rank_key) if any(o.supplier == b.supplier and o.qualified_by for o in valid)]
    limit = rr.max_winners(det.valid_count, rules.max_winners)
    count = min(limit, len(cand))
    p = build_problem(item, rules, det.winners)
    prob = pulp.LpProblem(f"plain_{item.code}", pulp.LpMinimize)
    u = {b.supplier: prob.add_variable(f"u_{b.supplier}", 0, 1, cat=pulp.LpBinary) for b in cand}
    x = {(b.supplier, r): prob.add_variable(f"x_{b.supplier}_{r}", 0, 1, cat=pulp.LpBinary) for b in cand for r in p.regions}
    bk = {(b.supplier, r): prob.add_variable(f"b_{b.supplier}_{r}", 0, 1, cat=pulp.LpBinary) for b in cand for r in p.regions}
    vol = dict(zip(p.regions, p.volumes, strict=True))
    prob += pulp.lpSum(float(b.ucp) * vol[r] * x[b.supplier, r] for b in cand for r in p.regions)
    prob += pulp.lpSum(u.values()) == count, "winner_count"
    for first, second in zip(cand, cand[1:], strict=False):
        prob += u[first.supplier] >= u[second.supplier], f"rank_order_{second.supplier}"
    for r in p.regions:
        prob += pulp.lpSum(x[b.supplier, r] for b in cand) == 1, f"one_primary_{r}"
        prob += pulp.lpSum(bk[b.supplier, r] for b in cand) == 1, f"one_backup_{r}"
    for b in cand:
        s = b.supplier
        prob += pulp.lpSum(vol[r] * x[s, r] for r in p.regions) <= b.capacity * u[s], f"capacity_{s}"
        prob += pulp.lpSum(x[s, r] for r in p.regions) >= rules.min_regions_per_winner * u[s], f"min_regions_{s}"
        for r in p.regions:
            prob += x[s, r] <= u[s], f"x_needs_win_{s}_{r}"
            prob += bk[s, r] + x[s, r] <= u[s], f"backup_{s}_{r}"
    prob.solve(pulp.HiGHS(msg=False, gapRel=rules.gap, gapAbs=0.0, threads=1, timeLimit=rules.time_limit_seconds))
    report = read_result(prob, "highs", rules.gap)
    cost = None
    if report.objective is not None:
        cost = sum((b.ucp * vol[r] for b in cand for r in p.regions if (x[b.supplier, r].varValue or 0) > 0.5), Decimal(0))
    return cost, time.perf_counter() - started


def _row(name: str, seconds: float, detail: str, target: str) -> str:
    """One formatted table row."""
    return f"| {name:<52} | {seconds:>9.2f} | {detail:<38} | {target:<14} |"


def _timed(instance: Instance, workers: int = 1):
    """Solve an instance and time it."""
    started = time.perf_counter()
    result = solve_instance(instance, workers=workers)
    return result, time.perf_counter() - started


def _statuses(result) -> str:
    """Count of item statuses, e.g. ``optimal 60``."""
    counts: dict[str, int] = {}
    for item in result.items:
        counts[str(item.status)] = counts.get(str(item.status), 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller instances")
    args = parser.parse_args(argv)
    n_items, hospitals = (12, 1000) if args.quick else (60, 5000)
    nat = national(20261102, n_items, 32, (2, 40))
    tiered = national(20261103, n_items, 32, (2, 40), tiers=3)
    hosp = hospital_item(20261104, hospitals)
    rows = []
    started = time.perf_counter()
    plain = [plain_item(item, nat.rules) for item in nat.items]
    plain_s = time.perf_counter() - started
    ours, ours_s = _timed(nat)
    ours2, ours2_s = _timed(nat, workers=2)
    mismatch = sum(
        1 for (cost, _), res in zip(plain, ours.items, strict=True)
        if cost is not None and res.objective is not None
        and abs(cost - res.objective) > Decimal("1e-4") * max(cost, Decimal(1)) + 1
    )
    worst_plain = max(s for _, s in plain)
    worst_ours = max(i.solve_seconds for i in ours.items)
    rows.append(_row(f"(a) plain model, winners as variables ({n_items})", plain_s, f"worst item {worst_plain:.2f} s", "reference"))
    rows.append(_row(f"(b) optimizer, sequential ({n_items} items)", ours_s, f"{_statuses(ours)}; worst {worst_ours:.2f} s", "≥5× faster"))
    rows.append(_row("(b) optimizer, 2 processes", ours2_s, _statuses(ours2), "—"))
    rows.append(_row("    ratio plain / optimizer (sequential)", plain_s / ours_s, f"{plain_s / ours_s:.1f}×; objective mismatches {mismatch}", "≥ 5.0×"))
    rows.append(_row("    ratio plain / optimizer (2 processes)", plain_s / ours2_s, f"{plain_s / ours2_s:.1f}×", "—"))
    hres, hs = _timed(hosp)
    h = hres.items[0]
    rows.append(_row(f"(c) hospital level: 1 item, {len(h.winners)} winners, {hospitals} hosp.", hs, f"{h.status}, gap {h.gap or 0:.2e}", "≤ 10 s, ≤0.1%"))
    tres, ts = _timed(tiered)
    rows.append(_row(f"(d) tiered: {n_items} items × 32 regions × 3 tiers", ts, _statuses(tres), "≤ 10 s"))
    tres2, ts2 = _timed(tiered, workers=2)
    same = sum(1 for a, b in zip(tres.items, tres2.items, strict=True) if a.objective == b.objective)
    rows.append(_row("(d) tiered, 2 processes", ts2, f"{_statuses(tres2)}; same objective {same}", "—"))
    opt = total_objective(ours)
    base = sum((i.baseline_objective or Decimal(0) for i in ours.items if i.objective is not None), Decimal(0))
    print(f"| {'case':<52} | {'seconds':>9} | {'result':<38} | {'target':<14} |")
    print("|" + "-" * 54 + "|" + "-" * 11 + "|" + "-" * 40 + "|" + "-" * 16 + "|")
    for row in rows:
        print(row)
    print()
    print(f"national instance: optimal ¥{opt:,.2f} vs baseline ¥{base:,.2f}: saving ¥{base - opt:,.2f} "
          f"({(base - opt) / base * 100 if base else 0:.2f} %); items without optimum: "
          f"{sum(1 for i in ours.items if i.status is not Status.OPTIMAL)}")
    for res in (*ours.items, *tres.items):
        if res.status is not Status.OPTIMAL:
            print(f"  {res.code}: {res.status} gap={res.gap} {res.reason or ''}")


if __name__ == "__main__":
    main()
