"""The old tier MILP, kept as a reference for the tests: tiers chosen inside one MILP.

Before the tier choices were searched outside the MILP (``optimizer.search``), each tiered
winner had binaries ``y`` (the tier chosen, exactly one) and continuous ``z`` (its volume
priced at that tier, 0 unless the tier is chosen, within the tier's band), linked to the
region binaries ``x`` by Σ z = the winner's volume — the big-M model whose branching on tiers
the search removed. Rebuilt here from the model of commit f9c065f^ (``optimizer/allocation.py``),
with PuLP and HiGHS at gap 0, so the tests can compare the search with it.
"""

from __future__ import annotations

import pulp

from optimizer.allocation import Allocation, Problem, canonical_backups, tier_options


def _add(prob: pulp.LpProblem, coefs: dict, sense: int, rhs: float, name: str) -> None:
    """One named linear constraint from a {variable: coefficient} dict."""
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(coefs), sense, name, rhs))


def old_tier_milp(p: Problem) -> Allocation | None:
    """The cheapest allocation by the one-MILP tier model, or None when it is infeasible."""
    le, ge, eq = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ
    prob = pulp.LpProblem("old_tier_milp", pulp.LpMinimize)
    winners, regions = range(len(p.winners)), range(len(p.regions))
    x = {(w, r): prob.add_variable(f"x_{w}_{r}", 0, 1, cat=pulp.LpBinary) for w in winners for r in regions}
    objective: dict = {}
    share = p.share_limit()
    for r in regions:
        _add(prob, {x[w, r]: 1 for w in winners}, eq, 1, f"one_primary_{r}")
        pin = p.pins[r]
        for w in winners:
            if pin == p.winners[w].supplier:
                _add(prob, {x[w, r]: 1}, eq, 1, f"pin_{r}")
    for w in winners:
        bid = p.winners[w]
        vol = {x[w, r]: float(p.volumes[r]) for r in regions}
        _add(prob, vol, le, float(bid.capacity), f"capacity_{w}")
        if p.min_regions > 0:
            _add(prob, {x[w, r]: 1 for r in regions}, ge, p.min_regions, f"min_regions_{w}")
        if share is not None:
            _add(prob, vol, le, float(share), f"max_share_{w}")
        floor = p.floor_volume(w)
        if floor is not None:
            _add(prob, vol, ge, float(floor), f"floor_{w}")
        if not bid.tiers:
            for var, v in vol.items():
                objective[var] = float(bid.ucp) * v
            continue
        select, link = {}, {var: -v for var, v in vol.items()}
        for t, (low, ucp, high) in enumerate(tier_options(p, bid)):
            y = prob.add_variable(f"y_{w}_{t}", 0, 1, cat=pulp.LpBinary)
            z = prob.add_variable(f"z_{w}_{t}", 0, high)
            select[y], link[z], objective[z] = 1, 1, float(ucp)
            _add(prob, {z: 1, y: -high}, le, 0, f"tier_cap_{w}_{t}")
            if low > 0:
                _add(prob, {z: 1, y: -float(low)}, ge, 0, f"tier_min_{w}_{t}")
        _add(prob, select, eq, 1, f"tier_select_{w}")
        _add(prob, link, eq, 0, f"tier_volume_{w}")
    prob.setObjective(pulp.LpAffineExpression(objective))
    prob.solve(pulp.HiGHS(msg=False, gapRel=0.0, gapAbs=0.0, threads=1))
    if pulp.LpStatus[prob.status] != "Optimal":
        return None
    primary = tuple(
        next(p.winners[w].supplier for w in winners if (x[w, r].varValue or 0) > 0.5) for r in regions
    )
    return Allocation(primary, canonical_backups(p, primary))
