"""What a supplier's credit costs it now (read only): the rating in force, and whether it bars
bids in a batch — bidding and the opening ask here.

* A rating is in force from its publication to the end of its validity, unless superseded or
  repaired.
* ``suspension`` bars bids in batches inside the rating bureau's region; ``exclusion`` bars bids
  in every batch of the platform. ``warning`` is shown to officers at the opening and at review;
  ``reminder`` is only told to the supplier.
* Listings (挂网): a barring rating also suspends the supplier's listed products for buyers in
  the rating's region while it holds (``listing_bar``; ``listing.queries.is_orderable`` asks).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

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


# --- listings (挂网): what a rating suspends -------------------------------------------------
#: rating statuses that once held (a superseded or repaired rating held until ``ended_on``)
HELD = ("published", "superseded", "repaired")


def last_day_held(rating: Rating) -> date:
    """The last day a published rating held: its validity's end, or the day before it was
    superseded or repaired."""
    if rating.ended_on is not None:
        return min(rating.valid_until, rating.ended_on - timedelta(days=1))
    return rating.valid_until


def listing_suspensions(session: Session, supplier_id: int) -> list[Rating]:
    """Every rating that suspends (or suspended) the supplier's listings — a barring consequence
    (``suspension``, and ``exclusion``, which is graver), published at some time — newest first:
    the listing's suspension history."""
    rows = session.exec(select(Rating).where(Rating.supplier_org_id == supplier_id, Rating.status.in_(HELD),
                                             Rating.consequence.in_(BARRING), Rating.valid_from.is_not(None))).all()
    return sorted(rows, key=lambda r: (r.valid_from, r.id), reverse=True)


def listing_bar(session: Session, supplier_id: int, region_code: str, day: date) -> Rating | None:
    """The rating suspending the supplier's listed products for buyers in ``region_code`` on
    ``day`` (the rating's region contains it), if any. Derived from the ratings themselves, so a
    rating's expiry, repair or replacement restores the listings that same day, and a past day
    is judged by the ratings that held then."""
    return next((r for r in listing_suspensions(session, supplier_id)
                 if r.valid_from <= day <= last_day_held(r) and region_contains(r.region_code, region_code)), None)
