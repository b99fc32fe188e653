"""Argon2id password hashing (argon2-cffi defaults follow RFC 9106's recommendations) and the
password policy of NIST SP 800-63B: a minimum length, no composition rules, and a check
against common passwords, repeats, sequences and the user's own names.

The common-password screening is zxcvbn (Dropbox's estimator, the maintained Python port on
PyPI, MIT licence): its lists hold the 30,000 most common passwords of the Xato corpus plus
English words, names and keyboard walks, and it finds them inside longer passwords with
l33t substitutions, repeats (``aaaaaaaaaa``), sequences and dates. A password must reach
zxcvbn's score 3 (≥ 10⁸ guesses); one containing the user's username, display name or
organisation name is refused outright.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

#: Verified against when the username does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("jicai-dummy-password")


def configure(time_cost: int, memory_kib: int) -> None:
    """Set the Argon2id cost (from settings); existing hashes keep verifying with their own."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _hasher.hash("jicai-dummy-password")


MIN_LENGTH = 10
MAX_LENGTH = 200
#: zxcvbn score a password must reach (3: "safely unguessable", ≥ 10^8 guesses).
MIN_SCORE = 3
#: zxcvbn's cost grows with length; past this many characters the rest adds only strength.
_SCREEN_CHARS = 64
#: Name parts shorter than this are too common to refuse (a two-letter Latin word); a Chinese
#: name of two characters (王芳) is a name and counts.
_MIN_NAME_PART = 3
_MIN_CJK_NAME_PART = 2


class PasswordPolicyError(ValueError):
    """A new password does not meet the policy."""


def _name_parts(names: Iterable[str | None]) -> list[str]:
    """The user's names and their words, lower-cased, long enough to matter."""
    parts: set[str] = set()
    for name in names:
        if not name:
            continue
        low = name.strip().lower()
        parts.add(low)
        parts.update(w for w in low.replace("_", " ").replace(".", " ").replace("-", " ").split())
    return sorted(p for p in parts if len(p) >= (_MIN_NAME_PART if p.isascii() else _MIN_CJK_NAME_PART))


def check_password(password: str, names: Iterable[str | None] = ()) -> None:
    """Refuse a password that is short, common or guessable, or contains the user's names."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"密码至少 {MIN_LENGTH} 位 / at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"密码最多 {MAX_LENGTH} 位 / at most {MAX_LENGTH} characters")
    parts = _name_parts(names)
    low = password.lower()
    for part in parts:
        if part in low:
            raise PasswordPolicyError("密码不能包含用户名、姓名或机构名称 / the password must not contain "
                                      "your username, name or organisation name")
    if zxcvbn(password[:_SCREEN_CHARS], user_inputs=parts)["score"] < MIN_SCORE:
        raise PasswordPolicyError("密码过于常见或容易猜到（如常用密码、重复或连续字符），请换一个更长、更少见的密码"
                                  " / the password is too common or easy to guess (a common password, "
                                  "repeated or sequential characters): choose a longer, less common one")


def hash_password(password: str, names: Iterable[str | None] = ()) -> str:
    """Hash a new password after checking it against the policy."""
    check_password(password, names)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; runs a full hash even for unknown users."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
