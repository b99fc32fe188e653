"""The monitoring rules of a bureau region: read the newest version, or store a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from pricewatch.models import WatchPolicy
from pricewatch.rules import WatchRules, parse_watch_rules


def policy_row(session: Session, region_code: str) -> WatchPolicy | None:
    """The newest version of the region's rules (None: the defaults apply)."""
    return session.exec(select(WatchPolicy).where(WatchPolicy.region_code == region_code)
                        .order_by(WatchPolicy.version.desc())).first()


def rules_for(session: Session, region_code: str) -> WatchRules:
    """The monitoring rules in force in the region."""
    row = policy_row(session, region_code)
    return parse_watch_rules(row.rules_json if row else None)


def set_rules(session: Session, actor: Actor, rules: WatchRules, now: datetime) -> WatchPolicy | None:
    """A price officer stores a new version of the region's rules (None: nothing changed)."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    advisory_xact_lock(session, f"pricewatch-policy:{actor.region_code}")
    current = rules_for(session, actor.region_code)
    if current == rules:
        session.commit()
        return None
    version = session.exec(select(func.coalesce(func.max(WatchPolicy.version), 0))
                           .where(WatchPolicy.region_code == actor.region_code)).one() + 1
    row = WatchPolicy(region_code=actor.region_code, version=version, rules_json=rules.to_json(),
                      set_by=actor.user_id, set_at=now)
    session.add(row)
    old = current.model_dump(mode="json")
    audit.record(session, actor.audit(), "pricewatch.rules_set", "region", actor.region_code,
                 {"version": version, "changed": {k: v for k, v in rules.model_dump(mode="json").items()
                                                  if old[k] != v}}, at=now)
    session.commit()
    return row
