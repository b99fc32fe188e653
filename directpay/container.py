"""A province's container of direct settlement of listed products: a batch of procedure
``direct`` (``procurement.lifecycle``), made in execution and kept there, that holds the monthly
runs over the in-scope order lines that are not VBP-contract lines.

Why a batch: a run, its instructions, four-eyes approval, bank files, bank returns, re-issues and
the supplier's payment pages all hang on ``settlement_run.batch_id`` / the batch's region and its
settlement lock; a container gives the order lines that one path unchanged, instead of a second
path for runs without a batch. It has no items, contracts, demand or prepayment, and no step of
its lifecycle; batch lists leave it out (``procurement.queries.list_batches``), the settlement
officers' console shows it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from core import audit
from procurement.lifecycle import BatchStatus, Procedure
from procurement.models import Batch, Region
from procurement.rules import parse_rules

PREFIX = "DS-"


def code_of(province: str) -> str:
    """The container's batch code for a province, e.g. ``DS-370000``."""
    return f"{PREFIX}{province}"


def find(session: Session, province: str) -> Batch | None:
    """The province's container, if made."""
    return session.exec(select(Batch).where(Batch.code == code_of(province),
                                            Batch.procedure == Procedure.DIRECT)).first()


def ensure(session: Session, province: str, now: datetime) -> Batch:
    """The province's container, made in the caller's transaction the first time (audited)."""
    found = find(session, province)
    if found is not None:
        return found
    region = session.get(Region, province)
    name = f"{region.name if region else province} 挂网产品直接结算"
    batch = Batch(code=code_of(province), name=name[:200], kind="drug", procedure=Procedure.DIRECT,
                  region_code=province, status=BatchStatus.EXECUTION, rules_json=parse_rules(None).to_json(),
                  created_at=now, updated_at=now)
    session.add(batch)
    session.flush()
    audit.record(session, audit.SYSTEM, "directpay.container", "batch", batch.code, {"region": province}, at=now)
    return batch
