"""The credit policy of a bureau region: read the newest version, or store a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from credit.models import CreditPolicy
from credit.policy import CreditRules, parse_credit_rules


def policy_row(session: Session, region_code: str) -> CreditPolicy | None:
    """The newest policy version of the region (None: the defaults apply)."""
    return session.exec(select(CreditPolicy).where(CreditPolicy.region_code == region_code)
                        .order_by(CreditPolicy.version.desc())).first()


def policy_for(session: Session, region_code: str) -> CreditRules:
    """The credit rules in force in the region."""
    row = policy_row(session, region_code)
    return parse_credit_rules(row.rules_json if row else None)


def set_policy(session: Session, actor: Actor, rules: CreditRules, now: datetime) -> CreditPolicy | None:
    """A price officer stores a new version of its region's credit rules (None: nothing changed)."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    advisory_xact_lock(session, f"credit-policy:{actor.region_code}")
    current = policy_for(session, actor.region_code)
    if current == rules:
        session.commit()
        return None
    version = session.exec(select(func.coalesce(func.max(CreditPolicy.version), 0))
                           .where(CreditPolicy.region_code == actor.region_code)).one() + 1
    row = CreditPolicy(region_code=actor.region_code, version=version, rules_json=rules.to_json(),
                       set_by=actor.user_id, set_at=now)
    session.add(row)
    changed = {k: v for k, v in rules.model_dump(mode="json").items() if current.model_dump(mode="json")[k] != v}
    audit.record(session, actor.audit(), "credit.policy_set", "region", actor.region_code,
                 {"version": version, "changed": changed}, at=now)
    session.commit()
    return row
