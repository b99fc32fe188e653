"""The per-account throttle is atomic: parallel wrong logins check at most the policy's number
of passwords (real threads, each with its own connection; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import select

from accounts import services
from accounts.models import LoginAttempt
from accounts.roles import Role
from tests.conftest import PASSWORD, run_together

POLICY = services.LoginPolicy(max_failures=5, window_seconds=900)


def _parallel_logins(db, username: str, password: str, n: int) -> list[services.LoginOutcome]:
    """``n`` threads log in at once, each on its own write session."""

    def attempt(i: int, start) -> services.LoginOutcome:
        with db.write_session() as s:
            start()
            return services.authenticate(s, username, password, f"198.51.100.{i}", POLICY, sleep=lambda _s: None)

    return run_together(n, attempt)


def test_thirty_parallel_wrong_logins_check_at_most_five_passwords(db, world):
    name = world.username("A", Role.HOSPITAL_BUYER)
    outcomes = _parallel_logins(db, name, "wrong-password-123", 30)
    checked = [o for o in outcomes if not o.throttled]
    assert len(outcomes) == 30 and len(checked) <= POLICY.max_failures
    with db.read_session() as s:
        rows = s.exec(select(LoginAttempt).where(LoginAttempt.username == name)).all()
    assert len(rows) == len(checked) and {r.outcome for r in rows} == {"failed"}
    with db.write_session() as s:  # the account is locked for its own user too (strict per account)
        assert services.authenticate(s, name, PASSWORD, "203.0.113.1", POLICY).throttled


def test_unknown_users_are_throttled_exactly_like_real_ones(db, world):
    ghost = _parallel_logins(db, "nobody-here", "wrong-password-123", 12)
    real = _parallel_logins(db, world.username("A", Role.ADMIN), "wrong-password-123", 12)
    assert sorted(o.throttled for o in ghost) == sorted(o.throttled for o in real)
    assert all(o.user is None for o in ghost + real)
