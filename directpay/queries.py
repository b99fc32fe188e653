"""The direct-settlement scope read (no writes): the versions, the scope in force for a region on
a day, the history, and the SQL condition "the fund settles this accepted row" that selfpay and
the run's tests read.

Scope rule: bureau roles see the versions inside their region; everyone else those covering
their own (the scope that applies to them is published to them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import User
from accounts.scoping import by_region_reach, register_scope, scope
from directpay.models import DirectScope, DirectScopeProduct
from directpay.rules import DEFAULT, Phase, Version, chain, in_force, settable
from listing.models import ListedProduct
from orders.models import OrderAcceptance
from procurement.models import Batch, Region
from results.models import ResultVersion

register_scope(DirectScope, by_region_reach(DirectScope.region_code))


def as_version(row: DirectScope) -> Version:
    """A stored version as the pure rules read it."""
    return Version(row.id, row.region_code, row.effective_from, Phase(row.phase), row.distributor_bps)


def versions_for(session: Session, region_code: str) -> list[Version]:
    """Every version that may apply to ``region_code`` or (a province) to a region inside it."""
    city, province = chain(region_code)
    prefix = region_code[:2] if region_code == province else region_code[:4]
    rows = session.exec(select(DirectScope).where(or_(DirectScope.region_code == province,
                                                      DirectScope.region_code.startswith(prefix)))).all()
    return [as_version(r) for r in rows]


@dataclass(frozen=True)
class ScopeInForce:
    """The scope for a region on a day: the version (None: the default) and its common list."""

    region_code: str
    day: date
    version: DirectScope | None
    products: tuple[tuple[int, str, str], ...] = ()  # (id, national code, name) of the common list

    @property
    def phase(self) -> Phase:
        """The phase in force."""
        return Phase(self.version.phase) if self.version else DEFAULT

    @property
    def distributor_bps(self) -> int:
        """The distributor's fee share in force (basis points)."""
        return self.version.distributor_bps if self.version else 0


def scope_in_force(session: Session, region_code: str, day: date) -> ScopeInForce:
    """The scope in force for ``region_code`` on ``day`` (:func:`directpay.rules.in_force`)."""
    found = in_force(versions_for(session, region_code), region_code, day)
    if found is None:
        return ScopeInForce(region_code, day, None)
    return ScopeInForce(region_code, day, session.get(DirectScope, found.id), list_of(session, found.id))


def list_of(session: Session, scope_id: int) -> tuple[tuple[int, str, str], ...]:
    """A version's common list: (product id, national code, generic name and spec), by code."""
    rows = session.exec(select(ListedProduct.id, ListedProduct.code, ListedProduct.generic_name, ListedProduct.spec)
                        .join(DirectScopeProduct, DirectScopeProduct.product_id == ListedProduct.id)
                        .where(DirectScopeProduct.scope_id == scope_id).order_by(ListedProduct.code)).all()
    return tuple((pid, code, f"{name} {spec}") for pid, code, name, spec in rows)


def history(session: Session, actor: Actor, limit: int = 200) -> list[tuple[DirectScope, str, int]]:
    """The versions the actor sees, newest first: (version, who set it, products in its list)."""
    count = (select(func.count(DirectScopeProduct.id)).where(DirectScopeProduct.scope_id == DirectScope.id)
             .correlate(DirectScope).scalar_subquery())
    stmt = select(DirectScope, User.display_name, count).join(User, User.id == DirectScope.created_by)
    return list(session.exec(scope(stmt, actor, DirectScope).order_by(DirectScope.id.desc()).limit(limit)).all())


def _in_force_of(a, region_code) -> tuple:
    """SQL: the id and phase of the version of ``region_code`` (an expression) in force on the
    row's acceptance day (latest from-date, later version on the same day), or NULL."""
    def pick(column):
        return (select(column).where(DirectScope.region_code == region_code,
                                     DirectScope.effective_from <= a.accepted_on)
                .order_by(DirectScope.effective_from.desc(), DirectScope.id.desc()).limit(1)
                .correlate(a).scalar_subquery())

    return pick(DirectScope.id), pick(DirectScope.phase)


def _national(a) -> ColumnElement[bool]:
    """SQL: the row's VBP batch puts a national result into effect."""
    return (select(ResultVersion.id).join(Batch, Batch.id == ResultVersion.batch_id)
            .where(Batch.code == a.vbp_batch_code, ResultVersion.source == "national").correlate(a).exists())


def settled_directly(a=OrderAcceptance) -> ColumnElement[bool]:
    """SQL: the fund settles accepted row ``a`` — the twin of the run's spans
    (:mod:`directpay.run`) and of :func:`directpay.rules.in_force`. A VBP-selected row when the
    phase reaches its batch (national results from ``national``, every other from
    ``provincial``); any other row under ``all``, or under ``common`` when its product is on the
    version's list. Rejected rows are never settled."""
    city_id, city_phase = _in_force_of(a, func.substr(a.region_code, 1, 4) + literal("00"))
    prov_id, prov_phase = _in_force_of(a, func.substr(a.region_code, 1, 2) + literal("0000"))
    phase = func.coalesce(city_phase, prov_phase, literal(str(DEFAULT)))
    version = func.coalesce(city_id, prov_id)
    listed = (select(DirectScopeProduct.id).where(DirectScopeProduct.scope_id == version,
                                                  DirectScopeProduct.product_id == a.product_id)
              .correlate(a).exists())
    vbp = and_(a.vbp_batch_code.is_not(None), or_(phase != Phase.NATIONAL, _national(a)))
    other = and_(a.vbp_batch_code.is_(None), or_(phase == Phase.ALL, and_(phase == Phase.COMMON, listed)))
    return and_(a.kind == "accepted", or_(vbp, other))


def self_settled(a=OrderAcceptance) -> ColumnElement[bool]:
    """SQL: accepted row ``a`` is paid by the hospital itself (outside the scope: selfpay monitors it)."""
    return and_(a.kind == "accepted", ~settled_directly(a))


def direct_ids(session: Session, ids: list[int]) -> set[int]:
    """Which of the accepted rows ``ids`` the fund settles."""
    if not ids:
        return set()
    return set(session.exec(select(OrderAcceptance.id).where(OrderAcceptance.id.in_(ids), settled_directly())).all())


def regions_for(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The regions whose scope the actor may set or read: its own (a province or a city) and
    the cities inside it, by code — (code, name)."""
    rows = session.exec(select(Region.code, Region.name).where(
        Region.code.startswith(actor.region_code[:2] if actor.region_code.endswith("0000") else actor.region_code[:4]),
        Region.level.in_(("province", "city"))).order_by(Region.code)).all()
    return [(code, name) for code, name in rows if settable(code)]


def scopes_today(session: Session, actor: Actor, day: date) -> list[tuple[str, str, ScopeInForce]]:
    """The scope in force on ``day`` for each region of :func:`regions_for`."""
    return [(code, name, scope_in_force(session, code, day)) for code, name in regions_for(session, actor)]
