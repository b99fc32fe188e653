"""``flask --app app demand import|import-bulk …``: demand sheets from the command line (bureau IT).

Exit 0 with a one-line summary when applied; exit 1 with the errors on stderr (and the
annotated workbook with ``--errors-out``) when rejected; exit 2 when refused outright
(unknown batch or hospital, wrong state, after the deadline).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from accounts.actor import Forbidden
from core.clock import utcnow
from procurement.demand.services import (
    DemandError,
    DemandRejected,
    error_workbook,
    submit_bulk_demand,
    submit_demand,
)

demand_cli = AppGroup("demand", help="Hospital demand collection (报量).")
SHOWN = 50
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _report_rejection(result: DemandRejected, data: bytes, name: str, errors_out: Path | None) -> None:
    """Errors to stderr, the annotated workbook to ``errors_out``; exit 1."""
    click.echo(result.message, err=True)
    for error in result.errors[:SHOWN]:
        click.echo(f"  {error.message()}", err=True)
    if result.error_count > SHOWN:
        click.echo(f"  … {result.error_count - SHOWN} more", err=True)
    if errors_out is not None:
        marked = error_workbook(result, data, name)
        if marked is None:
            click.echo("no annotated workbook: the file itself cannot be read", err=True)
        else:
            errors_out.write_bytes(marked)
            click.echo(f"annotated workbook written to {errors_out}", err=True)
    sys.exit(1)


def _settings():
    """The app's settings (``JICAI_*``)."""
    return current_app.extensions["jicai.settings"]


def _tz() -> str:
    """The bureau's time zone (``JICAI_TIMEZONE``), in which deadlines are named."""
    return _settings().timezone


def _run(unit) -> object:
    """Run a service call in a write session; refusals exit 2 with their reason."""
    try:
        with current_app.extensions["jicai.db"].write_session() as session:
            return unit(session)
    except (DemandError, Forbidden) as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@demand_cli.command("import")
@click.argument("batch_code")
@click.argument("hospital_code")
@click.argument("file", type=FILE)
@click.option("--errors-out", type=OUT, help="Write the annotated workbook here when rejected.")
def demand_import(batch_code: str, hospital_code: str, file: Path, errors_out: Path | None) -> None:
    """Apply one hospital's demand workbook as its next version (on the hospital's behalf)."""
    data = file.read_bytes()
    result = _run(lambda s: submit_demand(s, None, batch_code, hospital_code, data, file.name, utcnow(), tz=_tz(),
                                       max_rows=_settings().upload_rows_demand))
    if not result.accepted:
        _report_rejection(result, data, file.name, errors_out)
    click.echo(f"applied {batch_code} {hospital_code}: version {result.version}, {result.rows} rows")


@demand_cli.command("import-bulk")
@click.argument("batch_code")
@click.argument("file", type=FILE)
@click.option("--errors-out", type=OUT, help="Write the annotated workbook here when rejected.")
def demand_import_bulk(batch_code: str, file: Path, errors_out: Path | None) -> None:
    """Apply a bureau-side workbook with many hospitals' rows: one new version per hospital."""
    data = file.read_bytes()
    result = _run(lambda s: submit_bulk_demand(s, None, batch_code, data, file.name, utcnow(), tz=_tz(),
                                            max_rows=_settings().upload_rows_bulk_demand))
    if not result.accepted:
        _report_rejection(result, data, file.name, errors_out)
    click.echo(f"applied {batch_code}: {len(result.versions)} hospitals, {result.rows} rows")
