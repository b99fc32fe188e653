"""Payment-standard use cases: an officer derives the standards of a batch from its selected
prices (a proposal, with the rule settings and a reason); a second officer approves it or
rejects it with a reason (four-eyes). A change is a new version of the same batch, derived and
approved the same way; nothing is edited or deleted. Each use case is one transaction, audited,
and tells the other officers through the notice inbox."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

import paystd.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from core.i18n import N_
from notices.services import notify
from paystd.errors import StandardError
from paystd.models import StandardLine, StandardVersion
from paystd.rules import StandardRules
from procurement.models import Batch, BatchItem
from results.models import ResultVersion, ResultWinner
from review.models import Contract
from supply.notices import bureau_ids

MAX_TEXT = 2000


def _officer(actor: Actor) -> None:
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")


def _reason(text: str, what) -> str:
    text = (text or "").strip()
    if not text:
        raise StandardError(N_("Please fill in %(what)s.", what=what))
    if len(text) > MAX_TEXT:
        raise StandardError(N_("%(what)s is longer than %(n)s characters.", what=what, n=MAX_TEXT))
    return text


def selected_prices(session: Session, batch_id: int) -> list[tuple[int, int, int]]:
    """The batch's selected prices: (item id, supplier id, unit comparable price e4) of every
    winner — of a batch putting a published result into effect, the winners of its current result
    version (those without a supply city too); of a tendered batch, the winners with awarded
    contracts."""
    current = select(func.max(ResultVersion.id)).where(ResultVersion.batch_id == batch_id).scalar_subquery()
    rows = session.exec(select(BatchItem.item_id, ResultWinner.supplier_org_id, ResultWinner.ucp_e4)
                        .join(BatchItem, BatchItem.id == ResultWinner.batch_item_id)
                        .where(ResultWinner.version_id == current)).all()
    if not rows:
        rows = session.exec(select(BatchItem.item_id, Contract.supplier_org_id, func.max(Contract.ucp_e4))
                            .join(BatchItem, BatchItem.id == Contract.batch_item_id)
                            .where(Contract.batch_id == batch_id, Contract.origin == "award")
                            .group_by(BatchItem.item_id, Contract.supplier_org_id)).all()
    return sorted((int(i), int(s), int(p)) for i, s, p in rows)


def execution_start(session: Session, batch: Batch) -> date | None:
    """The batch's execution start: its cycle start, else its first contract's period start."""
    if batch.cycle_start is not None:
        return batch.cycle_start
    return session.exec(select(func.min(Contract.period_start)).where(Contract.batch_id == batch.id)).one()


def derive_lines(prices: list[tuple[int, int, int]], rules: StandardRules) -> list[StandardLine]:
    """The standards the rule gives (pure over the selected prices; lines without a version)."""
    by_item: dict[int, list[tuple[int, int]]] = {}
    for item_id, supplier_id, price in prices:
        by_item.setdefault(item_id, []).append((supplier_id, price))
    lines = []
    for item_id, winners in sorted(by_item.items()):
        low, high = min(p for _s, p in winners), max(p for _s, p in winners)
        if rules.basis == "highest":
            lines.append(StandardLine(item_id=item_id, standard_e4=high, selected_min_e4=low, selected_max_e4=high,
                                      winners=len(winners)))
        else:
            lines += [StandardLine(item_id=item_id, supplier_org_id=s, standard_e4=p, selected_min_e4=low,
                                   selected_max_e4=high, winners=len(winners)) for s, p in winners]
    return lines


def derive_standards(session: Session, actor: Actor, batch_code: str, rules: StandardRules, reason: str,
                     now: datetime) -> StandardVersion:
    """Propose the payment standards of a batch from its selected prices, effective from its
    execution start; a second price officer approves them."""
    _officer(actor)
    batch = session.exec(scope(select(Batch).where(Batch.code == batch_code), actor, Batch)).first()
    if batch is None:
        raise Forbidden("no such batch")
    reason = _reason(reason, N_("the reason"))
    advisory_xact_lock(session, f"paystd:{batch.id}")
    if session.exec(select(StandardVersion.id).where(StandardVersion.batch_id == batch.id,
                                                     StandardVersion.status == "proposed")).first() is not None:
        raise StandardError(N_("Payment standards of this batch already await approval: decide them first."))
    prices = selected_prices(session, batch.id)
    if not prices:
        raise StandardError(N_("Batch %(code)s has no selected prices yet (no awarded contracts): there is nothing "
                               "to derive.", code=batch.code))
    effective = execution_start(session, batch)
    version_no = session.exec(select(func.coalesce(func.max(StandardVersion.version), 0))
                              .where(StandardVersion.batch_id == batch.id)).one() + 1
    version = StandardVersion(region_code=batch.region_code, batch_id=batch.id, version=version_no,
                              rules_json=rules.to_json(), effective_on=effective, reason=reason,
                              proposed_by=actor.user_id, proposed_at=now)
    session.add(version)
    session.flush()
    lines = derive_lines(prices, rules)
    for line in lines:
        line.version_id = version.id
        session.add(line)
    notify(session, bureau_ids(session, batch.region_code), Role.PRICE_OFFICER, "paystd_proposed", batch.code,
           N_("Payment standards of %(code)s (version %(v)s) await a second officer's approval",
              code=batch.code, v=version_no), now)
    audit.record(session, actor.audit(), "paystd.propose", "batch", batch.code,
                 {"version": version_no, "rules": rules.model_dump(mode="json"), "lines": len(lines),
                  "effective_on": effective.isoformat()}, at=now)
    session.commit()
    return version


def decision_refusal(actor: Actor, version: StandardVersion) -> str | None:
    """Why the actor may not decide the version now (None: it may)."""
    if actor.role != Role.PRICE_OFFICER:
        return N_("Only price officers approve payment standards.")
    if version.status != "proposed":
        return N_("These payment standards have been decided.")
    if actor.user_id == version.proposed_by:
        return N_("Four-eyes: the officer who derived the standards may not approve them; another price officer "
                  "does.")
    return None


def decide_version(session: Session, actor: Actor, version_id: int, approve: bool, note: str,
                   now: datetime) -> StandardVersion:
    """A second price officer approves the proposed standards (they are then published, in force
    from their effective date) or rejects them with a reason."""
    _officer(actor)
    if session.exec(scope(select(StandardVersion.id).where(StandardVersion.id == version_id), actor,
                          StandardVersion)).first() is None:
        raise Forbidden("no such version")
    version = lock_for_update(session, StandardVersion, version_id)
    if (why := decision_refusal(actor, version)) is not None:
        raise StandardError(why)
    note = (note or "").strip()
    if not approve:
        note = _reason(note, N_("the reason for the rejection"))
    if len(note) > MAX_TEXT:
        raise StandardError(N_("%(what)s is longer than %(n)s characters.", what=N_("the note"), n=MAX_TEXT))
    version.status, version.decision_note = ("approved" if approve else "rejected"), note
    version.decided_by, version.decided_at = actor.user_id, now
    session.add(version)
    batch = session.get(Batch, version.batch_id)
    notify(session, bureau_ids(session, version.region_code), Role.PRICE_OFFICER, "paystd_decided", batch.code,
           N_("Payment standards of %(code)s (version %(v)s) were approved", code=batch.code, v=version.version)
           if approve else N_("Payment standards of %(code)s (version %(v)s) were rejected", code=batch.code,
                              v=version.version), now)
    audit.record(session, actor.audit(), "paystd.approve" if approve else "paystd.reject", "batch", batch.code,
                 {"version": version.version, "note": note[:200]}, at=now)
    session.commit()
    return version


def read_rules(basis: str, multiples: str, fund_pct: str) -> StandardRules:
    """The rule settings as a person types them: the multiples separated by commas (``2, 1.5``),
    the fund ratio in percent (``70``); refused with the setting named."""
    def number(text: str, what) -> Decimal:
        text = unicodedata.normalize("NFKC", text).strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or len(text) > 12:
            raise StandardError(N_("%(what)s: %(value)s is not a number.", what=what, value=text[:20]))
        return value

    parts = [p for p in unicodedata.normalize("NFKC", multiples or "").replace("，", ",").split(",") if p.strip()]
    values = tuple(number(p, N_("the transition multiples")) for p in parts)
    ratio = number(fund_pct or "", N_("the fund ratio")) / 100
    if not 0 <= ratio <= 1:
        raise StandardError(N_("The fund ratio lies between 0 and 100 per cent."))
    try:
        return StandardRules(basis=basis, multiples=values, fund_ratio=ratio)
    except ValidationError as exc:
        raise StandardError(N_("The transition multiples lie between 1 and 100, step down year by year, at most 10 "
                               "years (%(why)s).", why=exc.errors()[0]["msg"][:80])) from exc
