"""Who sees which payment standards (registered with :func:`accounts.scoping.register_scope`).

* Bureau roles: every version of batches in their region (proposals included).
* Hospitals, suppliers, distributors: the approved versions of their province — the standards
  are published for HIS and fund systems.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlmodel import select

from accounts.actor import Actor
from accounts.scoping import register_scope, within_region
from paystd.models import StandardLine, StandardVersion


def _province(region_code: str) -> str:
    return region_code[:2] + "0000"


def _version_rule(actor: Actor) -> ColumnElement[bool]:
    if actor.is_bureau:
        return within_region(StandardVersion.region_code, actor.region_code)
    return and_(StandardVersion.status == "approved",
                within_region(StandardVersion.region_code, _province(actor.region_code)))


def _line_rule(actor: Actor) -> ColumnElement[bool]:
    return StandardLine.version_id.in_(select(StandardVersion.id).where(_version_rule(actor)))


register_scope(StandardVersion, _version_rule)
register_scope(StandardLine, _line_rule)
