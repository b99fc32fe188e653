"""The allocation MILP of one item as arrays: columns, named rows, a sparse matrix.

One binary ``x[w, r]`` per winner × region (column ``w * R + r``): winner ``w`` is the primary
supplier of region ``r``. One named row per rule (the names the explanation and the LP text
use): ``one_primary_per_region_<r>``, ``pin_<r>``, and per winner ``capacity_<w>``,
``min_regions_<w>``, ``max_share_<w>``, ``gradient_floor_<w>`` and, for a tiered winner,
``tier_band_<w>`` — the volume band of the tier the search has chosen (``optimizer.search``
prices each tier choice outside the MILP, so the MILP itself never branches on tiers). A column
whose region is larger than its winner's room — capacity, maximum share, the chosen band's high
end — is closed (upper bound 0): no allocation uses it, and the LP relaxation, which would use
a fraction of it, gets tighter (tiered bench: 33 MILP runs → 6).

Built with numpy in a few calls whatever the size (46,000 hospitals × 10 winners is 460,000
columns), and handed to HiGHS as arrays (``optimizer.solver``). PuLP, the modelling layer of
the CBC fallback, gets the same model from ``to_pulp``, which also writes the LP text of a
clearing record; building a PuLP object per column is what the HiGHS path avoids (measured:
PuLP building and reading cost ~7 s and most of 1.2 GB at 46,000 hospitals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.allocation import Problem, safe_names

INF = float("inf")


@dataclass
class Formulation:
    """One item's MILP: costs and bounds per column, rows in compressed sparse row form."""

    problem: Problem
    prices: np.ndarray  # per winner: the unit price the costs use (a tier's in a tier band)
    cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_names: list[str]
    band_rows: dict[int, int] = field(default_factory=dict)  # tiered winner → its band row
    col_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 0: region too big for the winner

    @property
    def columns(self) -> int:
        """Number of x columns (winners × regions)."""
        return len(self.cost)

    def col_names(self) -> list[str]:
        """``x_<winner>_<region>`` per column (only for the LP text and CBC)."""
        p = self.problem
        rnames = safe_names(p.regions)
        return [f"x_{wn}_{rn}" for wn in safe_names(tuple(b.supplier for b in p.winners)) for rn in rnames]

    def set_prices(self, prices: list[float]) -> None:
        """Price every winner's columns at the given unit prices (a tier choice)."""
        volumes = np.asarray(self.problem.volumes, dtype=float)
        self.prices = np.asarray(prices, dtype=float)
        self.cost = np.outer(self.prices, volumes).ravel()

    def set_band(self, winner: int, low: float, high: float) -> None:
        """Bound a tiered winner's volume to its chosen tier's band; a region larger than the
        band's high end (or the winner's room) is closed to it (``col_upper`` 0)."""
        row = self.band_rows[winner]
        self.row_lower[row], self.row_upper[row] = low, high
        regions = len(self.problem.regions)
        room = min(high, _room(self.problem, winner))
        self.col_upper[winner * regions : (winner + 1) * regions] = np.asarray(self.problem.volumes) <= room

    def vector(self, primary: tuple[str, ...]) -> np.ndarray:
        """The column values of an allocation (primary supplier per region)."""
        p = self.problem
        windex = {b.supplier: wi for wi, b in enumerate(p.winners)}
        x = np.zeros(self.columns)
        regions = len(p.regions)
        for ri, supplier in enumerate(primary):
            x[windex[supplier] * regions + ri] = 1.0
        return x

    def primary(self, values: np.ndarray) -> tuple[str, ...]:
        """Primary supplier per region from solved column values (the largest x per region)."""
        p = self.problem
        grid = np.asarray(values).reshape(len(p.winners), len(p.regions))
        chosen = grid.argmax(axis=0)
        return tuple(p.winners[wi].supplier if grid[wi, ri] > 0.5 else "" for ri, wi in enumerate(chosen))


def _room(p: Problem, winner: int) -> float:
    """The most a winner may carry whatever its tier: capacity and maximum share."""
    share = p.share_limit()
    return float(p.winners[winner].capacity if share is None else min(p.winners[winner].capacity, share))


def build_formulation(p: Problem) -> Formulation:
    """The MILP of a problem at its winners' base prices (tier bands open)."""
    winners, regions = len(p.winners), len(p.regions)
    volumes = np.asarray(p.volumes, dtype=float)
    wnames = safe_names(tuple(b.supplier for b in p.winners))
    rnames = safe_names(p.regions)
    lower, upper, names = [], [], []
    # one primary per region: the columns w * R + r of every winner w
    grid = (np.arange(winners) * regions)[None, :] + np.arange(regions)[:, None]
    lower.append(np.ones(regions))
    upper.append(np.ones(regions))
    names += [f"one_primary_per_region_{rn}" for rn in rnames]
    starts = [np.arange(regions) * winners]
    index, value = [grid.ravel()], [np.ones(regions * winners)]
    count, nnz = regions, regions * winners
    extra_lo: list[float] = []
    extra_hi: list[float] = []

    def add(name: str, idx: np.ndarray, val: np.ndarray, lo: float, hi: float) -> int:
        """Append one named row; returns its index."""
        nonlocal count, nnz
        names.append(name)
        starts.append(np.array([nnz]))
        index.append(idx)
        value.append(val)
        extra_lo.append(lo)
        extra_hi.append(hi)
        count, nnz = count + 1, nnz + len(idx)
        return count - 1

    windex = {b.supplier: wi for wi, b in enumerate(p.winners)}
    for ri, pin in enumerate(p.pins):
        if pin is not None and pin in windex:
            add(f"pin_{rnames[ri]}", np.array([windex[pin] * regions + ri]), np.ones(1), 1.0, 1.0)
    share = p.share_limit()
    band_rows = {}
    ones = np.ones(regions)
    for wi, (bid, wn) in enumerate(zip(p.winners, wnames, strict=True)):
        cols = wi * regions + np.arange(regions)
        add(f"capacity_{wn}", cols, volumes, -INF, float(bid.capacity))
        if p.min_regions > 0:
            add(f"min_regions_{wn}", cols, ones, float(p.min_regions), INF)
        if share is not None:
            add(f"max_share_{wn}", cols, volumes, -INF, float(share))
        floor = p.floor_volume(wi)
        if floor is not None:
            add(f"gradient_floor_{wn}", cols, volumes, float(floor), INF)
        if bid.tiers:
            band_rows[wi] = add(f"tier_band_{wn}", cols, volumes, 0.0, INF)
    prices = np.array([float(b.ucp) for b in p.winners])
    return Formulation(
        problem=p,
        prices=prices,
        cost=np.outer(prices, volumes).ravel(),
        row_lower=np.concatenate(lower + [np.array(extra_lo)]),
        row_upper=np.concatenate(upper + [np.array(extra_hi)]),
        starts=np.concatenate(starts).astype(np.int32),
        index=np.concatenate(index).astype(np.int32),
        value=np.concatenate(value),
        row_names=names,
        band_rows=band_rows,
        col_upper=np.concatenate([volumes <= _room(p, wi) for wi in range(winners)]).astype(float)
        if winners else np.zeros(0),
    )


def to_pulp(form: Formulation) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The same MILP as a PuLP problem (CBC, and the LP text of a clearing record)."""
    p = form.problem
    prob = pulp.LpProblem(f"allocation_{safe_names((p.item_code,))[0]}", pulp.LpMinimize)
    # a column closed to its winner (a region larger than its room) is an integer fixed at 0
    xs = [prob.add_variable(name, 0, 1, cat=pulp.LpBinary) if up else prob.add_variable(name, 0, 0, cat=pulp.LpInteger)
          for name, up in zip(form.col_names(), form.col_upper, strict=True)]
    prob.setObjective(pulp.LpAffineExpression({x: float(c) for x, c in zip(xs, form.cost, strict=True)}))
    ends = list(form.starts[1:]) + [len(form.index)]
    for row, name in enumerate(form.row_names):
        lo, hi = float(form.row_lower[row]), float(form.row_upper[row])
        cols = form.index[form.starts[row] : ends[row]]
        vals = form.value[form.starts[row] : ends[row]]
        expr = pulp.LpAffineExpression({xs[c]: float(v) for c, v in zip(cols, vals, strict=True)})
        if lo == hi:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, name, lo))
            continue
        if lo > -INF:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, name if hi == INF else f"{name}_low", lo))
        if hi < INF:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, name if lo == -INF else f"{name}_high", hi))
    return prob, xs


def lp_text(form: Formulation) -> str:
    """The model in LP format (PuLP's writer), as a clearing record keeps it."""
    import os
    import tempfile

    prob, _xs = to_pulp(form)
    with tempfile.TemporaryDirectory(prefix="jicai-lp-") as tmp:
        path = os.path.join(tmp, "model.lp")
        prob.writeLP(path)
        with open(path, encoding="utf-8") as fh:
            return fh.read()
