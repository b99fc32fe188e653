"""Command-line interface: ``flask --app app db|seed|audit …`` (thin wrappers over services)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core import audit, migrate
from core.db import Database
from procurement.regions import ensure_default_regions
from web.demand_cli import demand_cli
from web.settlement_cli import settlement_cli

db_cli = AppGroup("db", help="Database schema.")
bids_cli = AppGroup("bids", help="Sealed bids.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")


def _db() -> Database:
    """The app's database."""
    return current_app.extensions["jicai.db"]


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations and load the default regions."""
    db = _db()
    migrate.upgrade(db.engine)
    with db.write_session() as session:
        added = ensure_default_regions(session)
    click.echo(f"schema up to date; {added} default regions added")


@db_cli.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    migrate.autogenerate(_db().engine, message)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify the audit chain; exit 1 naming the first broken entry."""
    with _db().read_session() as session:
        report = audit.verify_chain(session)
    if report.ok:
        click.echo(f"audit chain intact: {report.entries} entries")
        return
    click.echo(f"audit chain BROKEN at entry {report.first_broken_seq}: {report.reason}", err=True)
    sys.exit(1)


@click.command("seed")
@with_appcontext
@click.option("--hospitals", default=200, show_default=True, help="Number of demo hospitals.")
@click.option("--suppliers", default=30, show_default=True, help="Number of demo suppliers.")
def seed(hospitals: int, suppliers: int) -> None:
    """Load the demo province, organisations, users, catalog and batch (demo only)."""
    from demo.seed import DEMO_PASSWORD, seed_demo

    with _db().write_session() as session:
        result = seed_demo(session, hospitals=hospitals, suppliers=suppliers,
                           keyring=current_app.extensions["jicai.keyring"])
    if not result.created:
        click.echo("demo data already present")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, org in result.logins:
        click.echo(f"  {username:<14} {role:<20} {org}")


@bids_cli.command("open")
@click.argument("batch_code")
def bids_open(batch_code: str) -> None:
    """Open a batch's bids (refused before its opening time)."""
    from bidding.keys import SealingError
    from bidding.services import OpeningError, open_bids
    from core.clock import utcnow

    try:
        with _db().write_session() as session:
            record = open_bids(session, None, batch_code, current_app.extensions["jicai.keyring"], utcnow())
    except (OpeningError, SealingError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"opened {batch_code}: {record.bids} bids, {record.valid_bids} valid")


@click.command("optimize")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option("--clearing", is_flag=True, help="Include the clearing record (LP, solver log) per item.")
@click.option("--workers", default=1, show_default=True, help="Solve items in parallel processes.")
def optimize(instance: str, clearing: bool, workers: int) -> None:
    """Solve an optimizer JSON instance (docs/optimizer-json.md); the result JSON on stdout."""
    from optimizer.jsonio import run_json_file

    sys.exit(run_json_file(instance, sys.stdout, sys.stderr, workers=workers, with_clearing=clearing))


@click.command("jobs")
@click.option("--interval", default=15, show_default=True, help="Seconds between lifecycle passes.")
@click.option("--once", type=click.Choice(["lifecycle", "settlement_calendar", "alerts"]),
              help="Run one pass of this job now and exit (by hand; no scheduler).")
@with_appcontext
def jobs(interval: int, once: str | None) -> None:
    """Run the single scheduler process: lifecycle steps, settlement calendar, daily alerts
    (APScheduler with its job store in the database; a second one waits for the lock)."""
    import logging
    from zoneinfo import ZoneInfo

    from core.held import folder_of
    from jobs.runner import run_once, run_scheduler
    from jobs.tasks import set_held_folder

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = current_app.extensions["jicai.settings"]
    set_held_folder(folder_of(settings.instance_path))
    keyring, tz = current_app.extensions["jicai.keyring"], ZoneInfo(settings.timezone)
    if once:
        report = run_once(_db(), keyring, once, interval, tz)
        click.echo(f"{once}: {len(report.done)} done, {len(report.idle)} idle, {len(report.failed)} failed")
        for name, error in report.failed:
            click.echo(f"  {name}: {error}", err=True)
        sys.exit(1 if report.failed else 0)
    run_scheduler(_db(), keyring, Path(settings.instance_path), interval, tz)


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demand_cli)
    app.cli.add_command(seed)
    app.cli.add_command(bids_cli)
    app.cli.add_command(jobs)
    app.cli.add_command(optimize)
    app.cli.add_command(settlement_cli)
