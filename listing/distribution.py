"""Distribution relations (配送关系): a supplier names, per region, the distributors (配送企业)
that deliver for it; the distributor confirms or refuses. One use case, one transaction, audited,
and the other side told through the notice inbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import register_scope, scope, within_region
from core import audit
from core.i18n import N_
from core.regions import region_ancestors
from listing.models import DistributionRelation
from listing.services import ListingRefused
from notices.services import notify  # the platform's one notice inbox
from procurement.models import Region


class RelationStatus(StrEnum):
    """Where a relation stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


LIVE = (RelationStatus.PENDING, RelationStatus.CONFIRMED)


def _relation_rule(actor: Actor):
    if actor.is_bureau:
        return within_region(DistributionRelation.region_code, actor.region_code)
    if actor.role == Role.HOSPITAL_BUYER:  # the relations that may deliver to it
        return (DistributionRelation.status == RelationStatus.CONFIRMED) & DistributionRelation.region_code.in_(
            region_ancestors(actor.region_code))
    return or_(DistributionRelation.supplier_org_id == actor.org_id,
               DistributionRelation.distributor_org_id == actor.org_id)


register_scope(DistributionRelation, _relation_rule)


def relation_of(session: Session, actor: Actor, relation_id: int) -> DistributionRelation | None:
    """The relation if the actor may see it."""
    return session.exec(scope(select(DistributionRelation), actor, DistributionRelation)
                        .where(DistributionRelation.id == relation_id)).first()


def name_distributor(session: Session, actor: Actor, distributor_code: str, region_code: str,
                     now: datetime) -> DistributionRelation:
    """A supplier names a distributor for a region; the relation waits for the distributor."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier only")
    supplier = session.get(Organisation, actor.org_id, with_for_update=True)  # serialises the supplier's namings
    distributor = session.exec(select(Organisation).where(Organisation.code == (distributor_code or "").strip(),
                                                          Organisation.kind == OrgKind.DISTRIBUTOR)).first()
    if distributor is None:
        raise ListingRefused(N_("no such distributor: %(code)s", code=(distributor_code or "")[:40]), "distributor")
    region = session.get(Region, (region_code or "").strip())
    if region is None:
        raise ListingRefused(N_("no such region: %(code)s", code=(region_code or "")[:12]), "region")
    live = session.exec(select(DistributionRelation).where(
        DistributionRelation.supplier_org_id == supplier.id, DistributionRelation.distributor_org_id == distributor.id,
        DistributionRelation.region_code == region.code, DistributionRelation.status.in_(LIVE))).first()
    if live is not None:
        raise ListingRefused(N_("%(name)s is already named for %(region)s", name=distributor.name,
                                region=region.name), "distributor")
    relation = DistributionRelation(supplier_org_id=supplier.id, distributor_org_id=distributor.id,
                                    region_code=region.code, status=RelationStatus.PENDING, named_by=actor.user_id,
                                    named_at=now)
    session.add(relation)
    session.flush()
    audit.record(session, actor.audit(), "distribution.name", "distribution_relation", relation.id,
                 {"distributor": distributor.code, "region": region.code})
    notify(session, [distributor.id], None, "distribution", "",
           N_("%(supplier)s names you its distributor in %(region)s: confirm or refuse", supplier=supplier.name,
              region=region.name), now)
    session.commit()
    return relation


def decide_relation(session: Session, actor: Actor, relation_id: int, confirm: bool, note: str,
                    now: datetime) -> DistributionRelation:
    """The named distributor confirms, or refuses with a reason."""
    if actor.role != Role.DISTRIBUTOR_REP:
        raise Forbidden("distributor only")
    relation = session.get(DistributionRelation, relation_id, with_for_update=True, populate_existing=True)
    if relation is None or relation.distributor_org_id != actor.org_id:
        raise ListingRefused(N_("no such distribution relation"))
    if relation.status != RelationStatus.PENDING:
        raise ListingRefused(N_("this relation was already decided"))
    note = (note or "").strip()[:200]
    if not confirm and not note:
        raise ListingRefused(N_("say why you refuse"), "note")
    relation.status = RelationStatus.CONFIRMED if confirm else RelationStatus.REFUSED
    relation.decided_by, relation.decided_at, relation.decision_note = actor.user_id, now, note
    audit.record(session, actor.audit(), f"distribution.{'confirm' if confirm else 'refuse'}",
                 "distribution_relation", relation.id, {"note": note})
    distributor = session.get(Organisation, relation.distributor_org_id)
    notify(session, [relation.supplier_org_id], None, "distribution", "",
           N_("%(name)s confirmed the distribution relation", name=distributor.name) if confirm else
           N_("%(name)s refused the distribution relation: %(note)s", name=distributor.name, note=note), now)
    session.commit()
    return relation
