"""Four-eyes changes of an organisation's bank account.

An admin *requests* a change; a second admin of the region (never the requester) *confirms*
it, and only then is the organisation's account replaced. Until then every settlement run
and bank file keeps paying the confirmed account on the organisation row: the pending one is
never read outside this module. The organisation is told at each step (a notification to
all its users) and sees its pending and past changes on its account page; every step is
audited.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.errors import AccountError
from accounts.models import BankChangeRequest, Organisation
from accounts.roles import Role
from core import audit
from core.clock import utcnow
from core.regions import region_contains
from notices.services import notify  # the platform's one notice inbox


class ChangeStatus(StrEnum):
    """Where a bank-account change request stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def _mask(account: str | None) -> str:
    """An account number as shown in notices: its last four digits."""
    return f"****{account[-4:]}" if account else "—"


def _notify(session: Session, org_id: int, text: str) -> None:
    """Tell every user of the organisation (the caller commits)."""
    notify(session, [org_id], None, "bank_change", "", text, utcnow())


def _admin_org(session: Session, actor: Actor, org_id: int) -> Organisation:
    """The organisation, locked, when the actor is an admin whose region contains it."""
    if actor.role != Role.ADMIN:
        raise Forbidden("admin only")
    org = session.get(Organisation, org_id, with_for_update=True)
    if org is None or not region_contains(actor.region_code, org.region_code):
        raise AccountError("机构不存在 / no such organisation")
    return org


def request_bank_change(session: Session, actor: Actor, org_id: int, *, bank_name: str | None,
                        bank_cnaps: str, bank_account: str, reason: str = "") -> BankChangeRequest:
    """Ask for a new bank account; one pending request per organisation at a time."""
    org = _admin_org(session, actor, org_id)
    bank_cnaps, bank_account = (bank_cnaps or "").strip(), (bank_account or "").strip().replace(" ", "")
    if not (len(bank_cnaps) == 12 and bank_cnaps.isdigit()):
        raise AccountError("联行号须为 12 位数字 / CNAPS code must be 12 digits")
    if not bank_account or len(bank_account) > 40 or not bank_account.isdigit():
        raise AccountError("银行账号须为不超过 40 位的数字 / bank account must be up to 40 digits")
    if (bank_cnaps, bank_account, bank_name or None) == (org.bank_cnaps, org.bank_account, org.bank_name):
        raise AccountError("新账户与现账户相同 / the new account equals the current one")
    if pending_change(session, org.id) is not None:
        raise AccountError("该机构已有待确认的银行账户变更，请先确认或驳回 / this organisation already has a "
                           "pending bank account change: confirm or reject it first")
    change = BankChangeRequest(org_id=org.id, bank_name=(bank_name or "").strip() or None, bank_cnaps=bank_cnaps,
                               bank_account=bank_account, old_bank_name=org.bank_name,
                               old_bank_cnaps=org.bank_cnaps, old_bank_account=org.bank_account,
                               reason=(reason or "").strip()[:200], requested_by=actor.user_id,
                               requested_at=utcnow())
    session.add(change)
    session.flush()
    audit.record(session, actor.audit(), "org.bank_change.request", "organisation", org.code,
                 {"request": change.id, "cnaps": bank_cnaps, "account": bank_account,
                  "old_cnaps": org.bank_cnaps, "old_account": org.bank_account})
    _notify(session, org.id, f"管理员 {actor.username} 申请将本机构收款账户由 {_mask(org.bank_account)} 改为 "
                             f"{_mask(bank_account)}（{bank_cnaps}），须另一位管理员确认后生效。如非本机构申请，"
                             f"请立即联系医保局。 / A change of your bank account to {_mask(bank_account)} "
                             f"was requested; it takes effect once a second admin confirms it.")
    session.commit()
    return change


def pending_change(session: Session, org_id: int) -> BankChangeRequest | None:
    """The organisation's pending request, if any."""
    return session.exec(select(BankChangeRequest).where(BankChangeRequest.org_id == org_id,
                                                        BankChangeRequest.status == ChangeStatus.PENDING)).first()


def _decide(session: Session, actor: Actor, request_id: int, status: ChangeStatus, note: str) -> BankChangeRequest:
    """Confirm or reject a pending request (the shared checks and bookkeeping)."""
    change = session.get(BankChangeRequest, request_id, with_for_update=True, populate_existing=True)
    if change is None:
        raise AccountError("变更申请不存在 / no such change request")
    org = _admin_org(session, actor, change.org_id)
    if change.status != ChangeStatus.PENDING:
        raise AccountError(f"该申请已处理（{change.status}） / this request was already decided ({change.status})")
    if status == ChangeStatus.CONFIRMED and change.requested_by == actor.user_id:
        raise AccountError("申请人不能确认自己的申请，须另一位管理员确认 / the requester cannot confirm "
                           "their own request: a second admin must")
    change.status, change.decided_by, change.decided_at = status, actor.user_id, utcnow()
    change.decision_note = (note or "").strip()[:200]
    if status == ChangeStatus.CONFIRMED:
        org.bank_name, org.bank_cnaps, org.bank_account = change.bank_name, change.bank_cnaps, change.bank_account
        text = (f"本机构收款账户已变更为 {_mask(change.bank_account)}（{change.bank_cnaps}），此后的结算付至该账户。"
                f" / Your bank account is now {_mask(change.bank_account)}; later settlements pay it.")
    else:
        text = (f"本机构收款账户变更申请（{_mask(change.bank_account)}）已驳回，账户未变。"
                f" / The requested change of your bank account to {_mask(change.bank_account)} was rejected.")
    audit.record(session, actor.audit(), f"org.bank_change.{'confirm' if status == ChangeStatus.CONFIRMED else 'reject'}",
                 "organisation", org.code, {"request": change.id, "requested_by": change.requested_by,
                                            "note": change.decision_note})
    _notify(session, org.id, text)
    session.commit()
    return change


def confirm_bank_change(session: Session, actor: Actor, request_id: int, note: str = "") -> BankChangeRequest:
    """A second admin confirms: the organisation's account is replaced."""
    return _decide(session, actor, request_id, ChangeStatus.CONFIRMED, note)


def reject_bank_change(session: Session, actor: Actor, request_id: int, note: str = "") -> BankChangeRequest:
    """Any admin of the region (the requester too, to withdraw it) rejects: nothing changes."""
    return _decide(session, actor, request_id, ChangeStatus.REJECTED, note)


def bank_history(session: Session, org_id: int) -> list[BankChangeRequest]:
    """Every change request of an organisation, newest first (the caller checked the scope)."""
    return list(session.exec(select(BankChangeRequest).where(BankChangeRequest.org_id == org_id)
                             .order_by(BankChangeRequest.requested_at.desc(), BankChangeRequest.id.desc())).all())
