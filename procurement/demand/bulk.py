"""Fast bulk INSERT of plain rows inside the session's transaction.

PostgreSQL: ``COPY … FROM STDIN`` through psycopg (binary-safe, one round trip per buffer).
SQLite: the driver's ``executemany`` on tuples (no per-row ORM or bind processing). Only for
tables whose columns need no type conversion (integers, text, booleans).
"""

from __future__ import annotations

from collections.abc import Sequence

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
