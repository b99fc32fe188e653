"""The monthly run over the order lines the fund settles directly that are not VBP-contract lines
(挂网产品直接结算), in the province's container batch (:mod:`directpay.container`).

Reached through ``settlement.runs.services.run_settlement`` for a batch of procedure ``direct``
— from the officers' console, the CLI or the scheduler's pay day alike — and from there the
run is any run: four-eyes approval, bank files, bank returns, re-issues, the supplier's payments.

Speed design (as the batch runs): the month's accepted rows are summed per hospital × supplier ×
distributor in **one** SQL ``GROUP BY`` into a temporary table — no Python object per line —
joined to the scope's spans (a few rows per region: which days of the month are under ``common``
or ``all``, :func:`directpay.rules.spans`) and, under ``common``, to the version's list; the
shares, instructions and statements are written from it by ``INSERT … SELECT``.

Never paid twice: a run claims the ids ``(lo, hi]`` of ``order_acceptance`` of its month (one
:class:`~directpay.models.DirectClaim` row; the database keeps the claims of a container × month
one chain of disjoint ranges), and the next run of the month starts above the last claim. On
PostgreSQL the run first takes ``order_acceptance`` in ``SHARE`` mode, so an acceptance still
being written commits before the ids are read (its id is then below ``hi`` and it is counted).
Rejected rows (``kind = rejected``, 0 fen) are never paid.

The distributor's share: the version in force sets ``distributor_bps``; each hospital × supplier
× distributor sum gives the distributor ``⌊sum × bps / 10000⌉`` (half up) and the supplier the
rest, so the payees' shares add up to the accepted amounts to the fen. Payees are summed per
hospital (a supplier that is its own distributor gets one share)."""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Date, bindparam, func, insert, text
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from core import audit
from directpay.models import DirectClaim
from directpay.queries import versions_for
from directpay.rules import month_days, settles_listed, spans
from orders.models import OrderAcceptance
from procurement.models import Batch, Region
from settlement.execution.deliveries import SettlementRefused, parse_month
from settlement.models import DeductionStatement, PaymentInstruction, SettlementRun, SettlementShare
from settlement.money.data import InstructionStatus
from settlement.money.settle import RUN_REF_RE, instruction_reference
from settlement.monitoring import rollup
from settlement.runs.open_lines import roomy, temp_table
from settlement.runs.services import (
    MONTHLY,
    NothingToSettle,
    RunOutcome,
    account_of,
    locked_with_payer,
    who,
)

SPAN, OPEN, PAYEE = "jicai_direct_span", "jicai_direct_open", "jicai_direct_payee"
#: the run's one aggregate: in-scope accepted rows of the month above the last claim, per
#: hospital × supplier × distributor × fee share
_OPEN = text("SELECT a.hospital_org_id AS h, a.supplier_org_id AS s, a.distributor_org_id AS d, sp.bps AS bps,"
             " CAST(SUM(a.amount_fen) AS BIGINT) AS g, CAST(COUNT(*) AS BIGINT) AS n"
             f" FROM order_acceptance a JOIN {SPAN} sp ON sp.region_code = a.region_code"
             " AND a.accepted_on >= sp.lo AND a.accepted_on < sp.hi"
             " LEFT JOIN direct_scope_product p ON sp.every = 0 AND p.scope_id = sp.scope_id AND p.product_id = a.product_id"
             " WHERE a.month = :month AND a.kind = 'accepted' AND a.vbp_batch_code IS NULL"
             " AND a.id > :lo AND a.id <= :top AND (sp.every = 1 OR p.id IS NOT NULL)"
             " GROUP BY a.hospital_org_id, a.supplier_org_id, a.distributor_org_id, sp.bps")
#: per hospital × payee: the supplier's part and the distributor's fee (``(g × bps + 5000) / 10000``)
_PAYEES = (f"SELECT h, p AS s, CAST(SUM(g) AS BIGINT) AS g, CAST(SUM(n) AS BIGINT) AS n FROM ("
           f"SELECT h, s AS p, g - (g * bps + 5000) / 10000 AS g, n FROM {OPEN}"
           f" UNION ALL SELECT h, d, (g * bps + 5000) / 10000, n FROM {OPEN} WHERE bps > 0"
           ") AS parts GROUP BY h, p HAVING SUM(g) > 0")


def _collate(session: Session) -> str:
    return ' COLLATE "C"' if session.get_bind().dialect.name == "postgresql" else ""


def _spans(session: Session, province: str, month: str) -> int:
    """Write the month's spans under ``common`` / ``all`` of every region of the province into
    :data:`SPAN`; how many."""
    lo, hi = month_days(month)
    versions = versions_for(session, province)
    prefix = province[:2]
    regions = set(session.exec(select(Region.code).where(Region.code.startswith(prefix))).all())
    regions |= set(session.exec(select(Organisation.region_code).where(
        Organisation.region_code.startswith(prefix)).distinct()).all())
    rows = [{"r": s.region_code, "lo": s.lo, "hi": s.hi, "scope": s.version.id, "every": int(s.phase == "all"),
             "bps": s.version.distributor_bps}
            for region in sorted(regions) for s in spans(versions, region, lo, hi) if settles_listed(s.phase)]
    pg = session.get_bind().dialect.name == "postgresql"
    session.execute(text(f"DROP TABLE IF EXISTS {SPAN}"))
    session.execute(text(f"CREATE TEMP TABLE {SPAN} (region_code VARCHAR(12) NOT NULL, lo DATE NOT NULL,"
                         " hi DATE NOT NULL, scope_id INTEGER NOT NULL, every INTEGER NOT NULL, bps BIGINT NOT NULL)"
                         f"{' ON COMMIT DROP' if pg else ''}"))
    if rows:
        session.execute(text(f"INSERT INTO {SPAN} VALUES (:r, :lo, :hi, :scope, :every, :bps)").bindparams(
            bindparam("lo", type_=Date), bindparam("hi", type_=Date)), rows)
    return len(rows)


def _drop(session: Session) -> None:
    for name in (PAYEE, OPEN, SPAN):
        session.execute(text(f"DROP TABLE IF EXISTS {name}"))


def run_month(session: Session, actor: Actor | None, batch: Batch, month: str, now: datetime) -> RunOutcome:
    """Settle the in-scope accepted order lines of ``month`` not yet claimed (see the module
    docstring); a run with nothing new answers the month's latest run."""
    _start, end = parse_month(month)
    if now.date() < end:
        raise SettlementRefused("只能结算已结束的月份 / only a finished month can be settled")
    batch, payer = locked_with_payer(session, actor, batch)
    roomy(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE order_acceptance IN SHARE MODE"))
    lo = session.exec(select(func.max(DirectClaim.hi)).where(DirectClaim.batch_id == batch.id,
                                                             DirectClaim.month == month)).one()
    top = session.exec(select(func.max(OrderAcceptance.id))).one() or 0
    if not _spans(session, batch.region_code, month) or top <= (lo or 0):
        return _nothing_new(session, batch, month)
    temp_table(session, OPEN, _OPEN, {"month": month, "lo": lo or 0, "top": top})
    temp_table(session, PAYEE, _PAYEES)
    payees = {int(s) for (s,) in session.execute(text(f"SELECT DISTINCT s FROM {PAYEE}")).all()}
    if not payees:
        return _nothing_new(session, batch, month)
    orgs = {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(payees))).all()}
    accounts = {pk: a for pk, o in orgs.items() if (a := account_of(o)) is not None}
    missing = sorted(o.code for pk, o in orgs.items() if pk not in accounts)
    if missing:
        raise SettlementRefused(f"无法结算 / cannot settle: no payee bank account for: {', '.join(missing)}")
    seq = (session.exec(select(func.max(SettlementRun.seq)).where(
        SettlementRun.batch_id == batch.id, SettlementRun.month == month)).one() or 0) + 1
    run_ref = f"D{batch.id}-{month.replace('-', '')}-{seq}"
    if not RUN_REF_RE.match(run_ref):
        raise SettlementRefused(f"无法结算 / cannot settle: bad run reference {run_ref!r}")
    gross, lines = session.execute(text(f"SELECT CAST(SUM(g) AS BIGINT), CAST(SUM(n) AS BIGINT) FROM {OPEN}")).one()
    run = SettlementRun(batch_id=batch.id, month=month, seq=seq, kind=MONTHLY, run_ref=run_ref,
                        computed_by=actor.user_id if actor else None, computed_at=now, gross_fen=int(gross),
                        offset_fen=0, paid_fen=int(gross), clawback_fen=0, line_count=int(lines), carried_count=0)
    session.add(run)
    session.flush()
    _persist(session, run, batch, payer, accounts, now)
    session.add(DirectClaim(batch_id=batch.id, month=month, run_id=run.id, lo=lo, hi=top, line_count=int(lines)))
    session.flush()
    rollup.add_run(session, run.id)
    _drop(session)
    audit.record(session, who(actor), "settlement.run", "settlement_run", str(run.id),
                 {"batch": batch.code, "month": month, "ref": run_ref, "gross_fen": run.gross_fen,
                  "paid_fen": run.paid_fen, "lines": run.line_count, "claim": [lo, top]}, at=now)
    session.commit()
    return RunOutcome(run, True)


def _nothing_new(session: Session, batch: Batch, month: str) -> RunOutcome:
    """Nothing to pay: the month's latest run, else NothingToSettle (nothing written)."""
    latest = session.exec(select(SettlementRun).where(SettlementRun.batch_id == batch.id, SettlementRun.month == month,
                                                      SettlementRun.kind == MONTHLY)
                          .order_by(SettlementRun.seq.desc())).first()
    session.rollback()
    if latest is None:
        raise NothingToSettle("没有可结算的明细 / nothing to settle for this month")
    return RunOutcome(latest, False)


def remittance(reference: str, line_count: int) -> str:
    """The remittance line of a listed-product payment on the payee's bank statement."""
    return f"挂网货款 {reference} {line_count}笔"


def _persist(session: Session, run: SettlementRun, batch: Batch, payer, accounts: dict, now: datetime) -> None:
    """One instruction per payee (numbered in payee-code order), then the shares and the
    hospitals' statements by ``INSERT … SELECT`` (no offset: a container has no prepayment)."""
    collate = _collate(session)
    paid = session.execute(text(f"SELECT x.s, SUM(x.g), SUM(x.n) FROM {PAYEE} x JOIN organisation o ON o.id = x.s"
                                f" GROUP BY x.s, o.code ORDER BY o.code{collate}")).all()
    rows = []
    for k, (payee, amount, count) in enumerate(paid, start=1):
        ref, acct = instruction_reference(run.run_ref, k), accounts[int(payee)]
        rows.append({"run_id": run.id, "batch_id": batch.id, "reference": ref, "supplier_org_id": int(payee),
                     "payer_account": payer.account_no, "payer_name": payer.holder_name,
                     "payer_cnaps": payer.bank_cnaps, "payer_bank": payer.bank_name,
                     "payee_account": acct.account_no, "payee_name": acct.holder_name,
                     "payee_cnaps": acct.bank_cnaps, "payee_bank": acct.bank_name, "amount_fen": int(amount),
                     "line_count": int(count), "remittance": remittance(ref, int(count))[:140],
                     "status": InstructionStatus.ISSUED, "reissue_of_id": None, "failure_reason": "",
                     "status_at": now})
    session.connection().execute(insert(PaymentInstruction.__table__), rows)
    params = {"run": run.id, "batch": batch.id}
    session.execute(text(
        f"INSERT INTO {SettlementShare.__tablename__} (run_id, hospital_org_id, supplier_org_id, gross_fen, offset_fen,"
        " paid_fen, clawback_fen, line_count, instruction_id)"
        f" SELECT :run, x.h, x.s, x.g, 0, x.g, 0, x.n, pi.id FROM {PAYEE} x"
        f" JOIN {PaymentInstruction.__tablename__} pi ON pi.run_id = :run AND pi.supplier_org_id = x.s"
        " JOIN organisation ho ON ho.id = x.h JOIN organisation so ON so.id = x.s"
        f" ORDER BY ho.code{collate}, so.code{collate}"), params)
    session.execute(text(
        f"INSERT INTO {DeductionStatement.__tablename__} (run_id, batch_id, hospital_org_id, gross_fen, offset_fen,"
        " net_deducted_fen, advance_before_fen, advance_after_fen, clawback_fen, line_count)"
        f" SELECT :run, :batch, x.h, SUM(x.g), 0, SUM(x.g), 0, 0, 0, SUM(x.n) FROM {OPEN} x"
        f" JOIN organisation ho ON ho.id = x.h GROUP BY x.h, ho.code ORDER BY ho.code{collate}"), params)
