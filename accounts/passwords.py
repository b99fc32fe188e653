"""Argon2id password hashing (argon2-cffi defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

#: Verified against when the username does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("jicai-dummy-password")


def configure(time_cost: int, memory_kib: int) -> None:
    """Set the Argon2id cost (from settings); existing hashes keep verifying with their own."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _hasher.hash("jicai-dummy-password")

MIN_LENGTH = 10


class PasswordPolicyError(ValueError):
    """A new password does not meet the policy."""


def hash_password(password: str) -> str:
    """Hash a new password after checking the minimum policy."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"密码至少 {MIN_LENGTH} 位 / at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; runs a full hash even for unknown users."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
