"""Instances and reference models of the optimizer benchmark (``bench.bench_optimizer``).

Seeded generators of the national, tiered and hospital-level instances, and the two PuLP
reference models the optimizer is compared with (see the benchmark's docstring).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pulp

from optimizer import rules as rr
from optimizer.allocation import paid_ucp, tier_options
from optimizer.evaluate import build_problem
from optimizer.model import E4, Bid, Instance, Item, Region, Rules, Tier
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
    """Reference (a1), the plain model: winners as decision variables ``u`` with the rules
    engine's count and rank order, primary ``x`` and backup ``b`` binaries; returns cost, s."""
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


def plainest_item(item: Item, rules: Rules) -> tuple[Decimal | None, float]:
    """Reference (a2), the plainest model: winners fixed by the rules engine, one binary per
    winner × region, one primary per region, capacity, minimum regions; returns cost, s."""
    started = time.perf_counter()
    det = rr.determine_winners(item, rules)
    if not det.winners:
        return None, time.perf_counter() - started
    p = build_problem(item, rules, det.winners)
    prob = pulp.LpProblem(f"plainest_{item.code}", pulp.LpMinimize)
    x = {(b.supplier, r): prob.add_variable(f"x_{b.supplier}_{r}", 0, 1, cat=pulp.LpBinary)
         for b in p.winners for r in p.regions}
    vol = dict(zip(p.regions, p.volumes, strict=True))
    prob += pulp.lpSum(float(b.ucp) * vol[r] * x[b.supplier, r] for b in p.winners for r in p.regions)
    for r in p.regions:
        prob += pulp.lpSum(x[b.supplier, r] for b in p.winners) == 1, f"one_primary_{r}"
    for b in p.winners:
        s = b.supplier
        prob += pulp.lpSum(vol[r] * x[s, r] for r in p.regions) <= b.capacity, f"capacity_{s}"
        prob += pulp.lpSum(x[s, r] for r in p.regions) >= rules.min_regions_per_winner, f"min_regions_{s}"
    prob.solve(pulp.HiGHS(msg=False, gapRel=rules.gap, gapAbs=0.0, threads=1, timeLimit=rules.time_limit_seconds))
    report = read_result(prob, "highs", rules.gap)
    cost = None
    if report.objective is not None:
        cost = sum((b.ucp * vol[r] for b in p.winners for r in p.regions if (x[b.supplier, r].varValue or 0) > 0.5),
                   Decimal(0))
    return cost, time.perf_counter() - started


def tiered_reference_item(item: Item, rules: Rules) -> tuple[Decimal | None, float]:
    """Reference of the tiered case: one MILP that chooses the tiers itself (the model the
    optimizer used before it searched tier choices outside the MILP). Winners fixed by the
    rules engine, binaries ``x`` per winner × region, and per tiered winner binaries ``y`` (one
    tier chosen) with continuous ``z`` (its volume priced at that tier, within the tier's
    band, Σ z = the winner's volume); one primary per region, capacity, minimum regions, pins,
    maximum share. Backups are left out: they cost nothing. Returns cost, s."""
    started = time.perf_counter()
    det = rr.determine_winners(item, rules)
    if not det.winners:
        return None, time.perf_counter() - started
    p = build_problem(item, rules, det.winners)
    prob = pulp.LpProblem(f"tiered_{item.code}", pulp.LpMinimize)
    x = {(b.supplier, r): prob.add_variable(f"x_{b.supplier}_{r}", 0, 1, cat=pulp.LpBinary)
         for b in p.winners for r in p.regions}
    vol = dict(zip(p.regions, p.volumes, strict=True))
    objective = []
    for r in p.regions:
        prob += pulp.lpSum(x[b.supplier, r] for b in p.winners) == 1, f"one_primary_{r}"
    for r, pin in zip(p.regions, p.pins, strict=True):
        if pin is not None and any(b.supplier == pin for b in p.winners):
            prob += x[pin, r] == 1, f"pin_{r}"
    share = p.share_limit()
    for b in p.winners:
        s = b.supplier
        volume = pulp.lpSum(vol[r] * x[s, r] for r in p.regions)
        prob += volume <= b.capacity, f"capacity_{s}"
        prob += pulp.lpSum(x[s, r] for r in p.regions) >= rules.min_regions_per_winner, f"min_regions_{s}"
        if share is not None:
            prob += volume <= share, f"max_share_{s}"
        if not b.tiers:
            objective.append(float(b.ucp) * volume)
            continue
        ys, zs = [], []
        for t, (low, ucp, high) in enumerate(tier_options(p, b)):
            y = prob.add_variable(f"y_{s}_{t}", 0, 1, cat=pulp.LpBinary)
            z = prob.add_variable(f"z_{s}_{t}", 0, high)
            prob += z <= high * y, f"tier_cap_{s}_{t}"
            if low > 0:
                prob += z >= float(low) * y, f"tier_min_{s}_{t}"
            ys.append(y)
            zs.append(z)
            objective.append(float(ucp) * z)
        prob += pulp.lpSum(ys) == 1, f"tier_select_{s}"
        prob += pulp.lpSum(zs) == volume, f"tier_volume_{s}"
    prob += pulp.lpSum(objective)
    prob.solve(pulp.HiGHS(msg=False, gapRel=rules.gap, gapAbs=0.0, threads=1, timeLimit=rules.time_limit_seconds))
    report = read_result(prob, "highs", rules.gap)
    cost = None
    if report.objective is not None:
        cost = sum((paid_cost(b, sum(vol[r] for r in p.regions if (x[b.supplier, r].varValue or 0) > 0.5))
                    for b in p.winners), Decimal(0))
    return cost, time.perf_counter() - started


def paid_cost(bid: Bid, volume: int) -> Decimal:
    """A winner's exact cost at its all-units paid price."""
    return paid_ucp(bid, volume)[0] * volume
