"""Supply problems: a hospital reports one on its contract, the supplier answers within the
batch's answer time (a later answer is marked late), the officer escalates: reminder →
interview (约谈) → written warning, each recorded once and in that order.

Each use case is one transaction (it commits), audited, and notifies the next party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

import supply.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.clock import local_day
from core.db import lock_for_update
from core.i18n import N_
from notices.services import notify
from procurement.models import Batch
from procurement.rules import parse_rules
from review.models import Contract
from supply.errors import SupplyError
from supply.models import Escalation, ProblemKind, SupplyProblem
from supply.notices import bureau_ids

MAX_TEXT = 4000
MAX_EVIDENCE = 5 * 1024 * 1024
STEPS = ("reminder", "interview", "warning")  # the escalation, in order
STEP_NAMES = {"reminder": N_("reminder"), "interview": N_("interview"), "warning": N_("written warning")}


@dataclass(frozen=True)
class ProblemInput:
    """What the hospital reports (typed; checked by :func:`report_problem`)."""

    contract_id: int
    kind: str
    due_on: date
    description: str
    ordered_qty: int | None = None
    received_qty: int | None = None
    evidence: tuple[str, bytes] | None = None


def _text(value: str, what) -> str:
    """A required text of at most :data:`MAX_TEXT` characters."""
    value = (value or "").strip()
    if not value:
        raise SupplyError(N_("Please fill in %(what)s.", what=what))
    if len(value) > MAX_TEXT:
        raise SupplyError(N_("%(what)s is longer than %(n)s characters.", what=what, n=MAX_TEXT))
    return value


def _evidence(evidence: tuple[str, bytes] | None) -> tuple[str | None, bytes | None]:
    """An attachment within the size limit (or none)."""
    if not evidence or not evidence[1]:
        return None, None
    name, content = evidence
    if len(content) > MAX_EVIDENCE:
        raise SupplyError(N_("The attachment is larger than 5 MB."))
    return (name or "evidence")[:200], content


def _check_quantities(inp: ProblemInput) -> None:
    """Quantities are whole and not negative; a short delivery names both, received below ordered."""
    for qty in (inp.ordered_qty, inp.received_qty):
        if qty is not None and (not isinstance(qty, int) or qty < 0):
            raise SupplyError(N_("Quantities must be whole numbers, zero or more."))
    if inp.kind == ProblemKind.SHORT:
        if inp.ordered_qty is None or inp.received_qty is None:
            raise SupplyError(N_("A short delivery needs the quantity ordered and the quantity received."))
        if inp.received_qty >= inp.ordered_qty:
            raise SupplyError(N_("A short delivery received less than was ordered."))


def report_problem(session: Session, actor: Actor, inp: ProblemInput, now: datetime) -> SupplyProblem:
    """A hospital reports a supply problem on its signed contract; the supplier has the batch's
    answer time to answer it."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital buyers only")
    contract = session.exec(scope(select(Contract).where(Contract.id == inp.contract_id), actor, Contract)).first()
    if contract is None:
        raise Forbidden("no such contract")
    if contract.status != "signed":
        raise SupplyError(N_("Only a signed contract can have a supply problem reported."))
    if inp.kind not in ProblemKind.ALL:
        raise SupplyError(N_("Choose what went wrong."))
    if not contract.period_start <= inp.due_on <= min(contract.period_end, local_day(now)):
        raise SupplyError(N_("The date must lie within the contract period and not after today."))
    _check_quantities(inp)
    description = _text(inp.description, N_("the description"))
    name, content = _evidence(inp.evidence)
    batch = session.get(Batch, contract.batch_id)
    hours = parse_rules(batch.rules_json).supply_answer_hours
    problem = SupplyProblem(contract_id=contract.id, batch_id=contract.batch_id, hospital_org_id=contract.hospital_org_id,
                            supplier_org_id=contract.supplier_org_id, kind=inp.kind, due_on=inp.due_on,
                            ordered_qty=inp.ordered_qty, received_qty=inp.received_qty, description=description,
                            evidence_name=name, evidence=content, reported_by=actor.user_id, reported_at=now,
                            answer_due_at=now + timedelta(hours=hours))
    session.add(problem)
    session.flush()
    notify(session, {contract.supplier_org_id}, Role.SUPPLIER_REP, "supply_problem", batch.code,
           N_("A hospital reported a supply problem on contract %(code)s; answer within %(hours)s hours "
              "(problem %(id)s)", code=contract.code, hours=hours, id=problem.id), now)
    notify(session, bureau_ids(session, batch.region_code), Role.PRICE_OFFICER, "supply_problem", batch.code,
           N_("Supply problem %(id)s reported on contract %(code)s", id=problem.id, code=contract.code), now)
    audit.record(session, actor.audit(), "supply.problem_report", "contract", contract.code,
                 {"problem": problem.id, "kind": inp.kind, "due_on": inp.due_on.isoformat()}, at=now)
    session.commit()
    return problem


def _visible_problem(session: Session, actor: Actor, problem_id: int) -> SupplyProblem:
    """A problem in the actor's scope, locked; Forbidden when unknown or foreign."""
    found = session.exec(scope(select(SupplyProblem.id).where(SupplyProblem.id == problem_id),
                               actor, SupplyProblem)).first()
    if found is None:
        raise Forbidden("no such problem")
    return lock_for_update(session, SupplyProblem, problem_id)


def answer_problem(session: Session, actor: Actor, problem_id: int, answer: str, recovery_on: date | None,
                   now: datetime) -> SupplyProblem:
    """The supplier answers (once), optionally proposing a recovery date; after the answer time
    the answer is recorded as late."""
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier reps only")
    problem = _visible_problem(session, actor, problem_id)
    if problem.answered_at is not None:
        raise SupplyError(N_("This problem has been answered already."))
    text = _text(answer, N_("the answer"))
    if recovery_on is not None and recovery_on < local_day(now):
        raise SupplyError(N_("The recovery date cannot be in the past."))
    problem.answer, problem.recovery_on, problem.answered_by, problem.answered_at = text, recovery_on, actor.user_id, now
    problem.answered_late = now > problem.answer_due_at
    batch = session.get(Batch, problem.batch_id)
    message = (N_("The supplier answered supply problem %(id)s late", id=problem.id) if problem.answered_late
               else N_("The supplier answered supply problem %(id)s", id=problem.id))
    notify(session, {problem.hospital_org_id}, Role.HOSPITAL_BUYER, "supply_answer", batch.code, message, now)
    notify(session, bureau_ids(session, batch.region_code), Role.PRICE_OFFICER, "supply_answer", batch.code, message, now)
    audit.record(session, actor.audit(), "supply.problem_answer", "supply_problem", str(problem.id),
                 {"late": problem.answered_late, "recovery_on": recovery_on.isoformat() if recovery_on else None}, at=now)
    session.commit()
    return problem


def escalations_of(session: Session, problem_id: int) -> list[Escalation]:
    """A problem's escalation steps, in order."""
    return list(session.exec(select(Escalation).where(Escalation.problem_id == problem_id)
                             .order_by(Escalation.id)).all())


def next_step(session: Session, problem: SupplyProblem) -> str | None:
    """The escalation step that may be recorded next (None after the written warning)."""
    done = {e.step for e in escalations_of(session, problem.id)}
    return next((s for s in STEPS if s not in done), None)


def escalate(session: Session, actor: Actor, problem_id: int, step: str, note: str, now: datetime) -> Escalation:
    """The officer records the next escalation step with what was said or written."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    problem = _visible_problem(session, actor, problem_id)
    expected = next_step(session, problem)
    if step not in STEPS:
        raise SupplyError(N_("Choose an escalation step."))
    if expected is None or step != expected:
        raise SupplyError(N_("Escalation goes reminder, interview, written warning, each once: the next step is "
                             "%(step)s.", step=STEP_NAMES.get(expected, "—")))
    row = Escalation(problem_id=problem.id, supplier_org_id=problem.supplier_org_id, step=step,
                     note=_text(note, N_("the note")), recorded_by=actor.user_id, recorded_at=now)
    session.add(row)
    batch = session.get(Batch, problem.batch_id)
    texts = {"reminder": N_("Reminder on supply problem %(id)s: please deliver as contracted", id=problem.id),
             "interview": N_("You are summoned to an interview (约谈) on supply problem %(id)s", id=problem.id),
             "warning": N_("Written warning on supply problem %(id)s", id=problem.id)}
    notify(session, {problem.supplier_org_id}, Role.SUPPLIER_REP, f"supply_{step}", batch.code, texts[step], now)
    audit.record(session, actor.audit(), f"supply.escalate_{step}", "supply_problem", str(problem.id),
                 {"note": row.note[:200]}, at=now)
    session.commit()
    return row
