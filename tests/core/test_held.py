"""Held files: encrypted under a key only the download token holds; only the user they were made
for gets them, only until they expire; bounded per file and per user; swept on schedule."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from core import held
from jobs import tasks
from jobs.models import JobRun

SECRET = b"PK\x03\x04 pack price 8.7654 capacity 9876543"
LIMITS = held.Limits(keep_seconds=3600, max_file_bytes=1000, user_files=3, user_bytes=2600)


def _disk(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_owner_gets_the_file_back_and_nobody_else(tmp_path):
    token = held.hold(tmp_path, SECRET, "报价_错误标注.xlsx", user_id=7)
    assert held.take(tmp_path, token, 7) == (SECRET, "报价_错误标注.xlsx")
    assert held.take(tmp_path, token, 8) is None
    assert held.take(tmp_path, "../../etc/passwd", 7) is None
    assert held.take(tmp_path, "x" * 43, 7) is None  # well formed, but no such file
    # tamper with the first character: the last one of 43 base64url characters carries two unused
    # bits, so changing it can decode to the very same key (the test then failed one run in four)
    assert held.take(tmp_path, ("A" if token[0] != "A" else "B") + token[1:], 7) is None


def test_nothing_on_disk_reads_without_the_token(tmp_path):
    token = held.hold(tmp_path, SECRET, "报价_错误标注.xlsx", user_id=7)
    disk = _disk(tmp_path)
    assert b"8.7654" not in disk and b"9876543" not in disk and "报价".encode() not in disk
    assert token.encode() not in disk and held._key(token) not in disk  # the key is not kept
    assert all(p.stat().st_mode & 0o077 == 0 for p in tmp_path.iterdir())


def test_the_record_cannot_be_reassigned_to_another_user(tmp_path):
    token = held.hold(tmp_path, SECRET, "a.xlsx", user_id=7)
    meta = next(tmp_path.glob("*.json"))
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "user": 8}))
    assert held.take(tmp_path, token, 8) is None and held.take(tmp_path, token, 7) is None


def test_expired_files_are_refused_and_swept(tmp_path):
    now = time.time()
    old = held.hold(tmp_path, b"old", "a.xlsx", user_id=1, limits=LIMITS, now=now)
    assert held.take(tmp_path, old, 1, now=now + 3599) is not None
    assert held.take(tmp_path, old, 1, now=now + 3601) is None
    assert held.sweep(tmp_path, now + 3601) == 1
    assert list(tmp_path.iterdir()) == []


def test_files_in_the_old_clear_format_are_swept(tmp_path):
    (tmp_path / "tok.bin").write_bytes(SECRET)
    (tmp_path / "tok.json").write_text(json.dumps({"user": 1, "filename": "a.xlsx", "at": time.time()}))
    assert held.sweep(tmp_path) == 1 and list(tmp_path.iterdir()) == []


def test_a_file_over_the_size_bound_is_not_held(tmp_path):
    with pytest.raises(held.HeldTooLarge) as refused:
        held.hold(tmp_path, b"x" * 1001, "big.xlsx", user_id=1, limits=LIMITS)
    assert "过大" in refused.value.zh and "too large" in refused.value.en
    assert not any(tmp_path.glob("*.bin"))


def test_over_the_quota_the_users_oldest_files_go_first(tmp_path):
    now = time.time()
    tokens = [held.hold(tmp_path, bytes([n]) * 800, f"{n}.xlsx", user_id=1, limits=LIMITS, now=now + n)
              for n in range(4)]
    other = held.hold(tmp_path, b"o" * 800, "o.xlsx", user_id=2, limits=LIMITS, now=now)
    kept = [held.take(tmp_path, t, 1, now=now + 10) is not None for t in tokens]
    assert kept == [False, True, True, True]  # count: at most 3 per user
    big = held.hold(tmp_path, b"b" * 1000, "b.xlsx", user_id=1, limits=LIMITS, now=now + 5)
    kept = [held.take(tmp_path, t, 1, now=now + 10) is not None for t in tokens]
    assert kept == [False, False, True, True]  # bytes: 800 + 800 + 1000 ≤ 2600 once the oldest went
    assert held.take(tmp_path, big, 1, now=now + 10) is not None
    assert held.take(tmp_path, other, 2, now=now + 10) is not None  # another user's files are untouched


def test_the_hourly_pass_sweeps_expired_files(db, tmp_path):
    folder = held.folder_of(tmp_path)
    held.hold(folder, SECRET, "a.xlsx", user_id=1, limits=LIMITS, now=time.time() - 7200)
    tasks.set_held_folder(folder)
    try:
        report = tasks.calendar_pass(db, datetime.now(UTC))
    finally:
        tasks.set_held_folder(None)
    assert "sweep_held_files" in report.done and list(folder.iterdir()) == []
    with db.read_session() as s:
        assert len(s.exec(select(JobRun).where(JobRun.name == "sweep_held_files")).all()) == 1
