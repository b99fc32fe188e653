"""Breach records (失信事项): an officer records one against a supplier with evidence, the
supplier states its case within the region's statement period (陈述申辩), the officer confirms
or dismisses it with a reason — after the statement, or once the period is over.

Each use case is one transaction (it commits), audited, and notifies the other side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

import credit.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import scope
from core import audit
from core.clock import local_day, local_stamp
from core.db import advisory_xact_lock, lock_for_update
from core.i18n import N_
from credit.errors import CreditError
from credit.models import Breach
from credit.policy import BREACH_KINDS
from credit.store import policy_for
from notices.services import notify
from supply.models import Takeover
from supply.notices import bureau_ids

MAX_TEXT = 4000
MAX_EVIDENCE = 5 * 1024 * 1024


@dataclass(frozen=True)
class BreachInput:
    """What the officer records."""

    supplier_org_id: int
    kind: str
    occurred_on: date
    description: str
    evidence: tuple[str, bytes] | None = None
    takeover_id: int | None = None


def _text(value: str, what) -> str:
    """A required text of at most :data:`MAX_TEXT` characters."""
    value = (value or "").strip()
    if not value:
        raise CreditError(N_("Please fill in %(what)s.", what=what))
    if len(value) > MAX_TEXT:
        raise CreditError(N_("%(what)s is longer than %(n)s characters.", what=what, n=MAX_TEXT))
    return value


def _officer(actor: Actor) -> None:
    """Price officers only."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")


def record_breach(session: Session, actor: Actor, inp: BreachInput, now: datetime) -> Breach:
    """An officer records a breach against a supplier, with evidence; the supplier may state its
    case within the statement period."""
    _officer(actor)
    supplier = session.get(Organisation, inp.supplier_org_id)
    if supplier is None or supplier.kind != OrgKind.SUPPLIER:
        raise CreditError(N_("Choose the supplier the breach concerns."))
    if inp.kind not in BREACH_KINDS:
        raise CreditError(N_("Choose the kind of breach."))
    if inp.occurred_on > local_day(now):
        raise CreditError(N_("The breach cannot have occurred after today."))
    description = _text(inp.description, N_("the description"))
    if not inp.evidence or not inp.evidence[1]:
        raise CreditError(N_("A breach is recorded with evidence: attach it."))
    if len(inp.evidence[1]) > MAX_EVIDENCE:
        raise CreditError(N_("The attachment is larger than 5 MB."))
    if inp.takeover_id is not None:
        takeover = session.exec(scope(select(Takeover).where(Takeover.id == inp.takeover_id), actor, Takeover)).first()
        if takeover is None or takeover.failed_org_id != supplier.id:
            raise CreditError(N_("The takeover named is not one of this supplier's."))
    rules = policy_for(session, actor.region_code)
    advisory_xact_lock(session, f"credit-ref:{actor.region_code}")
    seq = session.exec(select(func.count()).select_from(Breach).where(Breach.region_code == actor.region_code)).one() + 1
    breach = Breach(reference=f"SX{actor.region_code}-{local_day(now):%Y}-{seq:05d}", region_code=actor.region_code,
                    supplier_org_id=supplier.id, kind=inp.kind, occurred_on=inp.occurred_on, description=description,
                    evidence_name=(inp.evidence[0] or "evidence")[:200], evidence=inp.evidence[1],
                    takeover_id=inp.takeover_id, recorded_by=actor.user_id, recorded_at=now,
                    statement_due_at=now + timedelta(days=rules.statement_days))
    session.add(breach)
    session.flush()
    notify(session, {supplier.id}, Role.SUPPLIER_REP, "credit_breach", "",
           N_("A breach (%(ref)s) was recorded against your company; you may state your case until %(due)s",
              ref=breach.reference, due=local_stamp(breach.statement_due_at)), now)
    audit.record(session, actor.audit(), "credit.breach_record", "supplier", supplier.code,
                 {"breach": breach.reference, "kind": inp.kind, "occurred_on": inp.occurred_on.isoformat(),
                  "takeover": inp.takeover_id}, at=now)
    session.commit()
    return breach


def visible_breach(session: Session, actor: Actor, breach_id: int) -> Breach:
    """A breach in the actor's scope, locked; Forbidden when unknown or foreign."""
    found = session.exec(scope(select(Breach.id).where(Breach.id == breach_id), actor, Breach)).first()
    if found is None:
        raise Forbidden("no such breach")
    return lock_for_update(session, Breach, breach_id)


def state_breach(session: Session, actor: Actor, breach_id: int, statement: str, now: datetime) -> Breach:
    """The supplier states its case (once), within the statement period and before the decision."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier reps only")
    breach = visible_breach(session, actor, breach_id)
    if breach.status != "recorded" or breach.statement is not None:
        raise CreditError(N_("The statement has been given or the breach decided already."))
    if now > breach.statement_due_at:
        raise CreditError(N_("The statement period ended at %(due)s.", due=local_stamp(breach.statement_due_at)))
    breach.statement, breach.stated_by, breach.stated_at = _text(statement, N_("the statement")), actor.user_id, now
    session.add(breach)
    notify(session, bureau_ids(session, breach.region_code), Role.PRICE_OFFICER, "credit_statement", "",
           N_("The supplier stated its case on breach %(ref)s; it awaits your decision", ref=breach.reference), now)
    audit.record(session, actor.audit(), "credit.breach_statement", "credit_breach", breach.reference, {}, at=now)
    session.commit()
    return breach


def decision_refusal(breach: Breach, now: datetime) -> str | None:
    """Why the breach cannot be decided now (None: it can)."""
    if breach.status != "recorded":
        return N_("The breach has been decided.")
    if breach.statement is None and now <= breach.statement_due_at:
        return N_("The supplier may state its case until %(due)s; decide after its statement or then.",
                  due=local_stamp(breach.statement_due_at))
    return None


def decide_breach(session: Session, actor: Actor, breach_id: int, confirm: bool, note: str,
                  now: datetime) -> Breach:
    """The officer confirms the breach (it then counts towards a rating) or dismisses it."""
    _officer(actor)
    breach = visible_breach(session, actor, breach_id)
    if (why := decision_refusal(breach, now)) is not None:
        raise CreditError(why)
    note = _text(note, N_("the reason for the decision"))
    breach.status, breach.decision_note = ("confirmed" if confirm else "dismissed"), note
    breach.decided_by, breach.decided_at = actor.user_id, now
    session.add(breach)
    notify(session, {breach.supplier_org_id}, Role.SUPPLIER_REP, "credit_breach_decided", "",
           N_("Breach %(ref)s was confirmed", ref=breach.reference) if confirm
           else N_("Breach %(ref)s was dismissed", ref=breach.reference), now)
    audit.record(session, actor.audit(), "credit.breach_confirm" if confirm else "credit.breach_dismiss",
                 "credit_breach", breach.reference, {"note": breach.decision_note[:200]}, at=now)
    session.commit()
    return breach
