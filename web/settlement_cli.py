"""``flask --app app settlement run|bank-return …``: settlement by hand or from a scheduled job.

``run`` settles a batch's month as the system (payer: the fund agency of the batch's region)
and prints the totals; ``bank-return`` applies a bank's result file to a released run.
Exit 0 on success (a rerun with nothing new, or a bank return already applied, is a success),
2 when refused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.clock import utcnow
from core.money import format_yuan

settlement_cli = AppGroup("settlement", help="Monthly direct settlement (直接结算).")


@settlement_cli.command("run")
@click.argument("batch_code")
@click.argument("month")
def settlement_run(batch_code: str, month: str) -> None:
    """Settle BATCH_CODE's applied and confirmed lines up to MONTH (YYYY-MM); print the totals."""
    from settlement.services import SettlementRefused, run_settlement

    try:
        with current_app.extensions["jicai.db"].write_session() as session:
            outcome = run_settlement(session, None, batch_code, month, utcnow())
            run = outcome.run
            click.echo(f"run {run.id} {run.run_ref} ({'new' if outcome.created else 'nothing new; existing run'})")
            click.echo(f"lines settled: {run.line_count}  carried over: {run.carried_count}")
            click.echo(f"gross {format_yuan(run.gross_fen)}  prepayment offset {format_yuan(run.offset_fen)}  "
                       f"paid by the fund {format_yuan(run.paid_fen)}  re-issued {format_yuan(run.reissued_fen)}")
    except SettlementRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@settlement_cli.command("bank-return")
@click.argument("run_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def settlement_bank_return(run_id: int, file: Path) -> None:
    """Apply a bank's return CSV to run RUN_ID (all or nothing)."""
    from settlement.services import SettlementRefused, import_bank_return

    try:
        with current_app.extensions["jicai.db"].write_session() as session:
            outcome = import_bank_return(session, None, run_id, file.read_bytes(), file.name, utcnow())
            if outcome.repeated:
                click.echo(f"已导入过，无变化 / already applied, nothing changed: unchanged {outcome.unchanged}")
            else:
                click.echo(f"paid {outcome.paid}  failed {outcome.failed}  unchanged {outcome.unchanged}")
    except SettlementRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
