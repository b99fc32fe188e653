"""What the platform knows of each hospital's batch cycle (read only, scoped to the actor):

* the savings lines per item (``settlement.monitoring.queries.savings_inputs``: agreed and
  purchased volume, pre-VBP price, fund payment ratio, the fund's spend on the settled contract
  lines), to whose spend are added the **accepted order amounts of non-selected products of the
  item's generic** (a listed product not VBP-selected whose generic name and kind are the item's;
  of two items of one generic, the one of its dosage form) accepted in the cycle;
* the **non-selected share** of its orders in the cycle from ``orders.shares.shares`` (summed over
  the cycle's calendar years and months up to now: non-selected ÷ selected + non-selected amounts);
  a hospital with no such orders has no share (the component is not available, never made up);
* the reconciliation timeliness of its lines (对账: a line applied for month M is due by the
  batch's ``reconcile_by_day`` of M + 1, in the bureau's dates; lines reconciled by then count as on
  time, lines still pending after it as late).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import and_, func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from listing.models import ListedProduct
from orders.models import OrderAcceptance
from orders.shares import Shares, shares
from procurement.models import Batch, BatchItem, Item
from procurement.rules import parse_rules
from savings.assessment import HospitalFigures
from settlement.models import Acceptance
from settlement.monitoring.queries import savings_inputs
from settlement.runs.calendar import local_date
from settlement.scoping import party_rule


def _due_day(month: str, day: int) -> date:
    """The reconcile day of the month after ``month`` ("2026-10" → 2026-11-05)."""
    year, m = int(month[:4]), int(month[5:7])
    return date(year + m // 12, m % 12 + 1, day)


def cycle_periods(first: date, last: date) -> list[str]:
    """The months of ``[first, last]`` as periods of ``orders.shares``: a calendar year wholly
    inside as ``YYYY``, the other months as ``YYYY-MM`` (2026-10-01 … 2027-12-31 → 2026-10,
    2026-11, 2026-12, 2027)."""
    out: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if month == 1 and (last.year > year or last.month == 12):
            out.append(str(year))
            year += 1
            continue
        out.append(f"{year}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return out


def order_shares(session: Session, actor: Actor, batch: Batch, now: datetime,
                 periods: dict[str, Shares] | None = None) -> dict[str, tuple[int, int]]:
    """Per hospital code: (selected, non-selected) accepted order amounts in fen of the batch's
    cycle up to ``now``, from ``orders.shares`` (the same figures as the dashboard's); ``periods``
    keeps each period's figures for the next batch of the same read."""
    if batch.cycle_start is None or batch.cycle_end is None:
        return {}
    last = min(batch.cycle_end, local_date(now))
    out: dict[str, list[int]] = {}
    known = {} if periods is None else periods
    for period in cycle_periods(batch.cycle_start, last) if last >= batch.cycle_start else ():
        if period not in known:
            known[period] = shares(session, actor, period)
        for row in known[period].hospitals:
            sums = out.setdefault(row.key, [0, 0])
            sums[0] += row.vbp_fen
            sums[1] += row.non_selected_fen
    return {code: (s[0], s[1]) for code, s in out.items()}


def non_selected_spend(session: Session, actor: Actor, batch: Batch, now: datetime) -> dict[tuple[str, str], int]:
    """Per (hospital code, item code) of the batch: Σ accepted order amounts (fen) in the cycle up
    to ``now`` of listed products not VBP-selected with the item's generic name and kind."""
    if batch.cycle_start is None or batch.cycle_end is None:
        return {}
    last = min(batch.cycle_end, local_date(now))
    if last < batch.cycle_start:
        return {}
    a, p = OrderAcceptance, ListedProduct
    items = session.exec(select(Item.code, Item.generic_name, Item.kind, Item.dosage_form)
                         .join(BatchItem, BatchItem.item_id == Item.id).where(BatchItem.batch_id == batch.id)
                         .order_by(Item.code)).all()
    if not items:
        return {}
    bought = session.exec(scope(
        select(a.hospital_org_id, p.generic_name, p.kind, p.dosage_form, func.sum(a.amount_fen))
        .join(p, p.id == a.product_id)
        .where(a.kind == "accepted", p.vbp_status != "selected", p.generic_name.in_({i[1] for i in items}),
               and_(a.month >= batch.cycle_start.isoformat()[:7], a.month <= last.isoformat()[:7]),
               a.accepted_on >= batch.cycle_start, a.accepted_on <= last), actor, OrderAcceptance)
        .group_by(a.hospital_org_id, p.generic_name, p.kind, p.dosage_form)).all()
    if not bought:
        return {}
    codes = dict(session.exec(select(Organisation.id, Organisation.code)
                              .where(Organisation.id.in_({r[0] for r in bought}))).all())
    out: dict[tuple[str, str], int] = {}
    for org_id, generic, kind, form, fen in bought:
        same = [i for i in items if i[1] == generic and i[2] == kind]
        if not same:
            continue
        item = next((i for i in same if i[3] and i[3] == form), same[0])
        key = (codes[org_id], item[0])
        out[key] = out.get(key, 0) + int(fen)
    return out


def hospital_figures(session: Session, actor: Actor, batch: Batch, now: datetime,
                     periods: dict[str, Shares] | None = None) -> dict[str, HospitalFigures]:
    """Per hospital code the actor may see: its figures for the batch up to ``now`` (``periods``:
    the order figures already read, by period, shared by the batches of one page)."""
    lines: dict[str, list] = {}
    extra = non_selected_spend(session, actor, batch, now)
    per_item: dict[str, dict[str, int]] = {}  # hospital → item → the non-selected orders in its spend
    for s in savings_inputs(session, actor, batch):
        ns = extra.get((s.hospital_code, s.item_code), 0)
        if ns:
            per_item.setdefault(s.hospital_code, {})[s.item_code] = ns
            s = replace(s, actual_fund_spend_fen=s.actual_fund_spend_fen + ns)
        lines.setdefault(s.hospital_code, []).append(s)
    if not lines:
        return {}
    by_day = parse_rules(batch.rules_json).reconcile_by_day
    today = local_date(now)
    rows = session.exec(select(Organisation.code, Acceptance.applied_month, Acceptance.reconciled_at, func.count())
                        .join(Organisation, Organisation.id == Acceptance.hospital_org_id)
                        .where(Acceptance.batch_id == batch.id, Acceptance.applied_month.is_not(None),
                               party_rule(Acceptance, supplier=False)(actor))
                        .group_by(Organisation.code, Acceptance.applied_month, Acceptance.reconciled_at)).all()
    timely: dict[str, list[int]] = {}
    for code, month, reconciled_at, count in rows:
        due = _due_day(month, by_day)
        t = timely.setdefault(code, [0, 0])
        if reconciled_at is not None and local_date(reconciled_at) <= due:
            t[0] += count
            t[1] += count
        elif today > due:  # late: reconciled after the day, or still pending past it
            t[1] += count
    orders = order_shares(session, actor, batch, now, periods)
    return {code: HospitalFigures(code, tuple(sorted(ls, key=lambda s: s.item_code)), *timely.get(code, (0, 0)),
                                  *orders.get(code, (0, 0)), non_selected_spend=per_item.get(code, {}))
            for code, ls in sorted(lines.items())}
