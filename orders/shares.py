"""The bureau's platform figures from orders (read model, no writes): per hospital, city and
province, for one month (``YYYY-MM``) or one year (``YYYY``):

* **platform purchase share**, per kind (drugs; high-value consumables — every listed consumable
  counts as one) — Σ accepted order amounts on the platform ÷ Σ the hospital's reported total spend
  (:class:`orders.models.HospitalSpend`, the figure in force). Only hospital × month × kind with a
  report count, on both sides: a month not reported is left out (and counted), never estimated.
  Targets are settings (drugs ≥ 90 %, consumables ≥ 80 %);
* **VBP share** — accepted amounts of VBP-selected products ÷ all accepted amounts on the platform;
* **non-selected share** — accepted amounts of non-selected products of VBP generics (a product not
  itself selected whose generic name has a selected listed product, or declared non-selected) ÷ the
  accepted amounts of the selected and those non-selected products.

The accepted sums per hospital × month × kind × VBP class come from the monthly rollup
``order_share_month`` (:mod:`orders.rollup`, kept in the acceptances' transaction: a province's
month is ~10⁴ rows, not ~6 × 10⁵ acceptance rows) — equal to the one GROUP BY over
``order_acceptance`` (:func:`raw_bought`, the reference) — and the reported spend from one GROUP BY
over ``hospital_spend``; ratios are exact integer maths, 4 places half up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, String, column, func, literal, text
from sqlmodel import Session, select

import orders.queries  # noqa: F401  (registers the acceptances' scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from core.money import round_half_up_div
from orders import rollup
from orders.models import HospitalSpend, OrderAcceptance, OrderShareMonth
from orders.spend import MONTH
from procurement.models import Region

RATIO = Decimal("0.0001")
KINDS = ("drug", "consumable")


def _hospital_rows(model):
    """The scope rule of a table of hospital figures (``region_code``, ``hospital_org_id``): a
    bureau its region's rows, a hospital buyer its own, nobody else any."""
    def rule(actor: Actor):
        if actor.is_bureau:
            return within_region(model.region_code, actor.region_code)
        if actor.role == Role.HOSPITAL_BUYER:
            return model.hospital_org_id == actor.org_id
        return literal(False)
    return rule


register_scope(HospitalSpend, _hospital_rows(HospitalSpend))
register_scope(OrderShareMonth, _hospital_rows(OrderShareMonth))


@dataclass(frozen=True)
class ShareTargets:
    """Platform purchase share targets (settings), in whole percent."""

    drugs_pct: int = 90
    consumables_pct: int = 80


@dataclass(frozen=True)
class ShareRow:
    """One hospital, city or the whole scope: sums in fen and the ratios built from them."""

    key: str
    label: str
    platform_fen: dict[str, int]  # kind → accepted on the platform in the reported months
    reported_fen: dict[str, int]  # kind → reported total spend
    unreported: dict[str, int]  # kind → hospital × months with platform purchases and no report
    accepted_fen: int  # all accepted on the platform
    vbp_fen: int  # of it VBP-selected
    non_selected_fen: int  # non-selected of VBP generics

    def platform_share(self, kind: str) -> Decimal | None:
        """Platform spend ÷ reported total spend of ``kind`` (None without a report)."""
        return _ratio(self.platform_fen.get(kind, 0), self.reported_fen.get(kind, 0))

    @property
    def vbp_share(self) -> Decimal | None:
        return _ratio(self.vbp_fen, self.accepted_fen)

    @property
    def non_selected_share(self) -> Decimal | None:
        return _ratio(self.non_selected_fen, self.vbp_fen + self.non_selected_fen)


@dataclass(frozen=True)
class Shares:
    """The figures of one period in the actor's scope: the whole (``total``), cities, hospitals."""

    period: str
    targets: ShareTargets
    total: ShareRow
    cities: tuple[ShareRow, ...]
    hospitals: tuple[ShareRow, ...]

    def meets(self, kind: str) -> bool | None:
        """Whether the whole scope's platform share of ``kind`` reaches its target."""
        share = self.total.platform_share(kind)
        if share is None:
            return None
        target = self.targets.drugs_pct if kind == "drug" else self.targets.consumables_pct
        return share * 100 >= target


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(round_half_up_div(numerator * 10000, denominator)) * RATIO if denominator else None


def valid_period(period: str) -> bool:
    """``YYYY`` or ``YYYY-MM``."""
    return bool(MONTH.match(period)) or (len(period) == 4 and period.isdigit() and period >= "2000")


def _months(column, period: str):
    return column == period if len(period) == 7 else column.startswith(period + "-")


def _city(region_code: str) -> str:
    return region_code[:4] + "00"


def _classes():
    """The listing's current kind and VBP class per product (the rollup's one definition)."""
    return text(rollup.CLASSES.format(where="1 = 1")).columns(
        column("product_id", Integer), column("kind", String), column("cls", String)).subquery("pc")


def raw_bought(session: Session, actor: Actor, period: str) -> list[tuple[int, str, str, str, int]]:
    """Accepted amounts per (hospital, month, kind, class) of ``period`` in the actor's scope by
    one GROUP BY over ``order_acceptance`` with the products' current classes — the reference
    the rollup is held to (tests, bench), and the figures of a party other than a bureau or a
    hospital (not in the rollup's scope)."""
    a, classes = OrderAcceptance, _classes()
    return [(h, m, k, c, int(v)) for h, m, k, c, v in session.exec(scope(
        select(a.hospital_org_id, a.month, classes.c.kind, classes.c.cls, func.sum(a.amount_fen))
        .join(classes, classes.c.product_id == a.product_id)
        .where(a.kind == "accepted", _months(a.month, period)), actor, OrderAcceptance)
        .group_by(a.hospital_org_id, a.month, classes.c.kind, classes.c.cls)).all()]


def rolled_up(session: Session, actor: Actor, period: str) -> list[tuple[int, str, str, str, int]]:
    """The same sums as :func:`raw_bought` from the monthly rollup (``orders.rollup``): its rows
    of ``period`` in the actor's scope, and for the products whose class changed since they were
    summed (:func:`orders.rollup.drift`, usually none) their own acceptance rows moved from the
    recorded class to the current one."""
    r = OrderShareMonth
    rows = [(h, m, k, c, int(v)) for h, m, k, c, v in session.exec(scope(
        select(r.hospital_org_id, r.month, r.kind, r.cls, r.amount_fen)
        .where(_months(r.month, period)), actor, OrderShareMonth)).all()]
    if moved := rollup.drift(session):
        a = OrderAcceptance
        for h, m, product, fen in session.exec(scope(
                select(a.hospital_org_id, a.month, a.product_id, func.sum(a.amount_fen))
                .where(a.kind == "accepted", a.product_id.in_(list(moved)), _months(a.month, period)),
                actor, OrderAcceptance).group_by(a.hospital_org_id, a.month, a.product_id)).all():
            kind0, cls0, kind1, cls1 = moved[product]
            rows += [(h, m, kind0, cls0, -int(fen)), (h, m, kind1, cls1, int(fen))]
    return rows


def shares(session: Session, actor: Actor, period: str, targets: ShareTargets = ShareTargets()) -> Shares:
    """The platform figures of ``period`` (``YYYY`` or ``YYYY-MM``) in the actor's scope: a
    bureau's and a hospital's from the monthly rollup, anyone else's from the acceptance rows."""
    if not valid_period(period):
        raise ValueError(f"bad period {period!r}")
    rollup_scope = actor.is_bureau or actor.role == Role.HOSPITAL_BUYER
    bought = (rolled_up if rollup_scope else raw_bought)(session, actor, period)
    reported = session.exec(scope(
        select(HospitalSpend.hospital_org_id, HospitalSpend.month, HospitalSpend.kind,
               func.sum(HospitalSpend.amount_fen))
        .where(HospitalSpend.superseded_at.is_(None), _months(HospitalSpend.month, period)), actor, HospitalSpend)
        .group_by(HospitalSpend.hospital_org_id, HospitalSpend.month, HospitalSpend.kind)).all()
    spend = {(h, m, k): int(v) for h, m, k, v in reported}
    platform: dict[tuple[int, str, str], int] = defaultdict(int)
    per_class: dict[tuple[int, str], int] = defaultdict(int)
    for h, m, kind, cls, fen in bought:
        if fen:  # a month bought for ¥0 (or moved out of a class) is no purchase
            platform[(h, m, kind)] += fen
            per_class[(h, cls)] += fen
    platform = {key: fen for key, fen in platform.items() if fen}
    hospital_ids = {k[0] for k in platform} | {k[0] for k in spend}
    o = Organisation  # the columns only: a province is ~3,000 hospitals
    orgs = {row.id: row for row in session.exec(select(o.id, o.code, o.name, o.region_code)
                                                .where(o.id.in_(hospital_ids))).all()} \
        if hospital_ids else {}

    def empty():
        return {"platform": defaultdict(int), "reported": defaultdict(int), "unreported": defaultdict(int),
                "classes": defaultdict(int)}

    sums: dict[int, dict] = defaultdict(empty)
    for (h, m, kind), fen in platform.items():
        if (h, m, kind) in spend:
            sums[h]["platform"][kind] += fen
        else:
            sums[h]["unreported"][kind] += 1
    for (h, _m, kind), fen in spend.items():
        sums[h]["reported"][kind] += fen
    for (h, cls), fen in per_class.items():
        sums[h]["classes"][cls] += fen
    cities: dict[str, dict] = defaultdict(empty)
    total = empty()
    for h, s in sums.items():
        for bucket in (cities[_city(orgs[h].region_code)], total):
            for part in ("platform", "reported", "unreported", "classes"):
                for k, v in s[part].items():
                    bucket[part][k] += v
    names = dict(session.exec(select(Region.code, Region.name).where(Region.code.in_(cities))).all()) if cities else {}
    scope_label = names.get(actor.region_code, "") if actor.is_bureau else ""
    return Shares(
        period, targets, _row("total", scope_label, total),
        tuple(_row(code, names.get(code, code), s) for code, s in sorted(cities.items())),
        tuple(_row(orgs[h].code, orgs[h].name, s) for h, s in sorted(sums.items(), key=lambda kv: orgs[kv[0]].code)))


def _row(key: str, label: str, s: dict) -> ShareRow:
    classes = s["classes"]
    return ShareRow(key, label, dict(s["platform"]), dict(s["reported"]), dict(s["unreported"]),
                    sum(classes.values()), classes.get("vbp", 0), classes.get("non_selected", 0))


def spend_history(session: Session, actor: Actor, limit: int = 24) -> list[HospitalSpend]:
    """The actor's reported spend rows, newest first (superseded ones included)."""
    return list(session.exec(scope(select(HospitalSpend), actor, HospitalSpend)
                             .order_by(HospitalSpend.month.desc(), HospitalSpend.kind, HospitalSpend.id.desc())
                             .limit(limit)).all())
