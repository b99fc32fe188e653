"""The dashboard's rollup (:mod:`settlement.monitoring.models`) kept in step with the writes.

Maintained, not recomputed on read: each write that changes a figure changes its rollup row in
the same transaction, by one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL)
that adds the written line's own amounts — so a province's dashboard sums ~10⁵ rollup rows
instead of 7 million lines, and no write pays more than the rows it touches:

* **acceptance** (:func:`add_line`) adds the line to its day's and its month's purchases;
* **return** (:func:`return_line`) takes the line out before and puts it back after the change,
  purchases and, when the line is settled and counted on time, its on-time gross;
* **run** (:func:`add_run`) sums its shares per hospital region × supplier (the money figures);
* **run** and **bank return** (:func:`refresh_run`) recompute the run's on-time rows from its
  lines: a share wholly offset is on time at the run; an instruction is on time for the lines
  accepted no earlier than its paid day − the batch's payment days (``PAID`` is final).

Why maintained rather than rebuilt by the run: purchases and completion change with every
acceptance and must show on the day (序时进度), long before the month's run. The on-time figure
changes only at the run and the bank's answer, so those two recompute their run's rows (one scan
of the run's lines; a run without a wholly offset share skips it).

:func:`rebuild` recomputes everything from the lines (after a migration, or to repair); the
tests hold the maintained rows equal to it after a story of writes.
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, select

from procurement.rules import parse_rules
from settlement.models import Acceptance, PaymentInstruction
from settlement.monitoring.dashboard import local_day
from settlement.runs.claims import settling_run
from settlement.runs.open_lines import LINE_GROSS

CUTOFF = "jicai_dash_cutoff"
_UPSERT_PURCHASE = (" ON CONFLICT (batch_id, batch_item_id, region_code, day) DO UPDATE SET"
                    " quantity = dashboard_purchase.quantity + excluded.quantity,"
                    " value_e4 = dashboard_purchase.value_e4 + excluded.value_e4,"
                    " gross_fen = dashboard_purchase.gross_fen + excluded.gross_fen")
_PURCHASES = ("SELECT a.batch_id, c.batch_item_id, h.region_code, a.accepted_on,"
              " CAST(SUM(:sign * CAST(a.quantity - a.returned AS BIGINT)) AS BIGINT),"
              " CAST(SUM(:sign * CAST(a.quantity - a.returned AS BIGINT) * c.ucp_e4) AS BIGINT),"
              f" CAST(SUM(:sign * {LINE_GROSS}) AS BIGINT)"
              " FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
              " JOIN organisation h ON h.id = a.hospital_org_id WHERE {where}"
              " GROUP BY a.batch_id, c.batch_item_id, h.region_code, a.accepted_on")
_INSERT_PURCHASE = "INSERT INTO dashboard_purchase (batch_id, batch_item_id, region_code, day, quantity, value_e4, gross_fen) "
#: the lines of run ``:run`` paid on time (its claim's range, confirmed, gross > 0), per item × region × day
_ON_TIME = ("SELECT cl.run_id, a.batch_id, c.batch_item_id, h.region_code, a.accepted_on,"
            f" CAST(SUM(:sign * {LINE_GROSS}) AS BIGINT)"
            " FROM settlement_claim cl JOIN settlement_acceptance a ON a.batch_id = cl.batch_id"
            " AND a.claim_seq > COALESCE(cl.lo, 0) AND a.claim_seq <= cl.hi AND a.reconcile_status = 'confirmed'"
            " JOIN contract c ON c.id = a.contract_id JOIN organisation h ON h.id = a.hospital_org_id"
            " JOIN settlement_share sh ON sh.run_id = cl.run_id AND sh.hospital_org_id = a.hospital_org_id"
            " AND sh.supplier_org_id = a.supplier_org_id"
            f" LEFT JOIN {CUTOFF} k ON k.i = sh.instruction_id"
            f" WHERE cl.run_id = :run AND {LINE_GROSS} > 0 AND (sh.paid_fen = 0 OR a.accepted_on >= k.cutoff) {{extra}}"
            " GROUP BY cl.run_id, a.batch_id, c.batch_item_id, h.region_code, a.accepted_on")
_INSERT_ON_TIME = "INSERT INTO dashboard_on_time (run_id, batch_id, batch_item_id, region_code, day, on_time_fen) "
_UPSERT_ON_TIME = (" ON CONFLICT (run_id, batch_item_id, region_code, day) DO UPDATE SET"
                   " on_time_fen = dashboard_on_time.on_time_fen + excluded.on_time_fen")


_INSERT_SHARES = ("INSERT INTO dashboard_share (run_id, region_code, supplier_org_id, instruction_id, gross_fen, offset_fen,"
                  " paid_fen) SELECT x.run_id, h.region_code, x.supplier_org_id, MAX(x.instruction_id),"
                  " CAST(SUM(x.gross_fen) AS BIGINT), CAST(SUM(x.offset_fen) AS BIGINT), CAST(SUM(x.paid_fen) AS BIGINT)"
                  " FROM settlement_share x JOIN organisation h ON h.id = x.hospital_org_id WHERE x.run_id = :run"
                  " GROUP BY x.run_id, h.region_code, x.supplier_org_id")


def _month(session: Session, day: str) -> str:
    """SQL: the first day of the month of the date expression ``day``."""
    if session.get_bind().dialect.name == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS DATE)"
    return f"date({day}, 'start of month')"


def _monthly(session: Session, where: str, upsert: bool) -> str:
    """SQL: the purchases of the lines ``where`` into the monthly rollup."""
    select = _PURCHASES.format(where=where).replace("a.accepted_on", _month(session, "a.accepted_on"))
    return (_INSERT_PURCHASE.replace("dashboard_purchase", "dashboard_purchase_month").replace(" day,", " month,")
            + select + (_UPSERT_PURCHASE.replace("dashboard_purchase", "dashboard_purchase_month")
                        .replace(" day)", " month)") if upsert else ""))


def add_line(session: Session, acceptance_id: int, sign: int = 1) -> None:
    """Add (``sign`` −1: take out) one line's current amounts to its day's and month's purchases."""
    session.flush()
    params = {"id": acceptance_id, "sign": sign}
    session.execute(text(_INSERT_PURCHASE + _PURCHASES.format(where="a.id = :id") + _UPSERT_PURCHASE), params)
    session.execute(text(_monthly(session, "a.id = :id", upsert=True)), params)


def return_line(session: Session, acceptance_id: int, sign: int) -> None:
    """Around a change of a line's returned quantity: ``sign`` −1 before it, +1 after it — the
    line's purchases and, when a run settled it, its on-time gross."""
    add_line(session, acceptance_id, sign)
    run_id = session.exec(select(settling_run(Acceptance)).where(Acceptance.id == acceptance_id)).first()
    if run_id:
        _on_time(session, run_id, "AND a.id = :id", {"id": acceptance_id, "sign": sign}, upsert=True)


def add_run(session: Session, run_id: int) -> None:
    """A new run (claimed, in its transaction): its shares per region × supplier, and its
    on-time rows (:func:`refresh_run`)."""
    session.flush()
    session.execute(text(_INSERT_SHARES), {"run": run_id})
    refresh_run(session, run_id)


def refresh_run(session: Session, run_id: int) -> None:
    """Recompute run ``run_id``'s on-time rows (after the run is claimed, and after the bank's
    answer). A run with no share wholly offset and no instruction paid has none: no scan."""
    session.flush()
    session.execute(text("DELETE FROM dashboard_on_time WHERE run_id = :run"), {"run": run_id})
    offset_only = session.execute(text("SELECT 1 FROM settlement_share WHERE run_id = :run AND paid_fen = 0"
                                       " LIMIT 1"), {"run": run_id}).first()
    paid = session.execute(text("SELECT 1 FROM settlement_instruction WHERE run_id = :run AND status = 'paid'"
                                " LIMIT 1"), {"run": run_id}).first()
    if offset_only or paid:
        _on_time(session, run_id, "", {"sign": 1}, upsert=False)


def _on_time(session: Session, run_id: int, extra: str, params: dict, *, upsert: bool) -> None:
    """Write the on-time gross of run ``run_id``'s lines (``extra`` narrows them) with the paid
    instructions' cut-off days in :data:`CUTOFF`."""
    _cutoffs(session, run_id)
    sql = _INSERT_ON_TIME + _ON_TIME.format(extra=extra) + (_UPSERT_ON_TIME if upsert else "")
    session.execute(text(sql), {**params, "run": run_id})
    session.execute(text(f"DROP TABLE IF EXISTS {CUTOFF}"))


def _cutoffs(session: Session, run_id: int) -> None:
    """The temporary table of run ``run_id``'s paid instructions: a line is paid on time when it
    was accepted on or after the paid day (the bureau's calendar) less the batch's payment days."""
    rules = session.execute(text("SELECT b.rules_json FROM settlement_run r JOIN batch b ON b.id = r.batch_id"
                                 " WHERE r.id = :run"), {"run": run_id}).scalar_one()
    days = parse_rules(rules).payment_days
    pg = session.get_bind().dialect.name == "postgresql"
    session.execute(text(f"DROP TABLE IF EXISTS {CUTOFF}"))
    session.execute(text(f"CREATE TEMP TABLE {CUTOFF} (i BIGINT PRIMARY KEY, cutoff DATE NOT NULL)"
                         f"{' ON COMMIT DROP' if pg else ''}"))
    paid = session.execute(text("SELECT id, status_at FROM settlement_instruction WHERE run_id = :run"
                                " AND status = 'paid'").columns(PaymentInstruction.__table__.c.id,
                                                               PaymentInstruction.__table__.c.status_at),
                           {"run": run_id}).all()
    if paid:
        session.execute(text(f"INSERT INTO {CUTOFF} (i, cutoff) VALUES (:i, :cutoff)")
                        .bindparams(bindparam("cutoff", type_=Date)),
                        [{"i": i, "cutoff": local_day(at) - timedelta(days=days)} for i, at in paid])


def rebuild(session: Session) -> None:
    """Recompute the whole rollup from the lines, claims, shares and instructions (one
    transaction, the caller commits). SQL over the tables only — no ORM entity — so migration
    0025 can run it on the schema of its day."""
    session.flush()
    session.execute(text("DELETE FROM dashboard_purchase"))
    session.execute(text("DELETE FROM dashboard_on_time"))
    session.execute(text("DELETE FROM dashboard_share"))
    session.execute(text("DELETE FROM dashboard_purchase_month"))
    session.execute(text(_INSERT_PURCHASE + _PURCHASES.format(where="1 = 1")), {"sign": 1})
    session.execute(text(_monthly(session, "1 = 1", upsert=False)), {"sign": 1})
    session.execute(text(_INSERT_SHARES.replace("WHERE x.run_id = :run", "WHERE 1 = 1")))
    for (run_id,) in session.execute(text("SELECT DISTINCT run_id FROM settlement_claim ORDER BY run_id")).all():
        refresh_run(session, run_id)
