"""Credit ratings: an officer proposes the grade the region's rules derive from a supplier's
confirmed breaches (never without one); a second officer confirms it (four-eyes) — it is then
published with a reference and a period of validity, superseding the supplier's earlier rating
— or rejects it with a reason. A published rating may be repaired (信用修复): the supplier
applies with a written commitment, and after the waiting period an officer grants or refuses.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

import credit.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import scope
from core import audit
from core.clock import local_day
from core.db import advisory_xact_lock, lock_for_update
from core.i18n import N_
from core.regions import region_contains
from credit.breaches import _text
from credit.errors import CreditError
from credit.models import Breach, Rating, Repair
from credit.policy import BARRING, CountedBreach, Derivation, derive_grade
from credit.store import policy_for
from listing.models import ListedProduct
from notices.services import notify
from supply.notices import bureau_ids


def _officer(actor: Actor) -> None:
    """Price officers only."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")


def derivation(session: Session, region_code: str, supplier_org_id: int, now: datetime) -> Derivation | None:
    """The grade the region's rules give the supplier today (None: no confirmed breach counts)."""
    rows = session.exec(select(Breach).where(Breach.region_code == region_code, Breach.supplier_org_id == supplier_org_id,
                                             Breach.status == "confirmed")).all()
    return derive_grade(policy_for(session, region_code),
                        [CountedBreach(b.reference, b.kind, b.occurred_on) for b in rows], local_day(now))


def propose_rating(session: Session, actor: Actor, supplier_org_id: int, now: datetime) -> Rating:
    """Propose the derived rating of a supplier; refused without a confirmed breach in the period."""
    _officer(actor)
    supplier = session.get(Organisation, supplier_org_id)
    if supplier is None or supplier.kind != OrgKind.SUPPLIER:
        raise Forbidden("no such supplier")
    advisory_xact_lock(session, f"credit-rating:{actor.region_code}:{supplier.id}")
    if session.exec(select(Rating.id).where(Rating.region_code == actor.region_code, Rating.supplier_org_id == supplier.id,
                                            Rating.status == "proposed")).first() is not None:
        raise CreditError(N_("A rating of this supplier already awaits confirmation."))
    derived = derivation(session, actor.region_code, supplier.id, now)
    if derived is None:
        raise CreditError(N_("%(name)s has no confirmed breach within the rating period: there is nothing to rate.",
                             name=supplier.name))
    rating = Rating(region_code=actor.region_code, supplier_org_id=supplier.id, grade=derived.grade,
                    consequence=derived.consequence, basis_json=json.dumps(derived.basis(), ensure_ascii=False),
                    proposed_by=actor.user_id, proposed_at=now)
    session.add(rating)
    session.flush()
    notify(session, bureau_ids(session, actor.region_code), Role.PRICE_OFFICER, "credit_rating_proposed", "",
           N_("A credit rating of %(name)s awaits a second officer's confirmation", name=supplier.name), now)
    audit.record(session, actor.audit(), "credit.rating_propose", "supplier", supplier.code,
                 {"rating": rating.id, **derived.basis()}, at=now)
    session.commit()
    return rating


def visible_rating(session: Session, actor: Actor, rating_id: int) -> Rating:
    """A rating in the actor's scope, locked; Forbidden when unknown or foreign."""
    found = session.exec(scope(select(Rating.id).where(Rating.id == rating_id), actor, Rating)).first()
    if found is None:
        raise Forbidden("no such rating")
    return lock_for_update(session, Rating, rating_id)


def confirm_refusal(session: Session, actor: Actor, rating: Rating) -> str | None:
    """Why the actor may not confirm or reject the rating now (None: it may)."""
    if actor.role != Role.PRICE_OFFICER:
        return N_("Only price officers confirm ratings.")
    if rating.status != "proposed":
        return N_("The rating has been decided.")
    if policy_for(session, rating.region_code).four_eyes and actor.user_id == rating.proposed_by:
        return N_("Four-eyes: the officer who proposed the rating may not confirm it; another price officer does.")
    return None


def decide_rating(session: Session, actor: Actor, rating_id: int, approve: bool, note: str, now: datetime) -> Rating:
    """Confirm and publish the rating (with its reference and validity), or reject it."""
    rating = visible_rating(session, actor, rating_id)
    if (why := confirm_refusal(session, actor, rating)) is not None:
        raise CreditError(why)
    note = (note or "").strip()
    if not approve and not note:
        raise CreditError(N_("A rejection needs a reason."))
    rating.decided_by, rating.decided_at, rating.decision_note = actor.user_id, now, note[:4000]
    supplier = session.get(Organisation, rating.supplier_org_id)
    if not approve:
        rating.status = "rejected"
        session.add(rating)
        audit.record(session, actor.audit(), "credit.rating_reject", "supplier", supplier.code,
                     {"rating": rating.id, "note": note[:200]}, at=now)
        session.commit()
        return rating
    rules, today = policy_for(session, rating.region_code), local_day(now)
    advisory_xact_lock(session, f"credit-ref:{rating.region_code}")
    seq = session.exec(select(func.count()).select_from(Rating).where(Rating.region_code == rating.region_code,
                                                                      Rating.reference.is_not(None))).one() + 1
    for earlier in session.exec(select(Rating).where(Rating.region_code == rating.region_code,
                                                     Rating.supplier_org_id == rating.supplier_org_id,
                                                     Rating.status == "published")).all():
        earlier.status, earlier.ended_on = "superseded", today
        session.add(earlier)
    rating.status, rating.reference = "published", f"XY{rating.region_code}-{today:%Y}-{seq:05d}"
    rating.valid_from, rating.valid_until = today, rules.validity_end(rating.grade, today)
    session.add(rating)
    notify(session, {supplier.id}, Role.SUPPLIER_REP, "credit_rating_published", "",
           N_("Credit rating %(ref)s of your company was published, valid until %(until)s: see its grade and "
              "consequence under Credit", ref=rating.reference, until=rating.valid_until.isoformat()), now)
    listings = _listings_in(session, rating) if rating.consequence in BARRING else []
    if listings:
        notify(session, {supplier.id}, Role.SUPPLIER_REP, "credit_listings_suspended", "",
               N_("Credit rating %(ref)s suspends %(n)s of your listed products for hospitals in its region until "
                  "%(until)s", ref=rating.reference, n=len(listings), until=rating.valid_until.isoformat()), now)
    audit.record(session, actor.audit(), "credit.rating_publish", "supplier", supplier.code,
                 {"rating": rating.reference, "grade": rating.grade, "consequence": rating.consequence,
                  "valid_until": rating.valid_until.isoformat(), "listings_suspended": listings}, at=now)
    session.commit()
    return rating


def apply_repair(session: Session, actor: Actor, rating_id: int, commitment: str, now: datetime) -> Repair:
    """The supplier applies for credit repair of its published rating with a written commitment."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier reps only")
    rating = visible_rating(session, actor, rating_id)
    if rating.status != "published" or rating.valid_until < local_day(now):
        raise CreditError(N_("Only a rating in force can be repaired."))
    if session.exec(select(Repair.id).where(Repair.rating_id == rating.id, Repair.status == "applied")).first():
        raise CreditError(N_("A repair of this rating awaits its decision."))
    repair = Repair(rating_id=rating.id, supplier_org_id=rating.supplier_org_id,
                    commitment=_text(commitment, N_("the commitment")), applied_by=actor.user_id, applied_at=now)
    session.add(repair)
    session.flush()
    notify(session, bureau_ids(session, rating.region_code), Role.PRICE_OFFICER, "credit_repair_applied", "",
           N_("The supplier applied for credit repair of rating %(ref)s", ref=rating.reference), now)
    audit.record(session, actor.audit(), "credit.repair_apply", "credit_rating", rating.reference,
                 {"repair": repair.id}, at=now)
    session.commit()
    return repair


def repair_refusal(session: Session, rating: Rating, repair: Repair, now: datetime) -> str | None:
    """Why the repair cannot be granted now (None: it can)."""
    if repair.status != "applied":
        return N_("The repair has been decided.")
    wait = policy_for(session, rating.region_code).repair_wait_days
    if rating.valid_from and local_day(now) < rating.valid_from + timedelta(days=wait):
        return N_("Credit repair can be granted from %(day)s (%(n)s days after publication).",
                  day=(rating.valid_from + timedelta(days=wait)).isoformat(), n=wait)
    return None


def _listings_in(session: Session, rating: Rating) -> list[str]:
    """The codes of the supplier's listed products a barring rating suspends (``credit.bars.listing_bar``):
    those listed on a platform inside the rating's region, or on the platform whose region holds it."""
    rows = session.exec(select(ListedProduct.code, ListedProduct.region_code).where(
        ListedProduct.supplier_org_id == rating.supplier_org_id, ListedProduct.status == "listed")
        .order_by(ListedProduct.code)).all()
    return [code for code, region in rows
            if region_contains(rating.region_code, region) or region_contains(region, rating.region_code)]


def decide_repair(session: Session, actor: Actor, repair_id: int, grant: bool, note: str, now: datetime) -> Repair:
    """Grant the repair (the rating ends today) after the waiting period, or refuse it with a reason."""
    _officer(actor)
    found = session.exec(scope(select(Repair.id).where(Repair.id == repair_id), actor, Repair)).first()
    if found is None:
        raise Forbidden("no such repair")
    repair = lock_for_update(session, Repair, repair_id)
    rating = lock_for_update(session, Rating, repair.rating_id)
    if grant and (why := repair_refusal(session, rating, repair, now)) is not None:
        raise CreditError(why)
    if repair.status != "applied":
        raise CreditError(N_("The repair has been decided."))
    note = _text(note, N_("the reason for the decision"))
    repair.decision_note = note
    repair.status, repair.decided_by, repair.decided_at = ("granted" if grant else "refused"), actor.user_id, now
    if grant:
        rating.status, rating.ended_on = "repaired", local_day(now)
        session.add(rating)
    session.add(repair)
    notify(session, {repair.supplier_org_id}, Role.SUPPLIER_REP, "credit_repair_decided", "",
           N_("Credit repair of rating %(ref)s granted: the rating no longer applies", ref=rating.reference) if grant
           else N_("Credit repair of rating %(ref)s refused", ref=rating.reference), now)
    restored = _listings_in(session, rating) if grant and rating.consequence in BARRING else []
    audit.record(session, actor.audit(), "credit.repair_grant" if grant else "credit.repair_refuse", "credit_rating",
                 rating.reference, {"repair": repair.id, "note": repair.decision_note[:200],
                                    **({"listings_restored": restored} if restored else {})}, at=now)
    session.commit()
    return repair
