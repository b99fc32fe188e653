"""Display labels for stored codes: one registry of Babel-translated texts, one template filter.

Statuses and kinds are stored as short English codes (``paid``, ``computed``, ``workbook``);
pages show ``{{ code|label("instruction") }}`` — Chinese by default, English when switched —
and keep the raw code in a ``data-status`` attribute for scripts and tests. An unknown code
is shown as itself, so a new status is visible rather than hidden.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.forms import KIND_LABELS, ROLE_LABELS

LABELS = {
    "batch": {
        "draft": _l("Draft"), "demand": _l("Demand collection"), "bidding": _l("Bidding"), "opened": _l("Opened"),
        "evaluation": _l("Evaluation"), "review": _l("Review"), "publicity": _l("Publicity"),
        "published": _l("Published"), "execution": _l("In execution"), "closed": _l("Closed"),
        "cancelled": _l("Cancelled")},
    "action": {
        "open_demand": _l("Open demand collection"), "close_demand": _l("Close demand, open bidding"),
        "open_bids": _l("Open the bids"), "start_evaluation": _l("Start evaluation"),
        "submit_for_review": _l("Submit for review"), "send_back": _l("Send back"), "approve": _l("Approve"),
        "publish": _l("Publish"), "start_execution": _l("Start execution"), "close": _l("Close the batch"),
        "cancel": _l("Cancel the batch"),
        "start_publicity": _l("Close demand, put the local allocation under publicity")},
    "procedure": {"tender": _l("Tendered by the bureau"), "result": _l("Executed published result"),
                  "direct": _l("Direct settlement of listed products")},
    "direct_phase": {"national": _l("National VBP products"), "provincial": _l("National and provincial VBP products"),
                     "common": _l("VBP and commonly used listed products"), "all": _l("All listed products")},
    "result_source": {"national": _l("National joint procurement"), "alliance": _l("Inter-provincial alliance"),
                      "province": _l("This province")},
    "period_basis": {"winners": _l("by number of winners"), "fixed_end": _l("fixed end date"),
                     "cycle_end": _l("capped at the cycle's end")},
    "contract_year": {"agreed": _l("Agreed"), "provisional": _l("Provisional, to be re-confirmed"),
                      "to_confirm": _l("Awaiting the hospital"), "confirmed": _l("Confirmed by the hospital"),
                      "change_proposed": _l("Change proposed")},
    "bid": {"live": _l("Live"), "superseded": _l("Superseded (amended)"), "withdrawn": _l("Withdrawn")},
    "refusal": {
        "window_not_open": _l("Bidding not yet open"), "window_closed": _l("After the bid deadline"),
        "invalid_number": _l("Not a valid number"), "price_not_positive": _l("Price not above zero"),
        "units_per_pack_not_positive": _l("Units per pack not positive"),
        "strength_not_positive": _l("Strength not above zero"),
        "strength_unit_mismatch": _l("Strength unit differs from the representative spec"),
        "ucp_rounds_to_zero": _l("Unit comparable price rounds to zero"),
        "above_max_price": _l("Above the maximum valid price"),
        "capacity_not_positive": _l("Capacity not positive"), "eligibility_missing": _l("Eligibility not declared"),
        "too_many_tiers": _l("Too many price tiers"), "tier_volume_not_positive": _l("Tier volume not positive"),
        "tier_volume_not_increasing": _l("Tier volumes not increasing"),
        "tier_volume_above_capacity": _l("Tier volume above capacity"),
        "tier_price_not_positive": _l("Tier price not above zero"),
        "tier_price_above_base": _l("Tier price above the base price"),
        "tier_price_rises": _l("Tier price rises with volume"), "receipt_mismatch": _l("Receipt mismatch"),
        "supplier_barred": _l("Supplier barred by its credit rating")},
    "evaluation": {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed")},
    "item_result": {
        "optimal": _l("Optimal"), "feasible": _l("Feasible (not proven optimal)"), "infeasible": _l("Infeasible"),
        "no_winner": _l("No winner"), "no_solution": _l("No solution")},
    "outcome": {
        "won": _l("Won"), "above_max_price": _l("Above the maximum valid price"),
        "price_spread": _l("Fails the price-spread test"), "winner_limit": _l("Beyond the maximum number of winners"),
        "invalid": _l("Invalid bid"), "no_capacity": _l("No capacity")},
    "contract": {"unsigned": _l("Awaiting signatures"), "signed": _l("Signed")},
    "run": {"computed": _l("Computed, awaiting approval"), "approved": _l("Approved"),
            "released": _l("Bank files released")},
    "instruction": {"issued": _l("Issued"), "paid": _l("Paid"), "failed": _l("Payment failed"),
                    "reissued": _l("Re-issued")},
    "reissue": {"requested": _l("Awaiting a second officer"), "approved": _l("Approved, re-issued"),
                "rejected": _l("Rejected")},
    "reconcile": {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "disputed": _l("Disputed")},
    "source": {"form": _l("Form"), "workbook": _l("Workbook"), "api": _l("API"), "demo": _l("Demo data")},
    "ledger": {"advance": _l("Advance"), "offset": _l("Offset"), "recovery": _l("Recovery")},
    "advance": {"unpaid": _l("Not paid"), "proposed": _l("Payment proposed"), "instructed": _l("Awaiting the bank"),
                "failed": _l("Payment failed"), "paid": _l("Paid")},
    "run_kind": {"monthly": _l("Monthly settlement"), "prepayment": _l("Prepayment"), "savings": _l("Retained savings")},
    "refund": {"requested": _l("Requested from the supplier"), "received": _l("Received")},
    "region_level": {"country": _l("Country"), "province": _l("Province"), "city": _l("City"), "district": _l("District")},
    "bank_change": {"pending": _l("Awaiting a second administrator"), "confirmed": _l("Confirmed"),
                    "rejected": _l("Rejected")},
    "session_end": {"logout": _l("Signed out"), "everywhere": _l("Signed out everywhere"),
                    "deactivated": _l("User deactivated"), "idle": _l("Idle timeout"), "expired": _l("Expired")},
    "listing": {"pending": _l("Awaiting approval"), "listed": _l("Listed"), "rejected": _l("Rejected")},
    "listed_price": {"pending": _l("Awaiting approval"), "approved": _l("Approved"), "rejected": _l("Rejected")},
    "vbp": {"selected": _l("Selected in VBP"), "non_selected": _l("Non-selected of a VBP generic"),
            "not_vbp": _l("Not in VBP")},
    "product_kind": {"drug": _l("Drug"), "consumable": _l("Consumable")},
    "relation": {"pending": _l("Awaiting the distributor"), "confirmed": _l("Confirmed"), "refused": _l("Refused")},
    "order": {"draft": _l("Draft"), "sent": _l("Sent"), "withdrawn": _l("Withdrawn")},
    "order_line": {"draft": _l("Draft"), "pending": _l("Awaiting the distributor"), "confirmed": _l("Confirmed"),
                   "refused": _l("Refused"), "withdrawn": _l("Withdrawn")},
    "acceptance": {"accepted": _l("Accepted"), "rejected": _l("Rejected")},
    "supply_problem": {"late": _l("Not delivered on time"), "short": _l("Short delivery"),
                       "quality": _l("Quality problem")},
    "supply_state": {"open": _l("Awaiting the supplier's answer"), "answered": _l("Answered"),
                     "late": _l("Answered late")},
    "supply_step": {"reminder": _l("Reminder"), "interview": _l("Interview (约谈)"), "warning": _l("Written warning")},
    "takeover": {"proposed": _l("Awaiting a second officer"), "approved": _l("In force"), "rejected": _l("Rejected"),
                 "restored": _l("Ended: primary restored")},
    "takeover_basis": {"backup": _l("Stored backup supplier"), "next_ranked": _l("Next-ranked winner"),
                       "candidate": _l("Chosen among the candidates")},
    "takeover_price": {"backup_price": _l("The taker's own price"),
                       "failed_price": _l("The failed winner's price, difference charged to it")},
    "breach_kind": {"supply_failure": _l("Supply failure"), "refusal_to_deliver": _l("Refusal to deliver"),
                    "price_manipulation": _l("Price manipulation"), "kickback": _l("Kickbacks")},
    "breach": {"recorded": _l("Awaiting statement and decision"), "confirmed": _l("Confirmed"),
               "dismissed": _l("Dismissed")},
    "grade": {"general": _l("General"), "medium": _l("Medium"), "serious": _l("Serious"),
              "particularly_serious": _l("Particularly serious")},
    "consequence": {"reminder": _l("Reminder only"), "warning": _l("Warning to officers at evaluation"),
                    "suspension": _l("Bids suspended in the region"), "exclusion": _l("Excluded from bidding")},
    "rating": {"proposed": _l("Awaiting a second officer"), "published": _l("Published"), "rejected": _l("Rejected"),
               "superseded": _l("Superseded"), "repaired": _l("Repaired")},
    "repair": {"applied": _l("Awaiting decision"), "granted": _l("Granted"), "refused": _l("Refused")},
    "savings": {"estimate": _l("Estimate from today's data"), "proposed": _l("Awaiting a second officer"),
                "approved": _l("Approved"),
                "rejected": _l("Sent back"), "superseded": _l("Superseded"),
                "objection_period": _l("Approved · objection period"), "objected": _l("Objection awaiting answer"),
                "payable": _l("Payable now"), "credited": _l("Credited"),
                "payment_proposed": _l("Payment awaiting a second officer"),
                "instructed": _l("Payment instruction issued"), "paid": _l("Paid")},
    "savings_mode": {"credited": _l("Credited in the next fund settlement"),
                     "instruction": _l("Payment instruction and bank file")},
    "savings_component": {"completion": _l("Agreed-volume completion"), "selected_use": _l("Use of selected products"),
                          "non_selected": _l("Share of non-selected products"),
                          "on_time": _l("On-time reconciliation")},
    "savings_objection": {"open": _l("Awaiting answer"), "upheld": _l("Upheld"), "dismissed": _l("Not upheld")},
    "paystd": {"proposed": _l("Awaiting a second officer"), "approved": _l("Approved and published"),
               "rejected": _l("Rejected")},
    "alert": {"open": _l("Awaiting follow-up"), "closed": _l("Closed after follow-up")},
    "severity": {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")},
    "watch_rule": {"listed_raise": _l("Listed price raised"), "peer_median": _l("Above the peers' median"),
                   "non_selected": _l("Non-selected above k× the selected price"),
                   "provinces": _l("Dearer than in other provinces"),
                   "paystd_cap": _l("Price above the payment standard's cap")},
    "followup": {"explain": _l("Asked for an explanation"), "correct": _l("Demanded a correction"),
                 "credit": _l("Referred for a credit record")},
    "org_kind": KIND_LABELS,
    "role": ROLE_LABELS,
}


def label(code: object, group: str) -> str:
    """The display text of ``code`` in ``group`` (the code itself when unknown; — when empty).

    An unknown ``group`` is a programming error and raises ``KeyError``.
    """
    texts = LABELS[group]
    if code is None or code == "":
        return "—"
    text = texts.get(code) if isinstance(code, str) else None
    return str(text) if text is not None else str(code)
