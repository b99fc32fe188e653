"""Backup and restore on a real PostgreSQL: pg_dump → pg_restore → the audit chain verifies."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import text

from core import audit
from core.audit import AuditActor
from core.db import Database, make_engine

URL = os.environ.get("JICAI_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql") or not shutil.which("pg_dump"),
                                reason="PostgreSQL run only (CI runs the suite on both databases)")


def test_dump_and_restore_keep_the_audit_chain(db, tmp_path):
    with db.write_session() as s:
        for i in range(5):
            audit.record(s, AuditActor(None, None, "backup-test"), "test.backup", "thing", i, {"i": i})
        s.commit()
    dump = tmp_path / "jicai.dump"
    source = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True)
    restored_name = db.engine.url.database + "_restored"
    admin = make_engine(db.engine.url.set(database="postgres").render_as_string(hide_password=False)
                        ).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}"'))
        conn.execute(text(f'CREATE DATABASE "{restored_name}"'))
    target = db.engine.url.set(drivername="postgresql", database=restored_name).render_as_string(hide_password=False)
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], check=True)
        restored = Database(target)
        with restored.read_session() as s:
            report = audit.verify_chain(s)
        restored.dispose()
        assert report.ok and report.entries == 5
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()
