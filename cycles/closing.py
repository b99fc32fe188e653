"""Closing a cycle (结算清算、批次结束): what must be done before a batch in execution may close.

:func:`open_items` lists what is still open, one :class:`OpenItem` per line, from one function
per check (each reads state, writes nothing):

* :func:`unsettled_months` — months of the cycle with accepted lines no run has settled;
* :func:`unpaid_runs` — runs awaiting approval or their bank files, payments awaiting the bank's
  answer, failed payments not re-issued;
* :func:`open_clawbacks` — returns after settlement neither netted by a run nor refunded;
* :func:`undecided_savings` — retained savings not yet decided;
* :func:`open_prepayments` — advances not paid, or not offset or recovered.

The ``close`` step of the lifecycle is guarded by it (registered here): closing is refused
while anything is open, and the refusal says how many and what; the batch page lists the items
with links. Closing itself is the lifecycle's ``close`` (``procurement.services.transition_batch``:
who and when in ``BatchTransition``, an audit entry, status ``closed``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.models import Organisation
from core.i18n import N_, Msg
from core.money import format_yuan
from procurement.lifecycle import GuardContext, register_guard
from procurement.models import Batch
from savings.decisions import undecided
from settlement.models import (
    Acceptance,
    ClawbackRefund,
    DeliveryReturn,
    PaymentInstruction,
    SettlementRun,
)
from settlement.money.data import InstructionStatus
from settlement.payments.advances import advance_states
from settlement.runs.claims import settled


@dataclass(frozen=True)
class OpenItem:
    """One thing still open: its kind (where the page links: ``month``, ``run``, ``payment``,
    ``clawback``, ``savings``, ``prepayment``), the sentence saying it, and the run it is about."""

    kind: str
    text: Msg
    run_id: int | None = None

    def __str__(self) -> str:
        return str(self.text)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    """Organisation names by id."""
    if not ids:
        return {}
    return dict(session.exec(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def unsettled_months(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Each month with accepted lines (something still payable) that no run settled: applied or
    not, reconciled or not — summed per day of acceptance in SQL, folded into months here."""
    rows = session.exec(select(Acceptance.accepted_on, func.count())
                        .where(Acceptance.batch_id == batch.id, Acceptance.quantity > Acceptance.returned,
                               ~settled())
                        .group_by(Acceptance.accepted_on)).all()
    months: dict[str, int] = defaultdict(int)
    for day, n in rows:
        months[_month(day)] += int(n)
    return [OpenItem("month", N_("%(month)s is not settled: %(n)s accepted line(s) await settlement", month=m,
                                 n=n)) for m, n in sorted(months.items())]


def _month(day: date) -> str:
    """``2026-10`` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def unpaid_runs(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Runs (of any kind) not yet approved or released, payments the bank has not answered, and
    failed payments not re-issued."""
    out = []
    for run in session.exec(select(SettlementRun).where(SettlementRun.batch_id == batch.id,
                                                        SettlementRun.status.in_(("computed", "approved")))
                            .order_by(SettlementRun.id)).all():
        text = (N_("Run %(run)s awaits approval by a second officer", run=run.run_ref) if run.status == "computed"
                else N_("Run %(run)s is approved but its bank files are not released", run=run.run_ref))
        out.append(OpenItem("run", text, run.id))
    rows = session.exec(select(SettlementRun.id, SettlementRun.run_ref, func.count(), func.sum(PaymentInstruction.amount_fen))
                        .join(PaymentInstruction, PaymentInstruction.run_id == SettlementRun.id)
                        .where(SettlementRun.batch_id == batch.id, SettlementRun.status == "released",
                               PaymentInstruction.status == InstructionStatus.ISSUED)
                        .group_by(SettlementRun.id, SettlementRun.run_ref).order_by(SettlementRun.id)).all()
    for run_id, ref, n, total in rows:
        out.append(OpenItem("run", N_("Run %(run)s: %(n)s payment(s) (%(amount)s) await the bank's answer", run=ref,
                                      n=int(n), amount=format_yuan(int(total))), run_id))
    for inst in session.exec(select(PaymentInstruction).where(PaymentInstruction.batch_id == batch.id,
                                                              PaymentInstruction.status == InstructionStatus.FAILED)
                             .order_by(PaymentInstruction.id)).all():
        out.append(OpenItem("payment", N_("Payment %(ref)s to %(payee)s (%(amount)s) failed and is not re-issued",
                                          ref=inst.reference, payee=inst.payee_name,
                                          amount=format_yuan(inst.amount_fen)), inst.run_id))
    return out


def open_clawbacks(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Clawbacks (returns after settlement) that no run netted and no refund brought back, per
    hospital × supplier: waiting to be asked back, or asked back and not yet received."""
    rows = session.exec(select(Acceptance.hospital_org_id, Acceptance.supplier_org_id, ClawbackRefund.status,
                               func.sum(DeliveryReturn.clawback_fen))
                        .join(Acceptance, Acceptance.id == DeliveryReturn.acceptance_id)
                        .outerjoin(ClawbackRefund, ClawbackRefund.id == DeliveryReturn.refund_id)
                        .where(Acceptance.batch_id == batch.id, DeliveryReturn.clawback_fen > 0,
                               DeliveryReturn.clawback_run_id.is_(None))
                        .group_by(Acceptance.hospital_org_id, Acceptance.supplier_org_id, ClawbackRefund.status)
                        .order_by(Acceptance.hospital_org_id, Acceptance.supplier_org_id)).all()
    names = _names(session, {h for h, *_r in rows} | {s for _h, s, *_r in rows})
    out = []
    for hospital, supplier, status, total in rows:
        if status == "received":
            continue
        params = dict(hospital=names[hospital], supplier=names[supplier], amount=format_yuan(int(total)))
        out.append(OpenItem("clawback", N_("Clawback of %(amount)s (%(hospital)s × %(supplier)s) is asked back but "
                                           "not yet received", **params) if status else
                            N_("Clawback of %(amount)s (%(hospital)s × %(supplier)s) is neither netted nor asked "
                               "back", **params)))
    return out


def undecided_savings(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Retained savings (结余留用) not yet decided, one item per hospital: no approved version yet,
    or one still in its objection period or with an open objection (``savings.decisions.undecided``)."""
    return [OpenItem("savings", N_("Retained savings of %(hospital)s are not decided yet", hospital=code))
            for code in undecided(session, batch.id, now)]


def open_prepayments(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Advances not paid to the hospital yet, and advances with a balance that neither runs
    offset nor a recovery brought back."""
    out = []
    for state in advance_states(session, batch.id):
        name = state.hospital.name
        if state.status != "paid":
            out.append(OpenItem("prepayment", N_("The advance of %(hospital)s (%(amount)s) is not paid: %(status)s",
                                                 hospital=name, amount=format_yuan(state.entry.amount_fen),
                                                 status=ADVANCE_STATUS[state.status])))
        if state.balance_fen:
            out.append(OpenItem("prepayment", N_("The advance of %(hospital)s has %(amount)s neither offset nor "
                                                 "recovered", hospital=name, amount=format_yuan(state.balance_fen))))
    return out


#: the payment states of an advance, as the items say them
ADVANCE_STATUS = {"unpaid": N_("no payment proposed"), "proposed": N_("awaiting a second officer's approval"),
                  "instructed": N_("awaiting the bank"), "failed": N_("the payment failed"), "paid": N_("paid")}

#: the checks, in the order the list shows them
CHECKS = (unsettled_months, unpaid_runs, open_clawbacks, undecided_savings, open_prepayments)


def open_items(session: Session, batch: Batch, now: datetime) -> list[OpenItem]:
    """Everything still open before the batch's cycle may close (empty: it may)."""
    return [item for check in CHECKS for item in check(session, batch, now)]


def _nothing_open(ctx: GuardContext) -> Msg | None:
    """The ``close`` guard: refused while anything is open, saying how many and what."""
    items = open_items(ctx.session, ctx.batch, ctx.now)
    if not items:
        return None
    return N_("The cycle cannot be closed: %(n)s item(s) are still open — %(items)s", n=len(items),
              items="; ".join(str(i) for i in items))


register_guard("close", _nothing_open)
