"""What the platform knows of each hospital's batch cycle (read only): the savings lines per item
(``settlement.monitoring.queries.savings_inputs``: agreed and purchased volume, pre-VBP price,
fund payment ratio, the fund's actual spend) and the reconciliation timeliness of its lines
(对账: a line applied for month M is due by the batch's ``reconcile_by_day`` of M + 1, in the
bureau's dates; lines reconciled by then count as on time, lines still pending after it as late).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from procurement.models import Batch
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


def hospital_figures(session: Session, actor: Actor, batch: Batch, now: datetime) -> dict[str, HospitalFigures]:
    """Per hospital code the actor may see: its figures for the batch up to ``now``."""
    lines: dict[str, list] = {}
    for s in savings_inputs(session, actor, batch):
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
    return {code: HospitalFigures(code, tuple(sorted(ls, key=lambda s: s.item_code)), *timely.get(code, (0, 0)))
            for code, ls in sorted(lines.items())}
