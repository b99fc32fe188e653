"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
``JICAI_TEST_DATABASE_URL`` is set), the app, a test client, and a two-province world."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from accounts import services as accounts
from accounts.actor import Actor
from accounts.roles import OrgKind, Role
from app import create_app
from core import audit, migrate
from core.db import Database, make_engine
from core.keys import Key, KeyRing
from procurement.models import Region
from procurement.regions import ensure_default_regions
from schema import metadata

PASSWORD = "correct-horse-battery"
FAST_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}
AUDIT_RING = KeyRing((Key.generate("audit-test"),))  # one audit key for the run, like a deployment's


@pytest.fixture(autouse=True)
def audit_key():
    """Every test appends to the audit chain with the run's audit key and no checkpoint file
    (an app built by a test configures the same key through its settings)."""
    audit.configure(AUDIT_RING, None)
    yield AUDIT_RING
    audit.configure(AUDIT_RING, None)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """PostgreSQL when the CI asks for it (one database per xdist worker), else a SQLite file."""
    url = os.environ.get("JICAI_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    if worker_id == "master":
        yield url
        return
    base, _slash, name = url.rpartition("/")
    worker_db = f"{name}_{worker_id}"
    admin = make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{worker_db}"'))
        conn.execute(text(f'CREATE DATABASE "{worker_db}"'))
    yield f"{base}/{worker_db}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database(database_url) -> Database:
    """The schema built by the real migrations, once per run."""
    db = Database(database_url)
    migrate.upgrade(db.engine)
    yield db
    db.dispose()


def _wipe(db: Database) -> None:
    """Empty every table (children first) so each test starts clean."""
    with db.engine.begin() as conn:
        tables = [t.name for t in reversed(metadata.sorted_tables)]
        if db.dialect == "postgresql":
            # a session a test forgot to close would make TRUNCATE wait forever: fail instead
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def db(database) -> Database:
    """A clean database for one test, with the default regions loaded."""
    _wipe(database)
    with database.write_session() as session:
        ensure_default_regions(session)
    yield database
    _wipe(database)


@pytest.fixture
def session(db):
    """A write session on the clean database."""
    with db.write_session() as s:
        yield s


@pytest.fixture
def app(db, database_url, tmp_path):
    """The app bound to the test database, CSRF on, cheap password hashes."""
    application = create_app({"database_url": database_url, "instance_path": str(tmp_path / "instance"),
                              "audit_key": AUDIT_RING.to_text(), "TESTING": True, **FAST_HASH})
    application.extensions["jicai.db"].dispose()
    application.extensions["jicai.db"] = db
    return application


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@dataclass
class World:
    """Two provinces (A: Shandong, B: Jiangsu), each with one organisation per kind and one
    user per role; ``actors[(side, role)]`` gives service-level actors."""

    orgs: dict[tuple[str, OrgKind], object] = field(default_factory=dict)
    users: dict[tuple[str, Role], object] = field(default_factory=dict)
    actors: dict[tuple[str, Role], Actor] = field(default_factory=dict)

    def username(self, side: str, role: Role) -> str:
        """Login name of the user with ``role`` on ``side``."""
        return self.users[(side, role)].username


PROVINCES = {"A": ("370000", "370100", "370200"), "B": ("320000", "320100", "320200")}


@pytest.fixture
def world(session) -> World:
    """Build the two-province world through the real services."""
    return build_world(session)


@pytest.fixture
def fresh_world(db):
    """A factory for property tests: wipe the database and build a new world per example.
    Returns (session, world); the sessions are closed at teardown."""
    sessions = []

    def make():
        for old in sessions:
            old.close()
        _wipe(db)
        s = db.write_session()
        sessions.append(s)
        ensure_default_regions(s)
        return s, build_world(s)

    yield make
    for s in sessions:
        s.close()


def build_world(session) -> World:
    """The two-province world, built through the real services."""
    from accounts import passwords

    passwords.configure(**{"time_cost": 1, "memory_kib": 1024})
    w = World()
    for side, (prov, city1, city2) in PROVINCES.items():
        session.add(Region(code=city1, name=f"{side}-city-1", parent_code=prov, level="city"))
        session.add(Region(code=city2, name=f"{side}-city-2", parent_code=prov, level="city"))
        session.commit()
        kinds = {OrgKind.BUREAU: prov, OrgKind.FUND: prov, OrgKind.HOSPITAL: city1, OrgKind.SUPPLIER: city2,
                 OrgKind.DISTRIBUTOR: city1}
        for kind, region in kinds.items():
            w.orgs[(side, kind)] = accounts.create_organisation(
                session, None, code=f"{side}-{kind.value}", name=f"{side} {kind.value}", kind=kind,
                region_code=region, bank_cnaps="102100099996" if kind in (OrgKind.SUPPLIER, OrgKind.FUND) else None,
                bank_account="6222000011112222" if kind in (OrgKind.SUPPLIER, OrgKind.FUND) else None)
        for role in Role:
            kind = {Role.HOSPITAL_BUYER: OrgKind.HOSPITAL, Role.SUPPLIER_REP: OrgKind.SUPPLIER,
                    Role.SETTLEMENT_OFFICER: OrgKind.FUND, Role.DISTRIBUTOR_REP: OrgKind.DISTRIBUTOR}.get(
                role, OrgKind.BUREAU)
            org = w.orgs[(side, kind)]
            user = accounts.create_user(session, None, username=f"{side.lower()}_{role.value}",
                                        display_name=f"{side} {role.value}", password=PASSWORD,
                                        role=role, org_id=org.id)
            w.users[(side, role)] = user
            w.actors[(side, role)] = accounts.actor_for(session, user)
    return w


@pytest.fixture
def ring():
    """A sealing keyring with one fresh KEK (what JICAI_SEAL_KEK holds in production)."""
    from bidding.keys import Kek, KeyRing

    return KeyRing((Kek.generate("test-1"),))


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and read its CSRF token."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html) or re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the real login form."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def aware(*args) -> datetime:
    """A UTC datetime for tests."""
    return datetime(*args, tzinfo=UTC)


HELD_RE = re.compile(r'name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)"')


def fetch_held(client, page: str):
    """Press the page's "download the marked workbook" button (a POST carrying the held token)."""
    match = HELD_RE.search(page)
    assert match, "no held download on the page"
    return client.post("/downloads", data={"csrf_token": match.group(1), "token": match.group(2)})


def run_together(n: int, work):
    """Run ``work(i, start)`` in ``n`` real threads; each calls ``start()`` where the race begins,
    and all are released from there at once. Returns the results (in completion order) after
    asserting that no thread raised."""
    barrier, results, errors, lock = threading.Barrier(n), [], [], threading.Lock()

    def runner(i: int) -> None:
        try:
            out = work(i, barrier.wait)
            with lock:
                results.append(out)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], errors
    return results
