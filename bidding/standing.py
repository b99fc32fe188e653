"""A bidder's credit standing as bidding sees it: a rating that suspends or excludes the
supplier refuses its bid with the reason and the rating's reference (``credit.bars``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bidding.pricing import Refusal, RefusalCode, refusal
from core.clock import local_day
from credit.bars import bar_for
from procurement.models import Batch

GRADES = {"general": ("一般", "general"), "medium": ("中等", "medium"), "serious": ("严重", "serious"),
          "particularly_serious": ("特别严重", "particularly serious")}
EFFECTS = {"suspension": ("本地区申报和挂网暂停", "bids and listings in the region are suspended"),
           "exclusion": ("禁止参加集中采购申报", "the company is excluded from bidding")}


def barred(session: Session, supplier_id: int, batch: Batch, now: datetime) -> Refusal | None:
    """The refusal of a barred supplier's bid in ``batch`` at ``now`` (None: not barred)."""
    rating = bar_for(session, supplier_id, batch.region_code, local_day(now))
    if rating is None:
        return None
    (grade_zh, grade_en), (effect_zh, effect_en) = GRADES[rating.grade], EFFECTS[rating.consequence]
    return refusal(RefusalCode.SUPPLIER_BARRED, "supplier", grade_zh=grade_zh, grade_en=grade_en,
                   reference=rating.reference, until=rating.valid_until.isoformat(), effect_zh=effect_zh,
                   effect_en=effect_en)
