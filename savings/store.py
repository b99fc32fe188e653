"""A batch's retained-savings settings: the newest version, or a new one stored by an officer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from procurement.models import Batch
from procurement.queries import find_batch
from savings.models import SavingsPolicy
from savings.settings import SavingsSettings, parse_savings_settings


def policy_row(session: Session, batch_id: int) -> SavingsPolicy | None:
    """The newest settings version of the batch (None: the defaults apply)."""
    return session.exec(select(SavingsPolicy).where(SavingsPolicy.batch_id == batch_id)
                        .order_by(SavingsPolicy.version.desc())).first()


def settings_for(session: Session, batch: Batch) -> SavingsSettings:
    """The retained-savings settings in force for the batch."""
    row = policy_row(session, batch.id)
    return parse_savings_settings(row.settings_json if row else None)


def officer_batch(session: Session, actor: Actor, code: str) -> Batch:
    """A batch of the settlement officer's region; Forbidden for other roles and foreign batches."""
    if actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    return batch


def set_settings(session: Session, actor: Actor, code: str, settings: SavingsSettings,
                 now: datetime) -> SavingsPolicy | None:
    """Store a new version of the batch's settings (None: nothing changed)."""
    batch = officer_batch(session, actor, code)
    advisory_xact_lock(session, f"savings-policy:{batch.id}")
    current = settings_for(session, batch)
    if current == settings:
        session.commit()
        return None
    version = session.exec(select(func.coalesce(func.max(SavingsPolicy.version), 0))
                           .where(SavingsPolicy.batch_id == batch.id)).one() + 1
    row = SavingsPolicy(batch_id=batch.id, version=version, settings_json=settings.to_json(), set_by=actor.user_id,
                        set_at=now)
    session.add(row)
    before, after = current.model_dump(mode="json"), settings.model_dump(mode="json")
    audit.record(session, actor.audit(), "savings.settings_set", "batch", batch.code,
                 {"version": version, "changed": {k: v for k, v in after.items() if before[k] != v}}, at=now)
    session.commit()
    return row
