"""Fast bulk INSERT of plain rows inside the session's transaction.

PostgreSQL: ``COPY … FROM STDIN`` through psycopg (binary-safe, one round trip per buffer).
SQLite: the driver's ``executemany`` on tuples (no per-row ORM or bind processing). Only for
tables whose columns need no type conversion (integers, text, booleans). :class:`CopyStream`
writes while the caller keeps working (PostgreSQL), kept or dropped at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from sqlmodel import Session


def copy_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the current transaction."""
    if not rows:
        return
    conn = session.connection()
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608 - fixed names


class CopyStream:
    """Rows written while the caller goes on working, kept or dropped at the end.

    PostgreSQL: one ``COPY`` in a background thread on the session's own connection (so inside
    its transaction), started at once: the server inserts and checks the foreign keys of the
    rows (most of an import's write time) while this process validates. The caller must not use
    the session until :meth:`keep` or :meth:`drop` (always call one, in a ``finally``); a
    dropped stream's rows go with the caller's rollback, so a refused upload still writes
    nothing. SQLite: nothing happens until :meth:`keep`, which writes the rows there and then
    (SQLite has no second process to overlap with).
    """

    _CHECK = 4096  # rows between looks at the stop flag

    def __init__(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Start writing ``rows`` (tuples in ``columns`` order) into ``table``."""
        self._session, self._table, self._columns, self._rows = session, table, tuple(columns), rows
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.written = 0
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            self._thread = threading.Thread(target=self._copy, args=(raw,), name=f"copy-{table}", daemon=True)
            self._thread.start()

    def _copy(self, raw) -> None:
        """The background COPY; an error is kept for :meth:`keep` to raise."""
        names = ", ".join(self._columns)
        try:
            with raw.cursor() as cursor, cursor.copy(f"COPY {self._table} ({names}) FROM STDIN") as copy:
                check, written = self._CHECK, 0
                for row in self._rows:
                    copy.write_row(row)
                    written += 1
                    if written % check == 0 and self._stop.is_set():
                        raise _Dropped
                self.written = written
        except _Dropped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by keep()
            self._error = exc

    def keep(self) -> int:
        """Wait for every row to be written (SQLite: write them now); raise the writer's error; return the row count."""
        if self._thread is None:
            rows = list(self._rows)
            copy_rows(self._session, self._table, self._columns, rows)
            self.written = len(rows)
            return self.written
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.written

    def drop(self) -> None:
        """Stop writing and wait for the writer to let go of the connection (the caller rolls back)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()


class _Dropped(Exception):
    """Raised inside the COPY to abandon it."""
