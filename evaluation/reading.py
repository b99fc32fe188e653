"""An evaluation result as a reader checks it: names, the anchor price, every threshold, and why
each bid won or lost in one sentence.

Pure: the stored result and input snapshot of one item (``EvaluationItem``), plus the names of
suppliers and regions, in; plain dataclasses of numbers and sentences out. The thresholds are
recomputed from the snapshot with the optimizer's own rules engine, so what the page says is
what decided. Sentences are built with the ``_`` the caller passes (the web layer passes
Babel's ``gettext``; the default returns the English msgid), so the page and the workbook
speak the reader's language from one catalog. Constraint names of the optimizer
(``min_regions_S0028``, ``capacity_S0017``, ``pin_370100``) become sentences with names here,
not in the optimizer, which stays a pure function of codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from core.money import format_price_e4, format_yuan, parse_amount_fen, parse_price_e4
from optimizer.jsonio import parse_instance
from optimizer.model import Anchor, Qualification, Reason, Rules
from optimizer.rules import anchor_price, max_winners, qualification

E4 = Decimal("0.0001")
Translate = Callable[[str], str]


def _identity(text: str) -> str:
    """The English msgid itself (no catalog: tests and the CLI)."""
    return text


def yuan_e4(value: Decimal | Fraction) -> Decimal:
    """A unit price as Decimal yuan with four decimals, rounded half up (for showing only)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(E4, rounding=ROUND_HALF_UP)


def price_text(value: Decimal | Fraction) -> str:
    """``¥1,234.5678`` for a unit price (the platform's price format, ``core.money``)."""
    return format_price_e4(parse_price_e4(yuan_e4(value)))


def amount_text(value: Decimal | str) -> str:
    """``¥1,234.56`` for a yuan amount (a Decimal or a result's decimal string)."""
    return format_yuan(parse_amount_fen(value, exact=False))


def multiple_text(value: Decimal) -> str:
    """A ratio as people write it: ``1.8`` (no trailing zeros, never an exponent)."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(value: Decimal | str) -> str:
    """A ratio as a percentage without needless decimals: 0.5 → ``50%``."""
    return multiple_text(Decimal(value) * 100) + "%"


def gap_percent(gap: float) -> str:
    """A relative gap as a percentage to two significant digits, never in exponent form."""
    value = Decimal(repr(gap)) * 100
    if value == 0:
        return "0%"
    exponent = value.adjusted() - 1
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return f"{rounded:f}%"


@dataclass(frozen=True)
class Names:
    """Display names by code: supplier organisations, and regions (or hospitals, when the batch
    allocates per hospital). A code without a name is shown as itself."""

    suppliers: Mapping[str, str] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)

    def supplier(self, code: str) -> str:
        """The supplier's organisation name."""
        return self.suppliers.get(code, code)

    def region(self, code: str) -> str:
        """The region's (or hospital's) name."""
        return self.regions.get(code, code)


@dataclass(frozen=True)
class BidReading:
    """One bid as the reader sees it: who, at what price, the outcome and its one-sentence reason."""

    supplier: str
    name: str
    ucp: Decimal
    rank: int | None
    reason: str
    won: bool
    sentence: str
    regions: tuple[str, ...] = ()  # names
    backup_regions: tuple[str, ...] = ()
    volume: int | None = None
    paid_ucp: Decimal | None = None
    cost: Decimal | None = None


@dataclass(frozen=True)
class Threshold:
    """One price line of the rules: what it is, its value, and the rule that sets it."""

    label: str
    value: Decimal
    rule: str


@dataclass(frozen=True)
class ItemReading:
    """One item's result with everything needed to justify it."""

    code: str
    status: str
    status_sentence: str
    max_valid_price: Decimal
    anchor: Decimal | None
    anchor_sentence: str
    thresholds: tuple[Threshold, ...]
    bids: tuple[BidReading, ...]
    binding: tuple[str, ...]
    reason: str | None
    valid_count: int
    winner_limit: int


def _anchor_sentence(rules: Rules, valid: list, anchor: Fraction | None, names: Names, _: Translate) -> str:
    """How the anchor price was derived from the valid bids."""
    if anchor is None:
        return _("No valid bid, so there is no anchor price.")
    lowest = min(valid, key=lambda b: (b.ucp, b.supplier))
    if rules.anchor is Anchor.LOWEST:
        return _("Anchor price %(anchor)s: the lowest valid unit comparable price, bid by %(supplier)s.") % {
            "anchor": price_text(anchor), "supplier": names.supplier(lowest.supplier)}
    mean = sum((Fraction(b.ucp) for b in valid), Fraction(0)) / len(valid)
    return _("Anchor price %(anchor)s: the higher of the lowest valid unit comparable price %(lowest)s "
             "(%(supplier)s) and %(k)s × the mean of the %(n)s valid bids %(mean)s.") % {
        "anchor": price_text(anchor), "lowest": price_text(lowest.ucp), "supplier": names.supplier(lowest.supplier),
        "k": multiple_text(rules.half_mean_k), "n": len(valid), "mean": price_text(mean)}


def _thresholds(rules: Rules, max_valid: Decimal, anchor: Fraction | None, _: Translate) -> tuple[Threshold, ...]:
    """The price lines in the order they are applied."""
    out = [Threshold(_("Maximum valid price"), max_valid, _("A bid above it is invalid."))]
    if anchor is not None:
        out.append(Threshold(_("Anchor price"), yuan_e4(anchor), _("The base of the price-spread test.")))
        out.append(Threshold(_("%(m)s × anchor price") % {"m": multiple_text(rules.fuse_multiple)},
                             yuan_e4(Fraction(rules.fuse_multiple) * anchor),
                             _("A valid bid at or below it passes the price-spread test.")))
    if rules.reduction_safe_harbour is not None:
        out.append(Threshold(_("%(p)s of the maximum valid price") % {"p": percent_text(rules.reduction_safe_harbour)},
                             yuan_e4(rules.reduction_safe_harbour * max_valid),
                             _("A bid at or below it qualifies even when it fails the price-spread test.")))
    if rules.absolute_safe_harbour is not None:
        out.append(Threshold(_("Absolute price floor"), yuan_e4(rules.absolute_safe_harbour),
                             _("A bid at or below it qualifies even when it fails the price-spread test.")))
    return tuple(out)


def _won_sentence(ctx: dict, qual: Qualification | None, regions: list[str], _: Translate) -> str:
    """Why a winning bid qualified, and what it was awarded."""
    if qual is Qualification.REDUCTION_SAFE_HARBOUR:
        head = _("Bid %(price)s per %(unit)s, above %(m)s × the anchor price %(anchor)s (%(spread)s) but not above "
                 "%(p)s of the maximum valid price (%(harbour)s): won") % ctx
    elif qual is Qualification.ABSOLUTE_SAFE_HARBOUR:
        head = _("Bid %(price)s per %(unit)s, above %(m)s × the anchor price %(anchor)s (%(spread)s) but not above "
                 "the absolute price floor %(floor)s: won") % ctx
    else:
        head = _("Bid %(price)s per %(unit)s, not above %(m)s × the anchor price %(anchor)s (%(spread)s): won") % ctx
    if regions:
        return head + _(", supplying %(regions)s.") % {"regions": _(", ").join(regions)}
    return head + _(", with no region assigned.")


def _lost_sentence(reason: str, ctx: dict, _: Translate) -> str:
    """Why a bid lost."""
    if reason == Reason.ABOVE_MAX_PRICE:
        return _("Bid %(price)s per %(unit)s, above the maximum valid price %(max)s: invalid, not a winner.") % ctx
    if reason == Reason.PRICE_SPREAD:
        text = _("Bid %(price)s per %(unit)s, above %(m)s × the anchor price %(anchor)s (%(spread)s)") % ctx
        if ctx.get("harbour"):
            text += _(" and above %(p)s of the maximum valid price (%(harbour)s)") % ctx
        if ctx.get("floor"):
            text += _(" and above the absolute price floor %(floor)s") % ctx
        return text + _(": not a winner.")
    if reason == Reason.WINNER_LIMIT:
        return _("Bid %(price)s per %(unit)s passes the price test but ranks %(rank)s of %(n)s valid bids; with "
                 "%(n)s valid bids at most %(limit)s may win: not a winner.") % ctx
    return _("Bid %(price)s per %(unit)s: not a winner.") % ctx


def binding_sentence(name: str, winners: Mapping[str, dict], rules: Rules, names: Names, _: Translate) -> str:
    """One binding constraint of the optimizer in words, with names."""
    prefixes = ("gradient_floor_", "min_regions_", "max_share_", "capacity_", "pin_")
    prefix = next((p for p in prefixes if name.startswith(p)), None)
    if prefix is None:
        return name
    code = name[len(prefix):]
    won = winners.get(code, {})
    volume = f"{won.get('volume', 0):,}"
    if prefix == "min_regions_":
        return _("%(supplier)s is assigned the minimum of %(n)s region(s) per winner.") % {
            "supplier": names.supplier(code), "n": rules.min_regions_per_winner}
    if prefix == "capacity_":
        return _("%(supplier)s supplies its whole declared capacity (%(volume)s units).") % {
            "supplier": names.supplier(code), "volume": volume}
    if prefix == "max_share_":
        return _("%(supplier)s is at the maximum share one winner may take (%(volume)s units).") % {
            "supplier": names.supplier(code), "volume": volume}
    if prefix == "gradient_floor_":
        return _("%(supplier)s is at its volume-gradient floor (%(volume)s units).") % {
            "supplier": names.supplier(code), "volume": volume}
    pinned = next((s for s, w in winners.items() if code in w.get("regions", ())), None)
    return _("%(region)s named the brand of %(supplier)s, which won: it supplies there.") % {
        "region": names.region(code), "supplier": names.supplier(pinned) if pinned else "—"}


def status_sentence(status: str, gap: float | None, _: Translate) -> str:
    """The solver's status in words, with the gap as a percentage."""
    if status == "optimal":
        if not gap:
            return _("Optimal solution (proven optimal).")
        return _("Optimal solution: within %(gap)s of the best possible cost.") % {"gap": gap_percent(gap)}
    if status == "feasible":
        if gap is None:
            return _("A feasible allocation; the solver stopped at its time limit without proving it optimal.")
        return _("A feasible allocation; the solver stopped at its time limit, at most %(gap)s above the best "
                 "possible cost.") % {"gap": gap_percent(gap)}
    if status == "infeasible":
        return _("No allocation satisfies the rules.")
    if status == "no_winner":
        return _("No bid qualified to win.")
    return _("The solver found no allocation within the time limit.")


def reason_sentence(reason: str | None, _: Translate) -> str | None:
    """The optimizer's reason for an item without a full result, in words where it is known."""
    if not reason:
        return None
    known = {
        "no valid bid qualified": _("No valid bid qualified."),
        "the solver found no allocation within the time limit": _("The solver found no allocation within the time limit."),
        "baseline allocation (solver found none)": _("The solver found none; the baseline allocation is shown."),
    }
    if reason in known:
        return known[reason]
    if reason.startswith("min_regions:"):
        return _("The winners cannot each receive the minimum number of regions: there are too few regions.")
    if reason.startswith("capacity:"):
        return _("The winners' declared capacities together are below the agreed volume.")
    if reason.startswith("capacity_"):
        return _("A winner's declared capacity cannot carry the regions it must supply.")
    if reason.startswith("max_share:"):
        return _("The maximum share per winner leaves part of the agreed volume without a supplier.")
    if reason.startswith("gradient:"):
        return _("The volume-gradient floors need more than the agreed volume.")
    return _("No assignment of whole regions satisfies the rules together.")


def read_item(result: dict, snapshot: str | dict, unit: str, names: Names, _: Translate = _identity) -> ItemReading:
    """One item's stored result, read against its input snapshot."""
    doc = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    instance = parse_instance(doc)
    rules, item = instance.rules, instance.items[0]
    valid = [b for b in item.bids if b.ucp <= item.max_valid_price]
    anchor = anchor_price([b.ucp for b in valid], rules) if valid else None
    limit = max_winners(len(valid), rules.max_winners)
    winners = {w["supplier"]: w for w in result.get("winners", [])}
    base = {"unit": unit, "m": multiple_text(rules.fuse_multiple), "max": price_text(item.max_valid_price),
            "n": len(valid), "limit": limit}
    if anchor is not None:
        base |= {"anchor": price_text(anchor), "spread": price_text(Fraction(rules.fuse_multiple) * anchor)}
    if rules.reduction_safe_harbour is not None:
        base |= {"p": percent_text(rules.reduction_safe_harbour),
                 "harbour": price_text(rules.reduction_safe_harbour * item.max_valid_price)}
    if rules.absolute_safe_harbour is not None:
        base |= {"floor": price_text(rules.absolute_safe_harbour)}
    bids = []
    ordered = sorted(result.get("outcomes", []), key=lambda o: (o["rank"] is None, o["rank"] or 0, Decimal(o["ucp"])))
    for o in ordered:
        ucp = Decimal(o["ucp"])
        ctx = base | {"price": price_text(ucp), "rank": o.get("rank") or "—"}
        w = winners.get(o["supplier"])
        regions = [names.region(r) for r in (w or {}).get("regions", [])]
        if o["reason"] == Reason.WON:
            qual = Qualification(o["qualified_by"]) if o.get("qualified_by") else (
                qualification(ucp, anchor, item.max_valid_price, rules) if anchor is not None else None)
            sentence = _won_sentence(ctx, qual, regions, _)
        else:
            sentence = _lost_sentence(o["reason"], ctx, _)
        bids.append(BidReading(
            o["supplier"], names.supplier(o["supplier"]), ucp, o.get("rank"), o["reason"], bool(o.get("won")), sentence,
            tuple(regions), tuple(names.region(r) for r in (w or {}).get("backup_regions", [])),
            w["volume"] if w else None, Decimal(w["ucp"]) if w else None, Decimal(w["cost"]) if w else None))
    binding = tuple(binding_sentence(b["name"], winners, rules, names, _) for b in result.get("binding", []))
    return ItemReading(
        result.get("code", item.code), result["status"], status_sentence(result["status"], result.get("gap"), _),
        item.max_valid_price, yuan_e4(anchor) if anchor is not None else None,
        _anchor_sentence(rules, valid, anchor, names, _), _thresholds(rules, item.max_valid_price, anchor, _),
        tuple(bids), binding, reason_sentence(result.get("reason"), _), len(valid), limit)
