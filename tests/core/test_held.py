"""Held files: only the user they were made for gets them, and only until they expire."""

from __future__ import annotations

import json
import os
import time

from core import held


def test_the_owner_gets_the_file_back_and_nobody_else(tmp_path):
    token = held.hold(tmp_path, b"PK\x03\x04data", "报量_错误标注.xlsx", user_id=7)
    assert held.take(tmp_path, token, 7) == (b"PK\x03\x04data", "报量_错误标注.xlsx")
    assert held.take(tmp_path, token, 8) is None
    assert held.take(tmp_path, "../../etc/passwd", 7) is None
    assert held.take(tmp_path, "x" * 30, 7) is None  # unknown token


def test_expired_files_are_refused_and_swept(tmp_path):
    old = held.hold(tmp_path, b"old", "a.xlsx", user_id=1)
    meta = tmp_path / f"{old}.json"
    stale = time.time() - held.KEEP_SECONDS - 10
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "at": stale}))
    assert held.take(tmp_path, old, 1) is None
    os.utime(meta, (stale, stale))
    held.hold(tmp_path, b"new", "b.xlsx", user_id=1)  # holding another sweeps the expired one
    assert not meta.exists() and not (tmp_path / f"{old}.bin").exists()
