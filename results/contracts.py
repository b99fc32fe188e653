"""Contracts from a published result put into effect: one per hospital × item, with the winner
the local allocation names for the hospital's sub-region (city), at that winner's price.

The agreed volume is the item's ratio (the result's own, or the batch's table by the number of
the item's winners) × the hospital's reported demand, rounded half up; the period follows the
contract-period rule (``cycles.period``) and each contract gets its years (``cycles.years``).
Called by ``review.services.end_publicity`` inside its transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from accounts.models import Organisation
from core.money import round_half_up_div
from core.regions import region_contains
from cycles.period import contract_period
from cycles.years import add_contract_years
from procurement.demand.queries import latest_lines
from procurement.models import Batch
from procurement.rules import BatchRules, parse_rules
from results.models import ResultItem, ResultSupply, ResultVersion, ResultWinner
from review.models import Contract


def ratio_for(rules: BatchRules, winners: int, own: Decimal | None) -> Decimal:
    """The agreed-volume ratio of an item: its own, else the batch's table by number of winners
    (the row of the largest count not above it)."""
    if own is not None:
        return own
    keys = sorted(int(k) for k in rules.agreed_ratio)
    chosen = next((k for k in reversed(keys) if k <= max(winners, 1)), keys[0])
    return rules.agreed_ratio[chosen]


def create_result_contracts(session: Session, batch: Batch, version: ResultVersion, now: datetime) -> list[Contract]:
    """The contracts of the batch's hospitals that reported demand (committed > 0)."""
    rules = parse_rules(batch.rules_json)
    winners: dict[int, dict[int, ResultWinner]] = {}
    for w in session.exec(select(ResultWinner).where(ResultWinner.version_id == version.id)).all():
        winners.setdefault(w.batch_item_id, {})[w.supplier_org_id] = w
    items = {i.batch_item_id: i for i in session.exec(select(ResultItem).where(ResultItem.version_id == version.id)).all()}
    supply = {(s.batch_item_id, s.region_code): s for s in session.exec(
        select(ResultSupply).where(ResultSupply.version_id == version.id)).all()}
    cities = sorted({region for _item, region in supply})
    contracts = []
    for line, hospital, batch_item, item in latest_lines(session, batch.id):
        city = hospital_city(hospital, cities)
        allocation = supply.get((batch_item.id, city))
        if allocation is None or line.committed <= 0:
            continue
        offers = winners[batch_item.id]
        chosen = offers[allocation.primary_supplier_org_id]
        ratio = ratio_for(rules, len(offers), items[batch_item.id].agreed_ratio)
        num, den = ratio.as_integer_ratio()
        period = contract_period(batch.cycle_start, batch.cycle_end, len(offers), rules.contract_years,
                                 rules.contract_end)
        contract = Contract(
            code=f"{batch.code}-{item.code}-{hospital.code}", batch_id=batch.id, result_version_id=version.id,
            batch_item_id=batch_item.id, hospital_org_id=hospital.id, supplier_org_id=chosen.supplier_org_id,
            backup_supplier_org_id=allocation.backup_supplier_org_id, ucp_e4=chosen.ucp_e4,
            pack_price_e4=chosen.pack_price_e4, pack_spec=chosen.pack_spec, reported_demand=line.committed,
            agreed_volume=round_half_up_div(line.committed * num, den), period_start=period.start,
            period_end=period.end, period_basis=period.basis, winner_count=len(offers), created_at=now)
        session.add(contract)
        contracts.append(contract)
    session.flush()
    for contract in contracts:
        add_contract_years(session, contract)
    return contracts


def hospital_city(hospital: Organisation, cities: list[str]) -> str | None:
    """The batch sub-region a hospital belongs to."""
    return next((c for c in sorted(cities, key=len, reverse=True) if region_contains(c, hospital.region_code)), None)
