"""Engines, sessions and transactions for SQLite (default) and PostgreSQL (production).

Write safety:

* **SQLite** runs in WAL mode; a *write* session starts its transaction with
  ``BEGIN IMMEDIATE``, so two writers never interleave a read-modify-write: the second waits
  (``busy_timeout``) for the first to commit. Read sessions use a plain deferred ``BEGIN``.
* **PostgreSQL** runs at READ COMMITTED; services that read-modify-write lock the rows they
  change (:func:`lock_for_update`) and serialise chains (the audit log) with transaction-level
  advisory locks (:func:`advisory_xact_lock`).
* :func:`retrying` re-runs a unit of work on a serialization failure or deadlock.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from operator import itemgetter
from typing import TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

T = TypeVar("T")
WRITE_OPTION = "jicai_write"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url`` with the platform's transaction discipline installed."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": 60, "check_same_thread": False},
        )
        _install_sqlite_discipline(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _install_sqlite_discipline(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for write sessions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - exercised via engine
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # pragma: no cover - exercised via engine
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """An engine plus the two session factories the platform uses (read and write)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        """Connect lazily to ``url``."""
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._read = sessionmaker(bind=self.engine, class_=Session, expire_on_commit=False)
        write_bind = self.engine.execution_options(**{WRITE_OPTION: True})
        self._write = sessionmaker(bind=write_bind, class_=Session, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def read_session(self) -> Session:
        """A session for reading (deferred transactions on SQLite)."""
        return self._read()

    def write_session(self) -> Session:
        """A session whose transactions take the write lock up front on SQLite."""
        return self._write()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def is_retryable(exc: BaseException) -> bool:
    """True for serialization failures, deadlocks and SQLite busy errors."""
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in {"40001", "40P01"}:
            return True
        if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
            return True
    return False


def retrying(unit: Callable[[], T], *, attempts: int = 5, pause: float = 0.05) -> T:
    """Run ``unit`` (which opens, commits and closes its own session) with retries."""
    for attempt in range(1, attempts + 1):
        try:
            return unit()
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


def lock_for_update(session: Session, model: type[T], pk: object) -> T | None:
    """Load one row and lock it against concurrent writers until the transaction ends.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite: the write transaction already holds the
    database write lock (``BEGIN IMMEDIATE``), so a plain read is enough.
    """
    return session.get(model, pk, with_for_update=True, populate_existing=True)


def advisory_xact_lock(session: Session, name: str, *, shared: bool = False) -> None:
    """Serialise a named critical section until commit (PostgreSQL); SQLite is serialised already.

    ``shared``: many holders at once, but none while an exclusive holder has it (e.g. edits of
    settlement lines, shared, against a settlement run, exclusive).
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) & 0x7FFFFFFF
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        session.execute(text(f"SELECT {fn}(:k)"), {"k": key})


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows of one shape into ``table`` in the session's transaction.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection (no statement per row;
    server-side checks such as foreign keys still cost per row). SQLite: a Core executemany.
    Values must be what the column's driver takes (ints, str, date, aware datetime).
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    with conn.connection.driver_connection.cursor() as cur, cur.copy(
            f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(values(row))
