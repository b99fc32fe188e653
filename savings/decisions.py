"""The retained-savings decision of a batch cycle (结余留用), one transaction per step.

* ``enter_points`` — an officer's points for a hospital, with the reason (every entry kept);
* ``propose`` — after the cycle's end a settlement officer assesses every hospital of the batch
  from the platform's data and its points: version 1 (or the next after a send-back), ``proposed``;
* ``approve`` / ``send_back`` — a **second** officer (never the proposer) approves every proposed
  version of the batch — each hospital's objection period starts — or sends them back with a reason;
* ``lodge_objection`` — the hospital objects within the period, with its reason (one open at a time);
* ``answer_objection`` — an officer upholds it (a new version with the answer as its reason and
  the points it sets, proposed for a second officer's approval) or dismisses it;
* ``revise`` — any change after approval is a new version with a reason, approved again;
* ``credit`` — after the period, with no open objection, the approved amounts are payable; in the
  mode "credited in the next fund settlement" the officer marks them credited (who, when).

Every step is audited and told through ``notices.services.notify``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

import savings.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from core.formats import yuan
from core.i18n import N_
from notices.services import notify
from procurement.models import Batch
from procurement.queries import find_batch
from review.models import Contract
from savings.assessment import Assessment, HospitalFigures, assess
from savings.errors import SavingsError
from savings.figures import hospital_figures
from savings.models import SavingsAssessment, SavingsObjection, SavingsPoints
from savings.record import snapshot
from savings.store import officer_batch, settings_for
from settlement.payments.fund import open_fund_payment
from settlement.runs.calendar import fund_org_ids, local_date

CURRENT = ("proposed", "approved")
MAX_TEXT = 2000


def _text(value: str, what: str) -> str:
    """A required reason, trimmed and bounded."""
    text = (value or "").strip()
    if not text:
        raise SavingsError(N_("Please give the reason (%(what)s).", what=what))
    if len(text) > MAX_TEXT:
        raise SavingsError(N_("The text is longer than %(n)s characters.", n=MAX_TEXT))
    return text


def _hospital(session: Session, code: str) -> Organisation:
    """A hospital by code (Forbidden when unknown: it is outside every scope)."""
    org = session.exec(select(Organisation).where(Organisation.code == code, Organisation.kind == "hospital")).first()
    if org is None:
        raise Forbidden("no such hospital")
    return org


def latest_points(session: Session, batch_id: int) -> dict[int, SavingsPoints]:
    """The newest points entry per hospital org id of the batch."""
    rows = session.exec(select(SavingsPoints).where(SavingsPoints.batch_id == batch_id)
                        .order_by(SavingsPoints.id)).all()
    return {p.hospital_org_id: p for p in rows}


def current_versions(session: Session, batch_id: int) -> dict[int, SavingsAssessment]:
    """The newest version per hospital org id of the batch (any status)."""
    rows = session.exec(select(SavingsAssessment).where(SavingsAssessment.batch_id == batch_id)
                        .order_by(SavingsAssessment.version)).all()
    return {a.hospital_org_id: a for a in rows}


def open_objection(session: Session, assessment_id: int) -> SavingsObjection | None:
    """The open objection of a version, if any."""
    return session.exec(select(SavingsObjection).where(SavingsObjection.assessment_id == assessment_id,
                                                       SavingsObjection.status == "open")).first()


def state(a: SavingsAssessment, objected: bool, now: datetime) -> str:
    """Where a version stands: proposed, objection_period, objected, payable, credited, rejected, superseded."""
    if a.status != "approved":
        return a.status
    if a.credited_at is not None:
        return "credited"
    if objected:
        return "objected"
    return "payable" if a.objection_due_at is not None and now >= a.objection_due_at else "objection_period"


def estimates(session: Session, actor: Actor, batch: Batch, now: datetime,
              periods: dict | None = None) -> dict[str, Assessment]:
    """Every hospital's assessment the actor may see, computed now from the data and the newest
    points (``periods``: see ``figures.hospital_figures``)."""
    settings = settings_for(session, batch)
    entries = latest_points(session, batch.id)
    codes = dict(session.exec(select(Organisation.id, Organisation.code)
                              .where(Organisation.id.in_(list(entries)))).all()) if entries else {}
    points = {codes[k]: p.points for k, p in entries.items()}
    return {code: assess(f, settings, _clamped(points.get(code, 0), settings.max_officer_points))
            for code, f in hospital_figures(session, actor, batch, now, periods).items()}


def _clamped(points: int, limit: int) -> int:
    """Points within ± the setting (a setting lowered after the entry)."""
    return max(-limit, min(limit, points))


def enter_points(session: Session, actor: Actor, code: str, hospital_code: str, points: int, reason: str,
                 now: datetime) -> SavingsPoints:
    """An officer's points for a hospital of the batch, with the reason."""
    batch = officer_batch(session, actor, code)
    hospital = _hospital(session, hospital_code)
    if hospital_code not in hospital_figures(session, actor, batch, now):
        raise Forbidden("no such hospital in the batch")
    limit = settings_for(session, batch).max_officer_points
    if abs(points) > limit:
        raise SavingsError(N_("Officer points must lie between −%(n)s and %(n)s.", n=limit))
    row = SavingsPoints(batch_id=batch.id, hospital_org_id=hospital.id, points=points,
                        reason=_text(reason, N_("officer points")), entered_by=actor.user_id, entered_at=now)
    session.add(row)
    audit.record(session, actor.audit(), "savings.points", "hospital", hospital_code,
                 {"batch": batch.code, "points": points, "reason": row.reason}, at=now)
    session.commit()
    return row


def _version(session: Session, actor: Actor, batch: Batch, hospital: Organisation, figures: HospitalFigures,
             version: int, points: int, points_reason: str, reason: str, now: datetime) -> SavingsAssessment:
    """A new proposed version of one hospital's assessment from its figures, with its inputs stored."""
    settings = settings_for(session, batch)
    result = assess(figures, settings, points)
    row = SavingsAssessment(batch_id=batch.id, hospital_org_id=hospital.id, version=version, status="proposed",
                            inputs_json=snapshot(figures, settings, result, points_reason), score=str(result.score),
                            rate=str(result.rate), base_fen=result.base_fen, retained_fen=result.retained_fen,
                            officer_points=points, points_reason=points_reason, reason=reason,
                            payment_mode=settings.payment_mode, proposed_by=actor.user_id, proposed_at=now)
    session.add(row)
    return row


def propose(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """Assess every hospital of the batch after its cycle's end; the number of versions proposed."""
    batch = officer_batch(session, actor, code)
    if batch.cycle_end is None or local_date(now) <= batch.cycle_end:
        raise SavingsError(N_("Retained savings are assessed after the cycle ends (%(day)s).",
                              day=str(batch.cycle_end or "")))
    advisory_xact_lock(session, f"savings:{batch.id}")
    current = current_versions(session, batch.id)
    if any(a.status in CURRENT for a in current.values()):
        raise SavingsError(N_("The batch's retained savings are already proposed; change a hospital's assessment "
                              "by a new version with a reason."))
    figures = hospital_figures(session, actor, batch, now)
    if not figures:
        raise SavingsError(N_("The batch has no signed contracts to assess."))
    points = latest_points(session, batch.id)
    limit = settings_for(session, batch).max_officer_points
    hospitals = {o.code: o for o in session.exec(select(Organisation).where(Organisation.code.in_(list(figures)))).all()}
    for hospital_code in figures:
        org = hospitals[hospital_code]
        entry = points.get(org.id)
        before = current.get(org.id)
        _version(session, actor, batch, org, figures[hospital_code], (before.version + 1) if before else 1,
                 _clamped(entry.points, limit) if entry else 0, entry.reason if entry else "", "", now)
    session.flush()
    notify(session, fund_org_ids(session, batch), Role.SETTLEMENT_OFFICER, "savings_proposed", batch.code,
           N_("Retained savings of %(batch)s await a second officer's approval", batch=batch.name), now)
    audit.record(session, actor.audit(), "savings.propose", "batch", batch.code, {"hospitals": len(figures)}, at=now)
    session.commit()
    return len(figures)


def _proposed(session: Session, batch: Batch, actor: Actor) -> list[SavingsAssessment]:
    """The batch's proposed versions, locked; refused when none, or when the actor proposed one."""
    rows = session.exec(select(SavingsAssessment).where(SavingsAssessment.batch_id == batch.id,
                                                        SavingsAssessment.status == "proposed")
                        .order_by(SavingsAssessment.id).with_for_update()).all()
    if not rows:
        raise SavingsError(N_("No retained savings of this batch await approval."))
    if any(a.proposed_by == actor.user_id for a in rows):
        raise SavingsError(N_("A second officer decides: you proposed these retained savings yourself."))
    return list(rows)


def approve(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """The second officer approves every proposed version; each hospital's objection period starts."""
    batch = officer_batch(session, actor, code)
    advisory_xact_lock(session, f"savings:{batch.id}")
    rows = _proposed(session, batch, actor)
    due = now + timedelta(days=settings_for(session, batch).objection_days)
    for a in rows:
        a.status, a.decided_by, a.decided_at, a.objection_due_at = "approved", actor.user_id, now, due
        session.add(a)
        notify(session, [a.hospital_org_id], Role.HOSPITAL_BUYER, "savings_approved", batch.code,
               N_("Your retained savings of %(batch)s: %(amount)s (score %(score)s); you may object until %(due)s",
                  batch=batch.name, amount=yuan(a.retained_fen), score=a.score, due=str(local_date(due))), now)
    audit.record(session, actor.audit(), "savings.approve", "batch", batch.code,
                 {"versions": [a.id for a in rows], "objection_due_at": due.isoformat(),
                  "retained_fen": sum(a.retained_fen for a in rows)}, at=now)
    session.commit()
    return len(rows)


def send_back(session: Session, actor: Actor, code: str, note: str, now: datetime) -> int:
    """The second officer sends the proposed versions back with a reason (they stay, rejected)."""
    batch = officer_batch(session, actor, code)
    reason = _text(note, N_("sending back"))
    advisory_xact_lock(session, f"savings:{batch.id}")
    rows = _proposed(session, batch, actor)
    for a in rows:
        a.status, a.decided_by, a.decided_at, a.decision_note = "rejected", actor.user_id, now, reason
        session.add(a)
    notify(session, fund_org_ids(session, batch), Role.SETTLEMENT_OFFICER, "savings_sent_back", batch.code,
           N_("Retained savings of %(batch)s were sent back: %(reason)s", batch=batch.name, reason=reason), now)
    audit.record(session, actor.audit(), "savings.send_back", "batch", batch.code,
                 {"versions": [a.id for a in rows], "reason": reason}, at=now)
    session.commit()
    return len(rows)


def _approved_of(session: Session, batch: Batch, org_id: int) -> SavingsAssessment:
    """The hospital's newest version, locked; refused unless it is approved."""
    current = current_versions(session, batch.id).get(org_id)
    if current is None or current.status != "approved":
        raise SavingsError(N_("This hospital's retained savings are not approved."))
    return lock_for_update(session, SavingsAssessment, current.id)


def lodge_objection(session: Session, actor: Actor, code: str, reason: str, now: datetime) -> SavingsObjection:
    """The hospital objects to its approved assessment within the objection period."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospitals only")
    batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden("no such batch")
    text = _text(reason, N_("objection"))
    advisory_xact_lock(session, f"savings:{batch.id}")
    a = _approved_of(session, batch, actor.org_id)
    if a.credited_at is not None or a.objection_due_at is None or now >= a.objection_due_at:
        raise SavingsError(N_("The objection period ended on %(due)s.", due=str(local_date(a.objection_due_at or now))))
    if open_objection(session, a.id) is not None:
        raise SavingsError(N_("Your objection awaits the officer's answer."))
    row = SavingsObjection(assessment_id=a.id, hospital_org_id=actor.org_id, reason=text, lodged_by=actor.user_id,
                           lodged_at=now)
    session.add(row)
    session.flush()
    notify(session, fund_org_ids(session, batch), Role.SETTLEMENT_OFFICER, "savings_objection", batch.code,
           N_("A hospital objects to its retained savings of %(batch)s", batch=batch.name), now)
    audit.record(session, actor.audit(), "savings.object", "assessment", a.id, {"objection": row.id}, at=now)
    session.commit()
    return row


def source_ref(a: SavingsAssessment) -> str:
    """The fund payment source of a version (mode instruction): a version is paid at most once."""
    return f"savings:{a.batch_id}:{a.hospital_org_id}:v{a.version}"


def _supersede(session: Session, actor: Actor, batch: Batch, old: SavingsAssessment, points: int, points_reason: str,
               reason: str, now: datetime) -> SavingsAssessment:
    """Replace an approved version by a new proposed one (the old one kept, superseded)."""
    limit = settings_for(session, batch).max_officer_points
    if abs(points) > limit:
        raise SavingsError(N_("Officer points must lie between −%(n)s and %(n)s.", n=limit))
    if old.credited_at is not None:
        raise SavingsError(N_("These retained savings were already credited; they are no longer changed."))
    if open_fund_payment(session, "savings", source_ref(old)) is not None:
        raise SavingsError(N_("A payment of these retained savings is under way; reject it before changing them."))
    org = session.get(Organisation, old.hospital_org_id)
    old.status, old.superseded_by, old.superseded_at = "superseded", actor.user_id, now
    session.add(old)
    session.flush()
    figures = hospital_figures(session, actor, batch, now)[org.code]
    new = _version(session, actor, batch, org, figures, old.version + 1, points, points_reason, reason, now)
    session.flush()
    notify(session, fund_org_ids(session, batch), Role.SETTLEMENT_OFFICER, "savings_proposed", batch.code,
           N_("Retained savings of %(batch)s await a second officer's approval", batch=batch.name), now)
    audit.record(session, actor.audit(), "savings.revise", "assessment", new.id,
                 {"hospital": org.code, "version": new.version, "replaces": old.id, "points": points,
                  "reason": reason, "retained_fen": new.retained_fen}, at=now)
    return new


def answer_objection(session: Session, actor: Actor, code: str, objection_id: int, uphold: bool, answer: str,
                     points: int | None, now: datetime) -> SavingsObjection:
    """Uphold (a new version with the answer as its reason and the points given) or dismiss."""
    batch = officer_batch(session, actor, code)
    text = _text(answer, N_("answer"))
    advisory_xact_lock(session, f"savings:{batch.id}")
    obj = lock_for_update(session, SavingsObjection, objection_id)
    a = session.get(SavingsAssessment, obj.assessment_id) if obj else None
    if obj is None or a is None or a.batch_id != batch.id:
        raise Forbidden("no such objection")
    if obj.status != "open":
        raise SavingsError(N_("This objection was already answered."))
    if uphold:
        _supersede(session, actor, batch, a, a.officer_points if points is None else points, text, text, now)
    obj.status, obj.answer, obj.answered_by, obj.answered_at = ("upheld" if uphold else "dismissed"), text, \
        actor.user_id, now
    session.add(obj)
    notify(session, [obj.hospital_org_id], Role.HOSPITAL_BUYER, "savings_objection_answered", batch.code,
           N_("Your objection to the retained savings of %(batch)s was answered: %(answer)s", batch=batch.name,
              answer=text), now)
    audit.record(session, actor.audit(), "savings.answer", "objection", obj.id,
                 {"upheld": uphold, "answer": text}, at=now)
    session.commit()
    return obj


def revise(session: Session, actor: Actor, code: str, hospital_code: str, points: int, reason: str,
           now: datetime) -> SavingsAssessment:
    """A change after approval: a new version with the reason, for a second officer's approval."""
    batch = officer_batch(session, actor, code)
    text = _text(reason, N_("new version"))
    advisory_xact_lock(session, f"savings:{batch.id}")
    old = _approved_of(session, batch, _hospital(session, hospital_code).id)
    new = _supersede(session, actor, batch, old, points, text, text, now)
    session.commit()
    return new


def payable(session: Session, batch: Batch, now: datetime) -> list[SavingsAssessment]:
    """Approved versions past their objection period with no open objection, not yet credited."""
    rows = session.exec(select(SavingsAssessment).where(
        SavingsAssessment.batch_id == batch.id, SavingsAssessment.status == "approved",
        SavingsAssessment.credited_at.is_(None), SavingsAssessment.objection_due_at <= now)
        .order_by(SavingsAssessment.id)).all()
    objected = _objected(session, [a.id for a in rows])
    return [a for a in rows if a.id not in objected]


def _objected(session: Session, ids: Iterable[int]) -> set[int]:
    """Which of the versions have an open objection."""
    ids = list(ids)
    if not ids:
        return set()
    return set(session.exec(select(SavingsObjection.assessment_id).where(
        SavingsObjection.assessment_id.in_(ids), SavingsObjection.status == "open")).all())


def credit(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """Mark the payable amounts credited in the next fund settlement (who, when); the number credited."""
    batch = officer_batch(session, actor, code)
    advisory_xact_lock(session, f"savings:{batch.id}")
    rows = [a for a in payable(session, batch, now) if a.retained_fen > 0]
    if any(a.payment_mode != "credited" for a in rows):
        raise SavingsError(N_("These retained savings are paid by payment instruction and bank file."))
    if not rows:
        raise SavingsError(N_("No approved retained savings are payable yet: each becomes payable after its "
                              "objection period, with every objection answered."))
    for a in rows:
        a.credited_by, a.credited_at = actor.user_id, now
        session.add(a)
        notify(session, [a.hospital_org_id], Role.HOSPITAL_BUYER, "savings_credited", batch.code,
               N_("Your retained savings of %(batch)s, %(amount)s, are credited in the next fund settlement",
                  batch=batch.name, amount=yuan(a.retained_fen)), now)
    audit.record(session, actor.audit(), "savings.credit", "batch", batch.code,
                 {"versions": [a.id for a in rows], "retained_fen": sum(a.retained_fen for a in rows)}, at=now)
    session.commit()
    return len(rows)


def undecided(session: Session, batch_id: int, now: datetime | None = None) -> list[str]:
    """Codes of the batch's hospitals (signed contracts) whose retained savings are not decided:
    no approved version, or one still within its objection period or with an open objection.
    ``now`` defaults to the project clock (the cycle-close check calls it without one)."""
    from core.clock import utcnow

    at = now or utcnow()
    codes = dict(session.exec(select(Organisation.id, Organisation.code).join(
        Contract, Contract.hospital_org_id == Organisation.id).where(
        Contract.batch_id == batch_id, Contract.status == "signed").distinct()).all())
    current = current_versions(session, batch_id)
    objected = _objected(session, [a.id for a in current.values()])
    decided = {org for org, a in current.items() if state(a, a.id in objected, at) in ("payable", "credited")}
    return sorted(code for org, code in codes.items() if org not in decided)


def version_count(session: Session, batch_id: int) -> int:
    """How many versions the batch has (any status)."""
    return session.exec(select(func.count()).select_from(SavingsAssessment)
                        .where(SavingsAssessment.batch_id == batch_id)).one()
