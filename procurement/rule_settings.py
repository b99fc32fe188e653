"""The registry of rule settings: for every field of :class:`procurement.rules.BatchRules` its
label, unit, help text with the policy source, and the kind of control it needs.

Texts are English msgids marked with ``_l`` (the catalog translates them); the web layer
(``procurement/rule_fields.py``) shows and reads values by ``kind``:

- ``percent`` — a ratio stored as a decimal, shown and entered as a percentage (0.5 → 50 %)
- ``yuan`` — yuan per minimal unit; ``multiple`` — a factor (1.8 倍); ``number`` — a plain number
- ``days``, ``hours``, ``months``, ``day_of_month``, ``seconds``, ``count`` — whole numbers with their unit
- ``date`` — a calendar date (YYYY-MM-DD)
- ``choice`` — one of ``choices`` (value, label msgid); ``bool`` — yes/no
- ``ratio_table`` / ``years_table`` — a value per number of winners (the last row applies to
  more winners); ``max_winners`` — N − m or a table by number of valid bidders, capped;
  ``gradient`` — share floors by rank per number of winners; ``tiers`` — retained-savings
  shares by assessment score.

``optional`` settings may be left empty, which switches the rule off.
"""

from __future__ import annotations

from dataclasses import dataclass


def _l(text: str) -> str:
    """Mark an English msgid for the catalog; the web layer translates it when shown."""
    return text


@dataclass(frozen=True)
class RuleSetting:
    """One rule setting as people meet it."""

    name: str
    group: str
    label: str
    kind: str
    help: str
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    tender_only: bool = False  # absent from a batch putting a published result into effect (no bidding)


G_WIN, G_ALLOC, G_BID, G_REVIEW, G_SETTLE = (_l("Winner determination"), _l("Allocation"),
                                             _l("Demand and bidding"), _l("Review and publicity"),
                                             _l("Settlement"))
G_CYCLE = _l("Contract years and renewal")
G_SUPPLY = _l("Supply guarantee")

SETTINGS: tuple[RuleSetting, ...] = (
    RuleSetting("fuse_multiple", G_WIN, _l("Price-spread multiple"), "multiple",
                _l("A valid bid qualifies when its unit comparable price is at most this multiple of the anchor "
                   "price (the 1.8× rule of the national batches)."), tender_only=True),
    RuleSetting("anchor", G_WIN, _l("Anchor price"), "choice",
                _l("The price the spread test compares with: the lowest valid bid (2nd–10th national batches), "
                   "or the higher of the lowest and a share of the mean (11th batch)."),
                choices=(("lowest", _l("Lowest valid bid")),
                         ("half_mean", _l("Higher of the lowest and a share of the mean"))), tender_only=True),
    RuleSetting("half_mean_k", G_WIN, _l("Share of the mean for the anchor"), "percent",
                _l("Used only with the 11th-batch anchor: the anchor is at least this share of the mean unit "
                   "comparable price of the valid bids (11th batch: 50 %)."), tender_only=True),
    RuleSetting("reduction_safe_harbour", G_WIN, _l("Reduction safe harbour"), "percent",
                _l("A bid at most this share of the maximum valid price also qualifies (national batches: 50 %; "
                   "dropped in the 10th batch). Leave empty to switch it off."), optional=True, tender_only=True),
    RuleSetting("absolute_safe_harbour", G_WIN, _l("Absolute safe harbour"), "yuan",
                _l("A bid whose unit comparable price is at most this amount also qualifies (national batches: "
                   "¥0.10 per unit). Leave empty to switch it off."), optional=True, tender_only=True),
    RuleSetting("max_winners", G_WIN, _l("Maximum winners"), "max_winners",
                _l("By the number N of valid bidders: N − 2 capped at 10 (9th batch), N − 3 (10th), or a table "
                   "(11th batch: 6→3 … ≥16→10)."), tender_only=True),
    RuleSetting("tie_break", G_WIN, _l("Tie-break"), "choice",
                _l("Between equal unit comparable prices (national batches: the earlier submission)."),
                choices=(("earlier_submission", _l("Earlier submission")),
                         ("larger_past_sales", _l("Larger past sales"))), tender_only=True),
    RuleSetting("agreed_ratio", G_WIN, _l("Agreed-volume ratio"), "ratio_table",
                _l("Share of the reported demand that becomes agreed volume, by number of winners (national "
                   "batches: 1→50 %, 2→60 %, 3→70 %, ≥4→80 %; 11th batch: 80 %).")),
    RuleSetting("contract_years", G_WIN, _l("Contract period"), "years_table",
                _l("Years of the purchase contracts by number of winners (national batches: 1→1, 2–3→2, "
                   "≥4→3 years).")),
    RuleSetting("contract_end", G_WIN, _l("Fixed contract end date"), "date",
                _l("Every contract ends on this date instead of by the number of winners (some results fix the "
                   "end of the cycle). Leave empty to use the years by winners."), optional=True),
    RuleSetting("allocation_unit", G_ALLOC, _l("Allocate by"), "choice",
                _l("Whether each supply region or each hospital is assigned to one winner as primary supplier."),
                choices=(("region", _l("Supply region")), ("hospital", _l("Hospital"))), tender_only=True),
    RuleSetting("min_regions_per_winner", G_ALLOC, _l("Minimum regions per winner"), "count",
                _l("Every winner receives at least this many regions (or hospitals)."), tender_only=True),
    RuleSetting("max_share", G_ALLOC, _l("Maximum share per winner"), "percent",
                _l("Supply security: no winner receives more than this share of an item's volume. Leave empty "
                   "for no limit."), optional=True, tender_only=True),
    RuleSetting("backup", G_ALLOC, _l("Backup supplier per region"), "bool",
                _l("Each region also gets a backup supplier (备供), a different winner from its primary."), tender_only=True),
    RuleSetting("gradient", G_ALLOC, _l("Consumables volume gradient"), "gradient",
                _l("For consumables: minimum shares by price rank per number of winners (alliance rule: 2 → 60 %; "
                   "3 → 60 %, 24 %; ≥4 → 50 %, 25 %, 12.5 %). Leave empty for none."), optional=True, tender_only=True),
    RuleSetting("solver", G_ALLOC, _l("Solver"), "choice",
                _l("The MILP solver of the allocation (HiGHS by default, CBC as fallback)."),
                choices=(("highs", _l("HiGHS")), ("cbc", _l("CBC"))), tender_only=True),
    RuleSetting("time_limit_seconds", G_ALLOC, _l("Solver time limit"), "seconds",
                _l("Longest time the solver may spend on one item."), tender_only=True),
    RuleSetting("gap", G_ALLOC, _l("Solver relative gap"), "percent",
                _l("The solver stops when its solution is within this share of the optimum (0.01 % by default)."), tender_only=True),
    RuleSetting("strength_factor", G_BID, _l("Differential-pricing factor per doubling"), "multiple",
                _l("Each doubling of strength multiplies the price by this factor (NDRC 发改价格〔2011〕2452号: 1.7)."), tender_only=True),
    RuleSetting("demand_floor_ratio", G_BID, _l("Committed volume floor"), "percent",
                _l("A hospital commits at least this share of its average annual use of the last two years "
                   "(real programmes: 80 %).")),
    RuleSetting("allow_early_demand_close", G_BID, _l("Allow closing demand before the deadline"), "bool",
                _l("Whether an officer may close demand collection before its deadline.")),
    RuleSetting("four_eyes", G_REVIEW, _l("Four-eyes approval"), "bool",
                _l("The officer who ran or submitted the evaluation may not approve it (domain rule §5)."), tender_only=True),
    RuleSetting("publicity_days", G_REVIEW, _l("Publicity period"), "days",
                _l("Days the proposed winners are under publicity, open to objections, before publication.")),
    RuleSetting("next_year_actual_share", G_CYCLE, _l("Next year's floor: share of last year's actual use"),
                "percent", _l("Each year's re-confirmed agreed volume is at least this share of the hospital's accepted "
                              "quantity of the year before.")),
    RuleSetting("next_year_not_below_agreed", G_CYCLE, _l("Next year not below last year's agreed volume"), "bool",
                _l("Real programmes: a hospital's agreed volume of a contract year is not below that of the year "
                   "before.")),
    RuleSetting("reconfirm_days_before", G_CYCLE, _l("Re-confirmation opens before the year ends"), "days",
                _l("The bureau may open the re-confirmation of next year's agreed volumes this many days before the "
                   "current contract year ends.")),
    RuleSetting("renewal_window_months", G_CYCLE, _l("Renewal window"), "months",
                _l("A renewal batch (接续) may be created when the contracts end within this many months.")),
    RuleSetting("renewal_max_price", G_CYCLE, _l("Renewal maximum valid price"), "choice",
                _l("The renewal's maximum valid price per item: the previous selected price, or the lower of it and "
                   "the lowest price of other provinces (entered when the renewal is created)."),
                choices=(("previous", _l("The previous selected price")),
                         ("lower_of_other_provinces", _l("The lower of it and other provinces' lowest price")))),
    RuleSetting("prepayment_ratio", G_SETTLE, _l("Prepayment ratio"), "percent",
                _l("After signing, the fund advances each hospital this share of its annual agreed amount "
                   "(at least 30 %; some provinces 50 %).")),
    RuleSetting("prepayment_offset", G_SETTLE, _l("Prepayment offset"), "choice",
                _l("How the prepayment is taken back in later settlements."),
                choices=(("proportional", _l("In proportion to each settlement")),
                         ("first", _l("From the first settlements")), ("none", _l("Not offset")))),
    RuleSetting("payment_days", G_SETTLE, _l("Payment deadline"), "days",
                _l("The fund pays at most this many days after acceptance (at most 30 days).")),
    RuleSetting("apply_by_day", G_SETTLE, _l("Suppliers apply by"), "day_of_month",
                _l("Monthly calendar: suppliers apply for payment by this day (e.g. the 3rd).")),
    RuleSetting("reconcile_by_day", G_SETTLE, _l("Hospitals reconcile by"), "day_of_month",
                _l("Monthly calendar: hospitals reconcile by this day (e.g. the 5th).")),
    RuleSetting("pay_from_day", G_SETTLE, _l("Fund pays from"), "day_of_month",
                _l("Monthly calendar: the fund pays from this day (e.g. the 7th).")),
    RuleSetting("fund_payment_ratio", G_SETTLE, _l("Fund payment ratio"), "percent",
                _l("Share of the cost the insurance fund pays, used in the retained-savings base.")),
    RuleSetting("retention_tiers", G_SETTLE, _l("Retained-savings tiers"), "tiers",
                _l("Share of the savings a hospital that completed its agreed volume keeps, by assessment score "
                   "(e.g. above 80 points 50 %, 70–80 40 %, 60–70 30 %, below 60 nothing).")),
    RuleSetting("supply_answer_hours", G_SUPPLY, _l("Supplier's answer time to a supply problem"), "hours",
                _l("A supplier answers a hospital's report of a late, short or faulty delivery within this many "
                   "hours (and may propose a recovery date); a later answer is marked late.")),
    RuleSetting("takeover_supplier", G_SUPPLY, _l("Who takes over a failed winner's volume"), "choice",
                _l("When a winner stops supplying, its remaining volume in the affected regions moves to the "
                   "backup supplier (备供) the allocation named, or to the next-ranked winner with capacity left."),
                choices=(("backup", _l("The stored backup supplier")),
                         ("next_ranked", _l("The next-ranked winner")))),
    RuleSetting("takeover_price", G_SUPPLY, _l("Price of the takeover contracts"), "choice",
                _l("The price of the contracts that move to the taker: its own winning price, or the failed "
                   "winner's price with the difference charged to the failed winner."),
                choices=(("backup_price", _l("The taker's own price")),
                         ("failed_price", _l("The failed winner's price, difference charged to it")))),
)

BY_NAME = {s.name: s for s in SETTINGS}

#: Units shown after a value, by kind (msgids).
UNITS = {"percent": "%", "yuan": _l("yuan per unit"), "multiple": "×", "days": _l("days"), "hours": _l("hours"), "months": _l("months"),
         "seconds": _l("seconds"), "count": "", "number": "", "day_of_month": ""}
