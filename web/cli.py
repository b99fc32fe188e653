"""Command-line interface: ``flask --app app db|seed|audit …`` (thin wrappers over services)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core import audit, migrate
from core.db import Database
from procurement.regions import ensure_default_regions

db_cli = AppGroup("db", help="Database schema.")
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
        result = seed_demo(session, hospitals=hospitals, suppliers=suppliers)
    if not result.created:
        click.echo("demo data already present")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, org in result.logins:
        click.echo(f"  {username:<14} {role:<20} {org}")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(seed)
