"""An assessment as it is stored (pure): the inputs it used, the settings, the components and the
rows, as JSON with decimals as strings — so a stored version can always be shown as it was."""

from __future__ import annotations

import json
from decimal import Decimal

from savings.assessment import Assessment, HospitalFigures
from savings.settings import SavingsSettings


def _d(value: Decimal | None) -> str | None:
    """A decimal as exact text."""
    return None if value is None else str(value)


def snapshot(figures: HospitalFigures, settings: SavingsSettings, result: Assessment, points_reason: str) -> str:
    """The stored JSON of an assessment."""
    return json.dumps(_record(figures, settings, result, points_reason), ensure_ascii=False, sort_keys=True)


def live(result: Assessment, settings: SavingsSettings) -> dict:
    """An estimate as the stored form reads back (for pages showing today's figures)."""
    return json.loads(json.dumps(_record(result.figures, settings, result, "")))


def _record(figures: HospitalFigures, settings: SavingsSettings, result: Assessment, points_reason: str) -> dict:
    """The assessment as plain JSON-ready data (``non_selected_fen`` of a row: the accepted orders of
    non-selected products of its generic counted in its spend)."""
    extra = figures.non_selected_spend
    return {
        "settings": settings.model_dump(mode="json"),
        "reconciled_on_time": figures.reconciled_on_time, "reconcile_due": figures.reconcile_due,
        "non_selected_share": _d(figures.non_selected_share), "order_selected_fen": figures.order_selected_fen,
        "order_non_selected_fen": figures.order_non_selected_fen,
        "components": [{"key": c.key, "numerator": c.numerator, "denominator": c.denominator, "ratio": _d(c.ratio),
                        "weight": c.weight, "points": _d(c.points)} for c in result.components],
        "measured": _d(result.measured), "officer_points": result.officer_points, "points_reason": points_reason,
        "score": _d(result.score), "rate": _d(result.rate),
        "rows": [{"item_code": r.source.item_code, "agreed": r.source.agreed_volume,
                  "purchased": r.source.purchased_volume, "pre_vbp_price_e4": r.source.pre_vbp_price_e4,
                  "fund_payment_ratio": _d(r.source.fund_payment_ratio), "benchmark_fen": r.benchmark_fen,
                  "spend_fen": r.source.actual_fund_spend_fen,
                  "non_selected_fen": extra.get(r.source.item_code, 0), "base_fen": r.savings_base_fen,
                  "completed": r.completed, "rate": _d(r.rate), "retained_fen": r.retained_fen, "note": r.note}
                 for r in result.rows],
        "benchmark_fen": result.benchmark_fen, "spend_fen": result.spend_fen,
        "non_selected_fen": sum(extra.values()), "base_fen": result.base_fen,
        "retained_fen": result.retained_fen,
    }


def breakdown(inputs_json: str) -> dict:
    """The stored JSON read back (decimals stay text: pages format them)."""
    return json.loads(inputs_json)
