"""Contract years and the yearly re-confirmation of agreed volumes.

When a contract is made it gets one row per contract year (:func:`add_contract_years`): year 1
agreed, later years provisional at year 1's volume. Towards the end of year k the bureau opens
the re-confirmation of year k + 1 (:func:`open_reconfirmation`): per contract the floor is the
batch's share of year k's actual accepted quantity — and, under the national rule, not below
year k's agreed volume — and the bureau proposes the larger of the floor and year k's volume.
Each hospital confirms the proposal or proposes another volume (not below the floor) with a
reason (:func:`answer_year`); an officer approves the answers (:func:`approve_year`).

Every use case is one transaction; a repeat (the same step again) is a no-op answering
``Outcome(…, repeated=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.db import lock_for_update
from core.i18n import N_
from core.outcome import Outcome
from cycles.models import ContractYear
from cycles.period import contract_years
from notices.services import notify
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.queries import find_batch
from procurement.rules import parse_rules
from review.models import Contract
from settlement.models import Acceptance

PROVISIONAL, TO_CONFIRM, CONFIRMED, CHANGE_PROPOSED, AGREED = (
    "provisional", "to_confirm", "confirmed", "change_proposed", "agreed")
ANSWERED = (CONFIRMED, CHANGE_PROPOSED)
OPEN = (TO_CONFIRM, CONFIRMED, CHANGE_PROPOSED)


class VolumeRefused(ValueError):
    """A refused re-confirmation step, with the reason."""


def add_contract_years(session: Session, contract: Contract) -> list[ContractYear]:
    """The contract's years (in the caller's transaction): year 1 agreed at the contract's agreed
    volume, later years provisional at the same volume until re-confirmed."""
    rows = [ContractYear(contract_id=contract.id, batch_id=contract.batch_id, year_no=n, starts_on=first,
                         ends_on=last, agreed_volume=contract.agreed_volume, status=AGREED if n == 1 else PROVISIONAL)
            for n, first, last in contract_years(contract.period_start, contract.period_end)]
    session.add_all(rows)
    return rows


@dataclass(frozen=True)
class RunningYear:
    """The contract year a batch runs on a day: its dates and each contract's agreed volume."""

    starts_on: date
    ends_on: date
    volumes: dict[int, int]  # contract id → the year's agreed volume


def running_year(session: Session, batch_id: int, on: date) -> RunningYear | None:
    """The contract year holding ``on`` (after the last one: the last begun), for the contracts
    that have it — when a batch's contracts run different years, the year most of them share;
    None before the first year or for contracts made without years."""
    rows = session.exec(select(ContractYear.contract_id, ContractYear.starts_on, ContractYear.ends_on,
                               ContractYear.agreed_volume)
                        .where(ContractYear.batch_id == batch_id, ContractYear.starts_on <= on)).all()
    if not rows:
        return None
    holding = [r for r in rows if r[2] >= on] or [r for r in rows if r[1] == max(x[1] for x in rows)]
    windows: dict[tuple[date, date], dict[int, int]] = {}
    for contract_id, first, last, volume in holding:
        windows.setdefault((first, last), {})[contract_id] = int(volume)
    (first, last), volumes = max(windows.items(), key=lambda w: (len(w[1]), w[0]))
    return RunningYear(first, last, volumes)


def _officer_batch(session: Session, actor: Actor, code: str) -> Batch:
    """The batch of the actor's region, locked, for a price officer."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    return lock_for_update(session, Batch, batch.id)


def _years(session: Session, batch: Batch, year_no: int) -> list[ContractYear]:
    """The batch's rows of one contract year, by contract."""
    return list(session.exec(select(ContractYear).where(ContractYear.batch_id == batch.id,
                                                        ContractYear.year_no == year_no)
                             .order_by(ContractYear.contract_id)).all())


def opens_on(session: Session, batch: Batch, year_no: int):
    """The first day the re-confirmation of ``year_no`` may open (None: no such year)."""
    ends = session.exec(select(func.min(ContractYear.ends_on)).where(
        ContractYear.batch_id == batch.id, ContractYear.year_no == year_no - 1)).one()
    if ends is None:
        return None
    return ends - timedelta(days=parse_rules(batch.rules_json).reconfirm_days_before)


def reconfirmation_refusal(session: Session, batch: Batch, year_no: int, now: datetime) -> str | None:
    """Why the re-confirmation of ``year_no`` cannot be opened now (None: it can)."""
    if batch.status != BatchStatus.EXECUTION:
        return N_("Volumes are re-confirmed while the batch is in execution.")
    if year_no < 2:
        return N_("Year 1's volumes were agreed with the contracts.")
    rows = _years(session, batch, year_no)
    if not rows:
        return N_("No contract of the batch has a year %(year)s.", year=year_no)
    if not any(r.status == PROVISIONAL for r in rows):
        return N_("The re-confirmation of year %(year)s is already open.", year=year_no)
    first = opens_on(session, batch, year_no)
    if first is not None and now.date() < first:
        return N_("The re-confirmation of year %(year)s opens on %(day)s.", year=year_no, day=first.isoformat())
    if now.date() > max(r.ends_on for r in rows):
        return N_("Year %(year)s has ended.", year=year_no)
    return None


def next_year(session: Session, batch: Batch) -> int | None:
    """The contract year whose volumes are being or will next be re-confirmed (None: none left)."""
    return session.exec(select(func.min(ContractYear.year_no)).where(
        ContractYear.batch_id == batch.id, ContractYear.status.in_((PROVISIONAL, *OPEN)))).one()


def actual_accepted(session: Session, batch_id: int, year_no: int) -> dict[int, int]:
    """Per contract, the quantity accepted (less returns) within its contract year ``year_no``."""
    rows = session.exec(
        select(ContractYear.contract_id, func.sum(Acceptance.quantity - Acceptance.returned))
        .join(Acceptance, and_(Acceptance.contract_id == ContractYear.contract_id,
                               Acceptance.accepted_on >= ContractYear.starts_on,
                               Acceptance.accepted_on <= ContractYear.ends_on))
        .where(ContractYear.batch_id == batch_id, ContractYear.year_no == year_no)
        .group_by(ContractYear.contract_id)).all()
    return {contract_id: int(total or 0) for contract_id, total in rows}


def floor_of(last_actual: int, last_agreed: int, share, not_below_agreed: bool) -> int:
    """The least next year may agree: ``share`` × last year's actual (rounded up), and not below
    last year's agreed volume under the national rule."""
    num, den = share.as_integer_ratio()
    floor = -(-last_actual * num // den)
    return max(floor, last_agreed) if not_below_agreed else floor


def open_reconfirmation(session: Session, actor: Actor, code: str, year_no: int, now: datetime) -> Outcome[int]:
    """Open the re-confirmation of ``year_no``: fix each contract's floor and the bureau's
    proposal from the year before; the hospitals are told. Answers how many rows it opened."""
    batch = _officer_batch(session, actor, code)
    rows = _years(session, batch, year_no)
    if rows and not any(r.status == PROVISIONAL for r in rows) and any(r.status in OPEN for r in rows):
        session.commit()  # nothing written: end the locking transaction
        return Outcome(0, repeated=True)
    refusal = reconfirmation_refusal(session, batch, year_no, now)
    if refusal:
        raise VolumeRefused(refusal)
    rules = parse_rules(batch.rules_json)
    before = {r.contract_id: r for r in _years(session, batch, year_no - 1)}
    actual = actual_accepted(session, batch.id, year_no - 1)
    opened = 0
    for row in rows:
        if row.status != PROVISIONAL or row.contract_id not in before:
            continue
        last = before[row.contract_id]
        row.last_actual = actual.get(row.contract_id, 0)
        row.floor_volume = floor_of(row.last_actual, last.agreed_volume, rules.next_year_actual_share,
                                    rules.next_year_not_below_agreed)
        row.proposed_volume = max(row.floor_volume, last.agreed_volume)
        row.agreed_volume = row.proposed_volume
        row.status, row.opened_by, row.opened_at = TO_CONFIRM, actor.user_id, now
        opened += 1
    hospitals = set(session.exec(select(Contract.hospital_org_id).where(Contract.batch_id == batch.id)).all())
    notify(session, hospitals, Role.HOSPITAL_BUYER, "volumes_to_confirm", batch.code,
           N_("Please confirm your agreed volumes for contract year %(year)s: %(batch)s", year=year_no,
              batch=batch.name), now)
    audit.record(session, actor.audit(), "volumes.open", "batch", code, {"year": year_no, "rows": opened}, at=now)
    session.commit()
    return Outcome(opened)


def _own_open_row(session: Session, actor: Actor, year_id: int) -> ContractYear:
    """A hospital's own contract year under re-confirmation, locked (others: not found)."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital buyers only")
    row = lock_for_update(session, ContractYear, year_id)
    contract = session.get(Contract, row.contract_id) if row is not None else None
    if contract is None or contract.hospital_org_id != actor.org_id:
        raise Forbidden("no such contract year")
    return row


def answer_year(session: Session, actor: Actor, year_id: int, volume: int | None, reason: str,
                now: datetime) -> Outcome[ContractYear]:
    """The hospital confirms the bureau's proposal (``volume`` None or equal to it) or proposes
    another volume, not below the floor, with a reason. It may change its answer until approved."""
    row = _own_open_row(session, actor, year_id)
    reason = reason.strip()
    if row.status not in OPEN:
        raise VolumeRefused(N_("This year's volume is not open for confirmation."))
    wanted = row.proposed_volume if volume is None else volume
    if wanted < row.floor_volume:
        raise VolumeRefused(N_("The volume %(volume)s is below the floor %(floor)s.", volume=wanted,
                               floor=row.floor_volume))
    status = CONFIRMED if wanted == row.proposed_volume else CHANGE_PROPOSED
    if status == CHANGE_PROPOSED and not reason:
        raise VolumeRefused(N_("A proposed change needs a reason."))
    if (row.status, row.hospital_volume, row.hospital_reason) == (status, wanted, reason if status == CHANGE_PROPOSED else ""):
        session.commit()  # nothing written: end the locking transaction
        return Outcome(row, repeated=True)
    row.status, row.hospital_volume = status, wanted
    row.hospital_reason = reason if status == CHANGE_PROPOSED else ""
    row.answered_by, row.answered_at = actor.user_id, now
    audit.record(session, actor.audit(), "volumes.answer", "contract_year", str(row.id),
                 {"year": row.year_no, "volume": wanted, "status": status, "reason": row.hospital_reason}, at=now)
    session.commit()
    return Outcome(row)


def confirm_all(session: Session, actor: Actor, code: str, year_no: int, now: datetime) -> int:
    """The hospital confirms the proposal of every one of its rows of ``year_no`` not answered yet."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital buyers only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    ids = session.exec(select(ContractYear.id).join(Contract, ContractYear.contract_id == Contract.id).where(
        ContractYear.batch_id == batch.id, ContractYear.year_no == year_no, ContractYear.status == TO_CONFIRM,
        Contract.hospital_org_id == actor.org_id).order_by(ContractYear.id)).all()
    session.commit()
    return sum(not answer_year(session, actor, year_id, None, "", now).repeated for year_id in ids)


def approve_year(session: Session, actor: Actor, code: str, year_no: int, now: datetime,
                 include_unanswered: bool = False) -> Outcome[int]:
    """Agree year ``year_no`` for every answered row (and, if asked, the bureau's proposal for
    rows not answered); the hospitals are told. Answers how many rows it agreed."""
    batch = _officer_batch(session, actor, code)
    wanted = (*ANSWERED, TO_CONFIRM) if include_unanswered else ANSWERED
    rows = [r for r in _years(session, batch, year_no) if r.status in wanted]
    if not rows:
        if any(r.status == AGREED and r.approved_at is not None for r in _years(session, batch, year_no)):
            session.commit()  # nothing written: end the locking transaction
            return Outcome(0, repeated=True)
        raise VolumeRefused(N_("No answered volume of year %(year)s awaits approval.", year=year_no))
    hospitals = set()
    for row in rows:
        row.agreed_volume = row.hospital_volume if row.hospital_volume is not None else row.proposed_volume
        row.status, row.approved_by, row.approved_at = AGREED, actor.user_id, now
        hospitals.add(session.get(Contract, row.contract_id).hospital_org_id)
    notify(session, hospitals, Role.HOSPITAL_BUYER, "volumes_agreed", batch.code,
           N_("Agreed volumes for contract year %(year)s were approved: %(batch)s", year=year_no, batch=batch.name), now)
    audit.record(session, actor.audit(), "volumes.approve", "batch", code,
                 {"year": year_no, "rows": len(rows), "unanswered": include_unanswered}, at=now)
    session.commit()
    return Outcome(len(rows))
