"""What a supplier's credit costs it now (read only): the rating in force, and whether it bars
bids in a batch — bidding and the opening ask here.

* A rating is in force from its publication to the end of its validity, unless superseded or
  repaired.
* ``suspension`` bars bids in batches inside the rating bureau's region; ``exclusion`` bars bids
  in every batch of the platform. ``warning`` is shown to officers at the opening and at review;
  ``reminder`` is only told to the supplier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, select

from core.regions import region_contains
from credit.models import Rating
from credit.policy import BARRING, CONSEQUENCES


def in_force(session: Session, supplier_ids: Iterable[int], day: date) -> dict[int, list[Rating]]:
    """The ratings in force on ``day`` per supplier, most serious consequence first."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    rows = session.exec(select(Rating).where(Rating.supplier_org_id.in_(ids), Rating.status == "published",
                                             Rating.valid_from <= day, Rating.valid_until >= day)).all()
    out: dict[int, list[Rating]] = {}
    for r in sorted(rows, key=lambda r: (-CONSEQUENCES.index(r.consequence), r.id)):
        out.setdefault(r.supplier_org_id, []).append(r)
    return out


def applies(rating: Rating, batch_region: str) -> bool:
    """Whether a rating concerns a batch of ``batch_region`` (exclusion: every batch)."""
    return rating.consequence == "exclusion" or region_contains(rating.region_code, batch_region)


def standing(session: Session, supplier_ids: Iterable[int], batch_region: str, day: date) -> dict[int, Rating]:
    """Per supplier, the most serious rating in force that concerns a batch of ``batch_region``."""
    return {sid: next(r for r in rows if applies(r, batch_region))
            for sid, rows in in_force(session, supplier_ids, day).items() if any(applies(r, batch_region) for r in rows)}


def bar_for(session: Session, supplier_id: int, batch_region: str, day: date) -> Rating | None:
    """The rating that bars the supplier's bids in a batch of ``batch_region`` on ``day``, if any."""
    rating = standing(session, [supplier_id], batch_region, day).get(supplier_id)
    return rating if rating is not None and rating.consequence in BARRING else None
