"""What the supply pages show (read only, scoped): a problem with its contract and
escalations, a takeover with its lines and what each contract delivered since, the choices of
the takeover form, and the contracts a hospital may report on."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.scoping import scope, within_region
from core.money import line_amount_fen
from procurement.models import Batch, BatchItem, Item, Region
from review.models import Contract
from settlement.models import (
    Acceptance,
    ClawbackRefund,
    Delivery,
    DifferenceCredit,
    PriceDifference,
    SettlementRun,
)
from supply.models import Escalation, SupplyProblem, Takeover, TakeoverLine
from supply.problems import escalations_of


def own_contract(session: Session, actor: Actor, contract_id: int) -> Contract | None:
    """A contract in the actor's scope (a hospital: its own), for the report form."""
    return session.exec(scope(select(Contract).where(Contract.id == contract_id), actor, Contract)).first()


@dataclass(frozen=True)
class ProblemView:
    """A problem with its context."""

    problem: SupplyProblem
    contract: Contract
    item: Item
    hospital: Organisation
    supplier: Organisation
    batch: Batch
    escalations: list[Escalation]
    takeovers: list[Takeover]


def problem_view(session: Session, actor: Actor, problem_id: int) -> ProblemView | None:
    """One problem in the actor's scope (None when unknown or foreign)."""
    problem = session.exec(scope(select(SupplyProblem).where(SupplyProblem.id == problem_id), actor,
                                 SupplyProblem)).first()
    if problem is None:
        return None
    contract = session.get(Contract, problem.contract_id)
    item = session.exec(select(Item).join(BatchItem, BatchItem.item_id == Item.id)
                        .where(BatchItem.id == contract.batch_item_id)).one()
    takeovers = list(session.exec(scope(select(Takeover).where(Takeover.problem_id == problem.id), actor,
                                        Takeover)).all())
    return ProblemView(problem, contract, item, session.get(Organisation, problem.hospital_org_id),
                       session.get(Organisation, problem.supplier_org_id), session.get(Batch, problem.batch_id),
                       escalations_of(session, problem.id), takeovers)


@dataclass(frozen=True)
class LineView:
    """A takeover line with its contracts, hospital and what the new contract delivered."""

    line: TakeoverLine
    hospital: Organisation
    old: Contract
    new: Contract | None
    accepted: int  # units accepted under the new contract (net of returns)
    charged: bool = False  # the takeover's price rule charges the difference to the failed winner

    @property
    def difference_fen(self) -> int:
        """What the failed winner owes for the units accepted so far: their amount at the contract
        (taker's) price − at the failed winner's price (settlement records it line by line)."""
        if not self.charged or self.line.contract_ucp_e4 <= self.line.failed_ucp_e4:
            return 0
        return line_amount_fen(self.accepted, self.line.contract_ucp_e4) - line_amount_fen(self.accepted,
                                                                                          self.line.failed_ucp_e4)


@dataclass
class TakeoverView:
    """A takeover with its item, suppliers, lines and people."""

    takeover: Takeover
    batch: Batch
    item: Item
    failed: Organisation
    taker: Organisation
    lines: list[LineView] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # user id → display name
    charges: list[PriceDifference] = field(default_factory=list)  # recorded by settlement runs
    credits: list[DifferenceCredit] = field(default_factory=list)  # given back for units returned after settlement
    runs: dict[int, str] = field(default_factory=dict)  # run id → reference
    refunds: dict[int, str] = field(default_factory=dict)  # refund id → reference

    @property
    def charged_fen(self) -> int:
        """The price differences settlement has recorded against the failed winner."""
        return sum(c.amount_fen for c in self.charges)

    @property
    def credited_fen(self) -> int:
        """Of those, what was given back to the failed winner for units returned after settlement."""
        return sum(c.amount_fen for c in self.credits)

    @property
    def net_charged_fen(self) -> int:
        """Charged less given back: once every line is settled, the difference of the units kept."""
        return self.charged_fen - self.credited_fen

    @property
    def collected_fen(self) -> int:
        """Of those, what a run has taken off the failed winner's payments."""
        return sum(c.amount_fen for c in self.charges if c.clawback_run_id is not None)

    @property
    def moved(self) -> int:
        """Units moved in all."""
        return sum(v.line.moved_volume for v in self.lines)

    @property
    def difference_fen(self) -> int:
        """The price difference charged to the failed winner so far."""
        return sum(v.difference_fen for v in self.lines)


def takeover_view(session: Session, actor: Actor, takeover_id: int) -> TakeoverView | None:
    """One takeover in the actor's scope (a hospital sees its own lines only)."""
    takeover = session.exec(scope(select(Takeover).where(Takeover.id == takeover_id), actor, Takeover)).first()
    if takeover is None:
        return None
    item = session.exec(select(Item).join(BatchItem, BatchItem.item_id == Item.id)
                        .where(BatchItem.id == takeover.batch_item_id)).one()
    view = TakeoverView(takeover, session.get(Batch, takeover.batch_id), item,
                        session.get(Organisation, takeover.failed_org_id), session.get(Organisation, takeover.taker_org_id))
    lines = session.exec(scope(select(TakeoverLine).where(TakeoverLine.takeover_id == takeover.id), actor,
                               TakeoverLine).order_by(TakeoverLine.id)).all()
    new_ids = [line.new_contract_id for line in lines if line.new_contract_id]
    accepted = dict(session.exec(select(Acceptance.contract_id, func.sum(Acceptance.quantity - Acceptance.returned))
                                 .where(Acceptance.contract_id.in_(new_ids)).group_by(Acceptance.contract_id)).all()) \
        if new_ids else {}
    for line in lines:
        new = session.get(Contract, line.new_contract_id) if line.new_contract_id else None
        view.lines.append(LineView(line, session.get(Organisation, line.hospital_org_id),
                                   session.get(Contract, line.old_contract_id), new,
                                   int(accepted.get(line.new_contract_id, 0)), takeover.price_rule == "failed_price"))
    line_ids = [line.id for line in lines]
    if line_ids:
        view.charges = list(session.exec(select(PriceDifference).where(PriceDifference.takeover_line_id.in_(line_ids))
                                         .order_by(PriceDifference.id)).all())
        charge_ids = [c.id for c in view.charges]
        view.credits = list(session.exec(select(DifferenceCredit).where(DifferenceCredit.difference_id.in_(charge_ids))
                                         .order_by(DifferenceCredit.id)).all()) if charge_ids else []
    run_ids = ({c.settled_run_id for c in view.charges} | {c.clawback_run_id for c in view.charges}
               | {c.clawback_run_id for c in view.credits})
    view.runs = dict(session.exec(select(SettlementRun.id, SettlementRun.run_ref)
                                  .where(SettlementRun.id.in_(run_ids - {None}))).all()) if view.charges else {}
    refund_ids = {c.refund_id for c in (*view.charges, *view.credits)} - {None}
    view.refunds = dict(session.exec(select(ClawbackRefund.id, ClawbackRefund.reference)
                                     .where(ClawbackRefund.id.in_(refund_ids))).all()) if refund_ids else {}
    people = {takeover.proposed_by, takeover.decided_by, takeover.restored_by} - {None}
    view.names = {u.id: u.display_name for u in session.exec(select(User).where(User.id.in_(people))).all()}
    return view


@dataclass(frozen=True)
class FormChoices:
    """What the takeover form offers: the batch's items, the suppliers holding contracts, and —
    once an item and a supplier are chosen — its cities with their hospitals."""

    items: list[Item]
    suppliers: list[Organisation]
    cities: list[tuple[Region | None, str, list[Organisation]]]  # region, its code, hospitals


def form_choices(session: Session, actor: Actor, batch: Batch, item_code: str | None,
                 supplier_code: str | None) -> FormChoices:
    """The choices of the takeover form of ``batch``, read through :func:`scope`: the suppliers
    holding contracts the officer may see, and the hospitals of those contracts inside the
    officer's region (the caller checked the batch's scope)."""
    items = list(session.exec(select(Item).join(BatchItem, BatchItem.item_id == Item.id)
                              .where(BatchItem.batch_id == batch.id).order_by(Item.code)).all())
    contracts = scope(select(Contract.supplier_org_id).where(Contract.batch_id == batch.id), actor, Contract)
    suppliers = list(session.exec(select(Organisation).where(Organisation.id.in_(contracts))
                                  .order_by(Organisation.code)).all())
    cities: dict[str, list[Organisation]] = {}
    if item_code and supplier_code:
        holders = select(Organisation.id).where(Organisation.code == supplier_code)
        served = scope(select(Contract.hospital_org_id).join(BatchItem, BatchItem.id == Contract.batch_item_id)
                       .join(Item, Item.id == BatchItem.item_id)
                       .where(Contract.batch_id == batch.id, Item.code == item_code, Contract.status == "signed",
                              Contract.supplier_org_id.in_(holders)), actor, Contract)
        rows = session.exec(select(Organisation).where(Organisation.id.in_(served),
                                                       within_region(Organisation.region_code, actor.region_code))
                            .order_by(Organisation.region_code, Organisation.code)).all()
        for hospital in rows:
            cities.setdefault(hospital.region_code[:4] + "00", []).append(hospital)
    regions = {r.code: r for r in session.exec(select(Region).where(Region.code.in_(list(cities)))).all()} if cities else {}
    return FormChoices(items, suppliers, [(regions.get(code), code, hs) for code, hs in sorted(cities.items())])


def delivered_under(session: Session, contract_ids: list[int]) -> dict[int, int]:
    """Units shipped per contract (deliveries recorded)."""
    if not contract_ids:
        return {}
    return {c: int(q) for c, q in session.exec(select(Delivery.contract_id, func.sum(Delivery.quantity))
                                               .where(Delivery.contract_id.in_(contract_ids))
                                               .group_by(Delivery.contract_id)).all()}


def taker_choices(session: Session, actor: Actor, batch: Batch, item_code: str, supplier_code: str) -> list:
    """The winners of the item (other than the failed one) the form offers as takers, best price
    first, with their capacity left (``planning.candidates``); the failed winner must hold a
    contract of the batch the officer may see."""
    from supply.planning import candidates

    row = session.exec(select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id)
                       .where(BatchItem.batch_id == batch.id, Item.code == item_code)).first()
    contract = session.exec(scope(select(Contract).join(Organisation, Organisation.id == Contract.supplier_org_id)
                                  .where(Contract.batch_id == batch.id, Organisation.code == supplier_code),
                                  actor, Contract)).first()
    if row is None or contract is None:
        return []
    return candidates(session, batch, row[0], row[1], session.get(Organisation, contract.supplier_org_id),
                      contract.evaluation_id)
