"""Planning a takeover (read only): which contracts it moves, who takes them over, how much
and at which price — the same plan the page previews, the proposal stores and the approval
applies.

* Contracts: the failed winner's signed contracts for the item whose hospital lies in one of the
  chosen cities (or is one of the chosen hospitals).
* Period: within every contract's period; no overlap with another takeover of the same contract
  (proposed, approved or restored — its period until the day before the restoration).
* Volume per contract: what is left (agreed − shipped before the start), pro rata to the
  takeover's share of the contract's remaining days (all of it when the takeover runs to the
  contract's end), rounded half up.
* Taker (batch setting ``takeover_supplier``): the stored backup supplier (备供) of the
  contracts; where none is stored, one of the candidates the rules allow — the item's other
  winners with capacity left, by price; or, under ``next_ranked``, the best-ranked of them.
* Capacity left: the taker's declared capacity for the item minus what it already carries
  (its contracts' agreed volumes and the volume of takeovers to it still proposed).
* Price (``takeover_price``): the taker is paid its own winning price; under ``failed_price`` the
  hospital's cost stays the failed winner's price and the difference is charged to the failed
  winner — each settled line of the taker records it, and settlement nets it from the failed
  winner's next payment to that hospital or asks it back (``settlement.runs.differences``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.models import Organisation
from bidding.models import OpenedBid, OpeningRecord
from core.formats import qty
from core.i18n import N_
from core.money import parse_price_e4, round_half_up_div
from core.regions import region_contains
from evaluation.models import EvaluationItem
from procurement.models import Batch, BatchItem, Item
from procurement.rules import parse_rules
from review.models import Contract
from settlement.models import Delivery
from supply.errors import SupplyError
from supply.models import Takeover, TakeoverLine
from supply.suspension import last_day

OPEN = ("proposed", "approved", "restored")  # takeovers that hold their period


@dataclass(frozen=True)
class TakeoverInput:
    """What the officer declares."""

    item_code: str
    failed_code: str
    units: tuple[str, ...]  # city codes and/or hospital codes
    starts_on: date
    ends_on: date | None = None  # None: to the end of the contracts
    taker_code: str | None = None  # None: as the rules decide (the stored backup, the next-ranked winner)
    reason: str = ""


@dataclass(frozen=True)
class Candidate:
    """A winner of the item who could take the volume over."""

    org: Organisation
    ucp_e4: int
    capacity: int
    carried: int

    @property
    def left(self) -> int:
        """Capacity left: declared capacity minus what it already carries."""
        return self.capacity - self.carried


@dataclass(frozen=True)
class PlannedLine:
    """One contract the takeover moves volume from."""

    contract: Contract
    hospital: Organisation
    shipped_before: int
    moved: int


@dataclass(frozen=True)
class Plan:
    """A takeover as it would be made."""

    batch: Batch
    batch_item: BatchItem
    item: Item
    failed: Organisation
    starts_on: date
    ends_on: date
    lines: tuple[PlannedLine, ...]
    candidates: tuple[Candidate, ...]
    taker: Candidate
    basis: str  # backup | next_ranked | candidate
    price_rule: str

    @property
    def moved(self) -> int:
        """Units moved in all."""
        return sum(line.moved for line in self.lines)

    def contract_price(self, line: PlannedLine) -> int:
        """The new contract's price: the taker's own under either rule (it is paid what it bid);
        under ``failed_price`` the failed winner is charged the difference to its own price
        (``settlement.runs.differences``), so the hospital's cost stays the failed winner's price."""
        return self.taker.ucp_e4


def _org(session: Session, code: str, kind: str) -> Organisation:
    """An organisation of ``kind`` by code, or a refusal naming the code."""
    org = session.exec(select(Organisation).where(Organisation.code == code, Organisation.kind == kind)).first()
    if org is None:
        raise SupplyError(N_("No such supplier: %(code)s", code=code))
    return org


def _item(session: Session, batch: Batch, code: str) -> tuple[BatchItem, Item]:
    """The batch's item by code."""
    row = session.exec(select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id)
                       .where(BatchItem.batch_id == batch.id, Item.code == code)).first()
    if row is None:
        raise SupplyError(N_("The batch has no item %(code)s", code=code))
    return row


def affected(session: Session, batch_item: BatchItem, failed: Organisation,
             units: tuple[str, ...]) -> list[tuple[Contract, Organisation]]:
    """The failed winner's signed contracts for the item in the chosen cities or hospitals."""
    rows = session.exec(select(Contract, Organisation).join(Organisation, Organisation.id == Contract.hospital_org_id)
                        .where(Contract.batch_item_id == batch_item.id, Contract.supplier_org_id == failed.id,
                               Contract.status == "signed").order_by(Organisation.code, Contract.id)).all()
    return [(c, h) for c, h in rows
            if any(u == h.code or (u.isdigit() and region_contains(u, h.region_code)) for u in units)]


def shipped_before(session: Session, contract_id: int, day: date) -> int:
    """Units shipped under a contract before ``day``."""
    return int(session.exec(select(func.coalesce(func.sum(Delivery.quantity), 0))
                            .where(Delivery.contract_id == contract_id, Delivery.shipped_on < day)).one())


def _overlap(session: Session, contract: Contract, start: date, end: date) -> Takeover | None:
    """Another takeover of the contract whose period meets [start, end]."""
    rows = session.exec(select(Takeover).join(TakeoverLine, TakeoverLine.takeover_id == Takeover.id)
                        .where(TakeoverLine.old_contract_id == contract.id, Takeover.status.in_(OPEN))).all()
    return next((t for t in rows if t.starts_on <= end and start <= last_day(t)), None)


def _moved(contract: Contract, shipped: int, start: date, end: date) -> int:
    """What is left, pro rata to the takeover's share of the contract's remaining days."""
    left = max(0, contract.agreed_volume - shipped)
    days, remaining = (end - start).days + 1, (contract.period_end - start).days + 1
    return round_half_up_div(left * days, remaining)


def candidates(session: Session, batch: Batch, batch_item: BatchItem, item: Item, failed: Organisation,
               evaluation_id: int) -> list[Candidate]:
    """The item's other winners, best price first, with their capacity and what they carry."""
    row = session.exec(select(EvaluationItem).where(EvaluationItem.evaluation_id == evaluation_id,
                                                    EvaluationItem.item_code == item.code)).first()
    winners = json.loads(row.result_json).get("winners", []) if row else []
    orgs = {o.code: o for o in session.exec(select(Organisation).where(
        Organisation.code.in_([w["supplier"] for w in winners]))).all()}
    out = []
    for w in winners:
        org = orgs.get(w["supplier"])
        if org is None or org.id == failed.id:
            continue
        capacity = session.exec(select(OpenedBid.capacity).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id)
                                .where(OpeningRecord.batch_id == batch.id, OpenedBid.batch_item_id == batch_item.id,
                                       OpenedBid.supplier_org_id == org.id, OpenedBid.valid == True)).first()  # noqa: E712
        out.append(Candidate(org, parse_price_e4(w["ucp"]), int(capacity or 0), carried(session, batch_item.id, org.id)))
    return sorted(out, key=lambda c: (c.ucp_e4, c.org.code))


def carried(session: Session, batch_item_id: int, org_id: int) -> int:
    """What a supplier already carries for the item: its contracts' agreed volumes and the
    volume of takeovers to it still awaiting approval."""
    agreed = session.exec(select(func.coalesce(func.sum(Contract.agreed_volume), 0)).where(
        Contract.batch_item_id == batch_item_id, Contract.supplier_org_id == org_id)).one()
    pending = session.exec(select(func.coalesce(func.sum(TakeoverLine.moved_volume), 0))
                           .join(Takeover, TakeoverLine.takeover_id == Takeover.id)
                           .where(Takeover.batch_item_id == batch_item_id, Takeover.taker_org_id == org_id,
                                  Takeover.status == "proposed")).one()
    return int(agreed) + int(pending)


def _choose(rules_choice: str, lines: list[PlannedLine], options: list[Candidate], wanted: str | None,
            moved: int) -> tuple[Candidate, str]:
    """The taker the rules allow, and on which basis."""
    able = [c for c in options if c.left >= moved]
    if rules_choice == "next_ranked":
        if not able:
            raise SupplyError(N_("No other winner of the item has %(n)s units of capacity left.", n=qty(moved)))
        if wanted and wanted != able[0].org.code:
            raise SupplyError(N_("The rules move the volume to the next-ranked winner with capacity left: %(name)s.",
                                 name=able[0].org.name))
        return able[0], "next_ranked"
    stored = {line.contract.backup_supplier_org_id for line in lines}
    if len(stored) > 1:
        raise SupplyError(N_("The chosen contracts have different backup suppliers: declare one takeover per backup."))
    backup_id = stored.pop()
    if backup_id is not None:
        backup = next((c for c in options if c.org.id == backup_id), None)
        if backup is None:
            raise SupplyError(N_("The stored backup supplier is no winner of the item."))
        if wanted and wanted != backup.org.code:
            raise SupplyError(N_("The rules move the volume to the stored backup supplier %(name)s.", name=backup.org.name))
        chosen, basis = backup, "backup"
    else:
        if not wanted:
            raise SupplyError(N_("No backup supplier is stored for these contracts: choose one of the candidates."))
        chosen = next((c for c in options if c.org.code == wanted), None)
        if chosen is None:
            raise SupplyError(N_("%(code)s is not one of the candidates the rules allow.", code=wanted))
        basis = "candidate"
    if chosen.left < moved:
        raise SupplyError(N_("%(name)s has no capacity left for %(n)s units: declared %(cap)s, already carries "
                             "%(carried)s.", name=chosen.org.name, n=qty(moved), cap=qty(chosen.capacity),
                             carried=qty(chosen.carried)))
    return chosen, basis


def plan_takeover(session: Session, batch: Batch, inp: TakeoverInput, within: str | None = None) -> Plan:
    """The takeover ``inp`` declares, checked against every rule (raises :class:`SupplyError`);
    ``within``: the declaring officer's region — hospitals outside it are not theirs to move."""
    if batch.status not in ("published", "execution"):
        raise SupplyError(N_("Only a published batch in execution has contracts to take over."))
    batch_item, item = _item(session, batch, inp.item_code)
    failed = _org(session, inp.failed_code, "supplier")
    if not inp.units:
        raise SupplyError(N_("Choose the cities or hospitals the supply failure concerns."))
    found = [(c, h) for c, h in affected(session, batch_item, failed, inp.units)
             if within is None or region_contains(within, h.region_code)]
    if not found:
        raise SupplyError(N_("%(name)s has no signed contract for this item in the chosen cities or hospitals.",
                             name=failed.name))
    end = inp.ends_on or max(c.period_end for c, _h in found)
    if end < inp.starts_on:
        raise SupplyError(N_("The takeover ends before it starts."))
    lines = []
    for contract, hospital in found:
        if not contract.period_start <= inp.starts_on or end > contract.period_end:
            raise SupplyError(N_("The period must lie within contract %(code)s's period (%(start)s to %(end)s).",
                                 code=contract.code, start=contract.period_start.isoformat(),
                                 end=contract.period_end.isoformat()))
        if (other := _overlap(session, contract, inp.starts_on, end)) is not None:
            raise SupplyError(N_("The period overlaps takeover %(ref)s of contract %(code)s.", ref=other.reference,
                                 code=contract.code))
        shipped = shipped_before(session, contract.id, inp.starts_on)
        lines.append(PlannedLine(contract, hospital, shipped, _moved(contract, shipped, inp.starts_on, end)))
    lines = [line for line in lines if line.moved > 0]
    if not lines:
        raise SupplyError(N_("Nothing is left to move: the contracts' volume has been delivered."))
    rules = parse_rules(batch.rules_json)
    options = candidates(session, batch, batch_item, item, failed, lines[0].contract.evaluation_id)
    moved = sum(line.moved for line in lines)
    taker, basis = _choose(rules.takeover_supplier, lines, options, inp.taker_code, moved)
    return Plan(batch, batch_item, item, failed, inp.starts_on, end, tuple(lines), tuple(options), taker, basis,
                rules.takeover_price)
