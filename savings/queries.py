"""Read models of retained savings (no writes), scoped to the actor: the batches to assess, a
batch's hospitals with their estimate and stored version, one hospital's breakdown with its
versions and objections, and a hospital's own estimates for its dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

import savings.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.scoping import scope
from procurement.lifecycle import BatchStatus, Procedure
from procurement.models import Batch
from savings.assessment import Assessment
from savings.decisions import estimates, latest_points, source_ref, state
from savings.models import SavingsAssessment, SavingsObjection, SavingsPoints
from savings.payment import payment_state, payments_of
from savings.record import breakdown, live
from savings.settings import SavingsSettings
from savings.store import settings_for
from settlement.models import FundPayment

SHOWN = (BatchStatus.EXECUTION, BatchStatus.CLOSED)


@dataclass(frozen=True)
class HospitalRow:
    """One hospital of a batch: the estimate from today's data and its newest stored version."""

    code: str
    name: str
    estimate: Assessment
    version: SavingsAssessment | None
    state: str  # "estimate" when nothing is stored, else ``decisions.state`` (or its payment's state)
    payment: FundPayment | None = None  # mode instruction: the open fund payment of the version

    @property
    def score(self):
        """The stored score (text), else the estimate's."""
        return self.version.score if self.version else str(self.estimate.score)

    @property
    def retained_fen(self) -> int:
        """The stored kept amount, else the estimate's."""
        return self.version.retained_fen if self.version else self.estimate.retained_fen

    @property
    def rate(self) -> str:
        """The stored tier rate, else the estimate's."""
        return self.version.rate if self.version else str(self.estimate.rate)


def savings_batches(session: Session, actor: Actor) -> list[Batch]:
    """Batches in execution or closed that the actor may see, newest first (not the containers of
    direct settlement: they have no contracts to save on)."""
    return list(session.exec(scope(select(Batch).where(Batch.status.in_([str(s) for s in SHOWN]),
                                                       Batch.procedure != Procedure.DIRECT), actor, Batch)
                             .order_by(Batch.id.desc())).all())


def _versions(session: Session, actor: Actor, batch_id: int, org_id: int | None = None) -> list[SavingsAssessment]:
    """The batch's stored versions the actor may see (one hospital's if given), oldest first."""
    stmt = select(SavingsAssessment).where(SavingsAssessment.batch_id == batch_id)
    if org_id is not None:
        stmt = stmt.where(SavingsAssessment.hospital_org_id == org_id)
    return list(session.exec(scope(stmt, actor, SavingsAssessment).order_by(SavingsAssessment.version)).all())


def _open_objections(session: Session, ids: list[int]) -> set[int]:
    """Versions among ``ids`` with an open objection."""
    if not ids:
        return set()
    return set(session.exec(select(SavingsObjection.assessment_id).where(
        SavingsObjection.assessment_id.in_(ids), SavingsObjection.status == "open")).all())


def batch_rows(session: Session, actor: Actor, batch: Batch, now: datetime,
               periods: dict | None = None) -> list[HospitalRow]:
    """Every hospital of the batch the actor may see, by code (``periods``: see ``figures.hospital_figures``)."""
    found = estimates(session, actor, batch, now, periods)
    orgs = {o.code: o for o in session.exec(select(Organisation).where(Organisation.code.in_(list(found)))).all()} \
        if found else {}
    newest = {a.hospital_org_id: a for a in _versions(session, actor, batch.id)}
    objected = _open_objections(session, [a.id for a in newest.values()])
    payments = payments_of(session, batch)
    rows = []
    for code, est in sorted(found.items()):
        org = orgs[code]
        v = newest.get(org.id)
        shown = state(v, v.id in objected, now) if v else "estimate"
        paying = payments.get(source_ref(v)) if v else None
        if shown == "payable" and paying is not None:
            shown = payment_state(session, paying)
        rows.append(HospitalRow(code, org.name, est, v, shown, paying))
    return rows


@dataclass(frozen=True)
class HospitalView:
    """One hospital's retained savings of a batch, as its page shows them."""

    hospital: Organisation
    row: HospitalRow
    shown: dict  # the breakdown shown: the newest stored version's inputs, else the estimate's
    versions: list[SavingsAssessment]
    objections: list[SavingsObjection]
    points: SavingsPoints | None  # the newest points entry (officers only)
    settings: SavingsSettings
    names: dict[int, str]  # user id → display name, for who did what


def hospital_view(session: Session, actor: Actor, batch: Batch, hospital_code: str, now: datetime) -> HospitalView | None:
    """The hospital's page data (None: not a hospital of the batch within the actor's scope)."""
    row = next((r for r in batch_rows(session, actor, batch, now) if r.code == hospital_code), None)
    if row is None:
        return None
    org = session.exec(select(Organisation).where(Organisation.code == hospital_code)).one()
    versions = _versions(session, actor, batch.id, org.id)
    objections = list(session.exec(scope(select(SavingsObjection).where(
        SavingsObjection.assessment_id.in_([v.id for v in versions] or [0])), actor, SavingsObjection)
        .order_by(SavingsObjection.id)).all())
    points = latest_points(session, batch.id).get(org.id) if actor.is_bureau else None
    settings = settings_for(session, batch)

    shown = breakdown(row.version.inputs_json) if row.version else live(row.estimate, settings)
    users = {v.proposed_by for v in versions} | {v.decided_by for v in versions} | {v.credited_by for v in versions} \
        | {o.answered_by for o in objections} | ({points.entered_by} if points else set())
    names = {u.id: u.display_name for u in session.exec(select(User).where(
        User.id.in_([u for u in users if u is not None] or [0]))).all()}
    return HospitalView(org, row, shown, versions, objections, points, settings, names)


def own_estimates(session: Session, actor: Actor, now: datetime) -> list[tuple[Batch, HospitalRow, dict]]:
    """A hospital's retained-savings estimate per batch in execution (its dashboard), with the breakdown."""

    out, periods = [], {}  # the order figures of a period read once for all batches
    for batch in savings_batches(session, actor):
        settings = settings_for(session, batch)
        for row in batch_rows(session, actor, batch, now, periods):
            shown = breakdown(row.version.inputs_json) if row.version else live(row.estimate, settings)
            out.append((batch, row, shown))
    return out
