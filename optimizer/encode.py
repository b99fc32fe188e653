"""Dataclasses to JSON-ready dicts, both for the input contract and for results.

Money and ratios travel as decimal strings; volumes as integers; the gap and timings as
numbers. The input encoding is canonical (bids by supplier, regions by code) so that it can
be hashed for the clearing record.
"""

from __future__ import annotations

from decimal import Decimal

from optimizer.model import (
    E4,
    Bid,
    InstanceResult,
    Item,
    ItemResult,
    Region,
    Rules,
)


def dec(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string without exponent (None stays None)."""
    if value is None:
        return None
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def price(value: Decimal | None) -> str | None:
    """A unit price as a decimal string with exactly four decimals."""
    return None if value is None else f"{value.quantize(E4):f}"


def money(value: Decimal | None) -> str | None:
    """A yuan amount (already rounded to the fen) as a decimal string with two decimals."""
    return None if value is None else f"{value:.2f}"


def rules_to_json(rules: Rules) -> dict:
    """The rule set in the input contract's shape (every key explicit)."""
    mw = rules.max_winners
    max_winners: dict = {"cap": mw.cap}
    if mw.table is not None:
        max_winners["table"] = {str(n): w for n, w in sorted(mw.table)}
    else:
        max_winners["minus"] = mw.minus
    gradient = None
    if rules.gradient:
        gradient = {str(n): [dec(f) for f in floors] for n, floors in sorted(rules.gradient)}
    return {
        "fuse_multiple": dec(rules.fuse_multiple),
        "anchor": str(rules.anchor),
        "half_mean_k": dec(rules.half_mean_k),
        "reduction_safe_harbour": dec(rules.reduction_safe_harbour),
        "absolute_safe_harbour": dec(rules.absolute_safe_harbour),
        "max_winners": max_winners,
        "agreed_ratio": {str(n): dec(v) for n, v in sorted(rules.agreed_ratio)},
        "contract_years": {str(n): y for n, y in sorted(rules.contract_years)},
        "min_regions_per_winner": rules.min_regions_per_winner,
        "max_share": dec(rules.max_share),
        "backup": rules.backup,
        "gradient": gradient,
        "time_limit_seconds": rules.time_limit_seconds,
        "gap": rules.gap,
        "solver": rules.solver,
    }


def _bid(bid: Bid) -> dict:
    """One bid in the input shape."""
    return {
        "supplier": bid.supplier,
        "ucp": price(bid.ucp),
        "capacity": bid.capacity,
        "submitted_at": bid.submitted_at.isoformat(),
        "tiers": [
            {"min_volume": t.min_volume, "ucp": price(t.ucp)}
            for t in sorted(bid.tiers, key=lambda t: t.min_volume)
        ],
    }


def _region(region: Region) -> dict:
    """One region in the input shape (``pinned_supplier`` only when set)."""
    out: dict = {"code": region.code, "demand": region.demand}
    if region.pinned_supplier is not None:
        out["pinned_supplier"] = region.pinned_supplier
    return out


def item_to_json(item: Item) -> dict:
    """One item in the input shape, canonically ordered."""
    return {
        "code": item.code,
        "max_valid_price": price(item.max_valid_price),
        "regions": [_region(r) for r in sorted(item.regions, key=lambda r: r.code)],
        "bids": [_bid(b) for b in sorted(item.bids, key=lambda b: b.supplier)],
    }


def item_result_to_json(res: ItemResult, with_clearing: bool = False) -> dict:
    """One item's result in the output contract's shape."""
    out = {
        "code": res.code,
        "status": str(res.status),
        "reason": res.reason,
        "objective": money(res.objective),
        "baseline_objective": money(res.baseline_objective),
        "saving": money(res.saving),
        "gap": res.gap,
        "solve_seconds": round(res.solve_seconds, 4),
        "solver": res.solver,
        "anchor_price": price(res.anchor_price),
        "agreed_ratio": dec(res.agreed_ratio),
        "agreed_volume": res.agreed_volume,
        "contract_years": res.contract_years,
        "winners": [
            {
                "supplier": w.supplier,
                "ucp": price(w.ucp),
                "bid_ucp": price(w.bid_ucp),
                "tier_min_volume": w.tier_min_volume,
                "regions": list(w.regions),
                "backup_regions": list(w.backup_regions),
                "volume": w.volume,
                "cost": money(w.cost),
            }
            for w in res.winners
        ],
        "outcomes": [
            {
                "supplier": o.supplier,
                "won": o.won,
                "reason": str(o.reason),
                "ucp": price(o.ucp),
                "rank": o.rank,
                "qualified_by": None if o.qualified_by is None else str(o.qualified_by),
            }
            for o in res.outcomes
        ],
        "binding": [{"name": b.name, "detail": b.detail} for b in res.binding],
    }
    if res.clearing is not None:
        out["clearing_sha256"] = res.clearing.sha256
        if with_clearing:
            out["clearing"] = {
                "snapshot": res.clearing.snapshot,
                "sha256": res.clearing.sha256,
                "lp": res.clearing.lp_text,
                "solver_log": res.clearing.solver_log,
            }
    return out


def result_to_json(result: InstanceResult, with_clearing: bool = False) -> dict:
    """The whole output document."""
    return {"items": [item_result_to_json(i, with_clearing) for i in result.items]}
