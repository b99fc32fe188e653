"""Fast bulk INSERT of plain rows inside the session's transaction.

PostgreSQL: ``COPY … FROM STDIN`` through psycopg (binary-safe, one round trip per buffer).
SQLite: the driver's ``executemany`` on tuples (no per-row ORM or bind processing). Only for
tables whose columns need no type conversion (integers, text, booleans). :class:`PartStream`
writes parts while the caller keeps reading (PostgreSQL), kept or dropped at the end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Connection
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


class PartStream:
    """Parts of rows written by a background thread while the caller goes on reading (PostgreSQL).

    Each part is one ``COPY`` on the session's own connection, so inside its transaction: the
    server inserts a part and checks its foreign keys (most of an import's write time) while
    this process reads the next. ``rows_of(connection, part)`` runs in the writer thread and
    gives the part's tuples (it may first write what they refer to, on that connection). The
    caller must not use the session until :meth:`keep` or :meth:`drop` (always call one, in a
    ``finally``); a dropped stream's rows go with the caller's rollback, so a refused upload
    still writes nothing.
    """

    _CHECK = 4096  # rows between looks at the stop flag

    def __init__(self, session: Session, table: str, columns: Sequence[str],
                 rows_of: Callable[[Connection, object], Iterable[tuple]]) -> None:
        """Start the writer thread (parts are given with :meth:`put`)."""
        self._conn = session.connection()
        if self._conn.dialect.name != "postgresql":
            raise ValueError("PartStream writes by COPY: PostgreSQL only")
        self._copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._rows_of = rows_of
        self._parts: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self.written = 0
        self._thread: threading.Thread | None = threading.Thread(target=self._run, name=f"copy-{table}", daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` or :meth:`drop` was called, or a part failed."""
        return self._stop.is_set() or self._error is not None

    def put(self, part: object) -> None:
        """Queue a part (ignored once stopped)."""
        if not self.stopped:
            self._parts.put(part)

    def stop(self) -> None:
        """Write no further part (the caller has found the upload will be refused)."""
        self._stop.set()

    def _run(self) -> None:
        """Write the parts in turn; after an error or a stop, only drain the queue."""
        raw = self._conn.connection.driver_connection
        while (part := self._parts.get()) is not _END:
            if self.stopped:
                continue
            try:
                rows = self._rows_of(self._conn, part)
                with raw.cursor() as cursor, cursor.copy(self._copy_sql) as copy:
                    written, check = 0, self._CHECK
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                        if written % check == 0 and self._stop.is_set():
                            raise _Dropped
                self.written += written
            except _Dropped:
                pass
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by keep()
                self._error = exc

    def _join(self) -> None:
        """Let the thread finish what is queued and end."""
        if self._thread is not None:
            self._parts.put(_END)
            self._thread.join()
            self._thread = None

    def keep(self) -> int:
        """Wait for every part to be written; raise a part's error; return the rows written."""
        self._join()
        if self._error is not None:
            raise self._error
        return self.written

    def drop(self) -> None:
        """Stop writing and wait for the writer to let go of the connection (the caller rolls back)."""
        self._stop.set()
        self._join()


_END = object()


class _Dropped(Exception):
    """Raised inside the COPY to abandon it."""
