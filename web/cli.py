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
from web.db import keyring
from web.demand_cli import demand_cli
from web.settlement_cli import settlement_cli

db_cli = AppGroup("db", help="Database schema.")
bids_cli = AppGroup("bids", help="Sealed bids.")
audit_cli = AppGroup("audit", help="The keyed, hash-chained audit log and its signed checkpoints.")


def _db() -> Database:
    """The app's database."""
    return current_app.extensions["jicai.db"]


def _sqlite_folder(db: Database) -> None:
    """Make the folder of a SQLite database file (mode 0700) — only for the command that creates it."""
    if db.dialect == "sqlite" and db.engine.url.database not in (None, "", ":memory:"):
        Path(db.engine.url.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations and load the default regions."""
    db = _db()
    _sqlite_folder(db)
    migrate.upgrade(db.engine)
    with db.write_session() as session:
        added = ensure_default_regions(session)
        adopted = audit.adopt_key(session)
        session.commit()
    click.echo(f"schema up to date; {added} default regions added")
    if adopted:
        click.echo(f"audit key adopted: the {adopted} unkeyed entries before it are now covered by its HMAC")


@db_cli.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    migrate.autogenerate(_db().engine, message)


@audit_cli.command("verify")
@click.option("--checkpoints", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint file to check against (besides JICAI_AUDIT_CHECKPOINTS); repeatable.")
def audit_verify(files: tuple[Path, ...]) -> None:
    """Verify the audit chain and every checkpoint; exit 1 naming the first broken entry.
    Reads the audit key; never creates one."""
    from core.audit_checkpoints import CheckpointError, read_checkpoints

    configured = audit.checkpoint_file()
    try:
        checkpoints = [cp for path in ((configured,) if configured else ()) + files for cp in read_checkpoints(path)]
    except CheckpointError as exc:
        click.echo(f"{exc.message_zh} / {exc.message_en}", err=True)
        sys.exit(1)
    with _db().read_session() as session:
        report = audit.verify_chain(session, audit.keyring(create=False), checkpoints)
    if not report.ok:
        click.echo(f"审计链在第 {report.first_broken_seq} 条处断裂 / audit chain BROKEN at entry "
                   f"{report.first_broken_seq}: {report.reason}", err=True)
        sys.exit(1)
    legacy = (f"; the first {report.legacy} entries predate the audit key (unkeyed SHA-256, covered by "
              f"entry {report.legacy + 1})" if report.legacy else "")
    click.echo(f"audit chain intact: {report.entries} entries{legacy}; "
               f"{report.checkpoints} checkpoints match")


@audit_cli.command("checkpoint")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append to this file instead of JICAI_AUDIT_CHECKPOINTS.")
def audit_checkpoint(path: Path | None) -> None:
    """Verify the chain, then print a signed checkpoint line (entry, hash, time, HMAC) and append
    it to the checkpoint file; publish the line somewhere the database's administrators cannot write."""
    from core.audit_checkpoints import append_checkpoint, read_checkpoints, take_checkpoint
    from core.clock import utcnow
    from core.keys import KeyringError

    path = path or audit.checkpoint_file()
    try:
        with _db().read_session() as session:
            checkpoint = take_checkpoint(session, audit.signing_ring(), utcnow(),
                                         read_checkpoints(path) if path else ())
    except KeyringError as exc:
        click.echo(f"{exc.message_zh} / {exc.message_en}", err=True)
        sys.exit(1)
    if path:
        append_checkpoint(path, checkpoint)
    else:
        click.echo("no checkpoint file (JICAI_AUDIT_CHECKPOINTS or --file): publish this line", err=True)
    click.echo(checkpoint.to_line())


@audit_cli.command("new-key")
@click.argument("key_id")
def audit_new_key(key_id: str) -> None:
    """Print a fresh audit key ``KEY_ID:base64url`` for JICAI_AUDIT_KEY (to rotate, put it first
    and keep the old ones after it). Written nowhere: paste it into the secret store."""
    from core.keys import Key, KeyRing, KeyringError

    try:
        click.echo(KeyRing((Key.generate(key_id),)).to_text().strip())
    except KeyringError as exc:
        click.echo(f"{exc.message_zh} / {exc.message_en}", err=True)
        sys.exit(2)


@click.command("seed")
@with_appcontext
@click.option("--hospitals", default=200, show_default=True, help="Number of demo hospitals.")
@click.option("--suppliers", default=30, show_default=True, help="Number of demo suppliers.")
def seed(hospitals: int, suppliers: int) -> None:
    """Load the demo province, organisations, users, catalog and batch (demo only)."""
    from demo.seed import DEMO_PASSWORD, seed_demo

    with _db().write_session() as session:
        result = seed_demo(session, hospitals=hospitals, suppliers=suppliers,
                           keyring=keyring(), db=_db())
    if not result.created:
        click.echo("demo data already present")
    if result.stages:
        click.echo("demo batches (which batch shows what, and which login sees it):")
        for stage in result.stages:
            click.echo(f"  {stage.code:<18} {stage.shows}  [{stage.logins}]")
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
            record = open_bids(session, None, batch_code, keyring(), utcnow())
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
@click.option("--once", type=click.Choice(["lifecycle", "settlement_calendar", "alerts", "price_monitoring"]),
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
    ring, tz = keyring(), ZoneInfo(settings.timezone)
    if once:
        report = run_once(_db(), ring, once, interval, tz)
        click.echo(f"{once}: {len(report.done)} done, {len(report.idle)} idle, {len(report.failed)} failed")
        for name, error in report.failed:
            click.echo(f"  {name}: {error}", err=True)
        sys.exit(1 if report.failed else 0)
    run_scheduler(_db(), ring, Path(settings.instance_path), interval, tz, settings.evaluation_workers,
                  self_pay_days=settings.self_pay_days)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web server listens on.")
@click.option("--port", default=5000, show_default=True, help="Port the web server listens on.")
@click.option("--interval", default=15, show_default=True, help="Seconds between the scheduler's lifecycle passes.")
@with_appcontext
def serve(host: str, port: int, interval: int) -> None:
    """The development web server and the scheduler beside it (``make run``): the scheduler is
    a child process (``flask jobs``) of the same process group, so Ctrl-C stops both, and it is
    stopped whenever the web server ends."""
    import os
    import signal
    import subprocess

    from werkzeug.serving import run_simple

    env = dict(os.environ, JICAI_INSTANCE_PATH=current_app.extensions["jicai.settings"].instance_path)
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs",  # noqa: S603 - our own CLI
                              "--interval", str(interval)], env=env)
    click.echo(f"scheduler started beside the web server (pid {child.pid})")

    def _stop(signum, _frame):  # SIGTERM (a supervisor, a test): end the web server like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True)  # noqa: SLF001 - the real app
    except KeyboardInterrupt:
        pass
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        click.echo("web server and scheduler stopped")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demand_cli)
    app.cli.add_command(seed)
    app.cli.add_command(bids_cli)
    app.cli.add_command(jobs)
    app.cli.add_command(serve)
    app.cli.add_command(optimize)
    app.cli.add_command(settlement_cli)
