"""Setting the direct-settlement scope: one use case, one transaction, a new version each time.

``set_scope`` — a price or settlement officer sets a region's scope (a province or a city inside
the officer's region) from a day **after today** (never retroactive: a row accepted today keeps
the scope it was accepted under — whether the hospital pays it or the fund), with the phase, the
common list (phase ``common``: national codes of listed products; the list is the version's own,
so a change of the list is a new version), the distributor's fee share and the reason. Every
problem is named by field; nothing is written on refusal. The province's container batch is made
the first time a version settles listed products (:mod:`directpay.container`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.clock import local_day
from core.db import advisory_xact_lock
from core.i18n import N_
from core.inputs import day as read_day
from core.regions import region_contains
from directpay import container
from directpay.models import DirectScope, DirectScopeProduct
from directpay.rules import MAX_BPS, Phase, settable, settles_listed
from listing.models import ListedProduct
from orders.rules import OrderRefused

SETTERS = frozenset({Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER})
MAX_LIST = 5000


class ScopeRefused(OrderRefused):
    """A scope version refused: every problem as (None, field, reason)."""


def _products(session: Session, region_code: str, codes: Sequence[str], problems: list) -> list[int]:
    """The listed products named by national code, each listed in the region's province."""
    wanted = [c.strip().upper() for c in codes if c and c.strip()]
    if len(wanted) > MAX_LIST:
        problems.append((None, "products", N_("at most %(n)s products in the list", n=MAX_LIST)))
        return []
    found = {code: pid for pid, code in session.exec(select(ListedProduct.id, ListedProduct.code).where(
        ListedProduct.code.in_(wanted), ListedProduct.status == "listed",
        ListedProduct.region_code == region_code[:2] + "0000")).all()} if wanted else {}
    ids, seen = [], set()
    for k, code in enumerate(wanted):
        if code in seen:
            problems.append((None, f"products[{k}]", N_("product %(code)s is named twice", code=code[:30])))
        elif code not in found:
            problems.append((None, f"products[{k}]", N_("no listed product of this province has the code %(code)s",
                                                        code=code[:30])))
        else:
            ids.append(found[code])
        seen.add(code)
    return ids


def set_scope(session: Session, actor: Actor, *, region_code: str, phase: str, effective_from: date | str | None,
              reason: str, products: Sequence[str] = (), list_name: str = "", distributor_bps: int | str = 0,
              now: datetime) -> DirectScope:
    """Store a new version of ``region_code``'s direct-settlement scope (see the module docstring)."""
    if actor.role not in SETTERS:
        raise Forbidden("price and settlement officers only")
    problems: list = []
    region = (region_code or "").strip()
    if not settable(region):
        problems.append((None, "region_code", N_("the scope is set for a province or a city: %(code)s",
                                                 code=region[:12])))
    elif not region_contains(actor.region_code, region):
        problems.append((None, "region_code", N_("region %(code)s is outside your region", code=region)))
    try:
        chosen = Phase(phase)
    except ValueError:
        chosen = None
        problems.append((None, "phase", N_("unknown phase: %(value)s", value=str(phase)[:20])))
    day, today = read_day(effective_from), local_day(now)
    if day is None:
        problems.append((None, "effective_from", N_("the first day must be a date (YYYY-MM-DD): %(value)s",
                                                    value=str(effective_from or "")[:20])))
    elif day <= today:
        problems.append((None, "effective_from", N_("the scope takes effect from tomorrow at the earliest (never "
                                                    "retroactively): %(day)s", day=day.isoformat())))
    try:
        bps = int(str(distributor_bps).strip() or 0)
    except ValueError:
        bps = -1
    if not 0 <= bps <= MAX_BPS:
        problems.append((None, "distributor_bps", N_("the distributor's share is 0 to %(max)s basis points",
                                                     max=MAX_BPS)))
    why, name = (reason or "").strip(), (list_name or "").strip()
    if not why or len(why) > 200:
        problems.append((None, "reason", N_("give the reason (at most 200 characters)")))
    ids: list[int] = []
    if chosen == Phase.COMMON and settable(region):
        ids = _products(session, region, products, problems)
        if not ids and not any(f.startswith("products") for _k, f, _m in problems):
            problems.append((None, "products", N_("the common list names at least one listed product")))
        if not name or len(name) > 100:
            problems.append((None, "list_name", N_("name the common list (at most 100 characters)")))
    elif [c for c in products if c and c.strip()]:
        problems.append((None, "products", N_("only the phase of commonly used products has a list")))
    if problems:
        raise ScopeRefused(problems)
    advisory_xact_lock(session, f"directpay:scope:{region}")
    version = DirectScope(region_code=region, effective_from=day, phase=chosen, list_name=name if ids else "",
                          distributor_bps=bps, reason=why, created_by=actor.user_id, created_at=now)
    session.add(version)
    session.flush()
    if ids:
        session.execute(insert(DirectScopeProduct.__table__), [{"scope_id": version.id, "product_id": p} for p in ids])
    if settles_listed(chosen):
        container.ensure(session, region[:2] + "0000", now)
    audit.record(session, actor.audit(), "directpay.scope", "direct_scope", version.id,
                 {"region": region, "from": day.isoformat(), "phase": str(chosen), "list": name if ids else "",
                  "products": len(ids), "distributor_bps": bps, "reason": why})
    session.commit()
    return version
