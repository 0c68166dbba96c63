"""Password hashing (argon2id) and the CJIS password rules.

CJIS Security Policy 5.6.2.1: at least 20 characters when the password is the only factor,
at least 8 when a second factor is used; not the user name; not one of the last 10.
"""
from __future__ import annotations

from collections.abc import Sequence

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from .errors import PasswordRejected

HISTORY_DEPTH = 10
MIN_WITH_SECOND_FACTOR = 8
MIN_SINGLE_FACTOR = 20

# OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32,
                         salt_len=16, type=Type.ID)

_BANNED_FILE = Path(__file__).resolve().parents[2] / "resources" / "banned-passwords.txt"


@lru_cache(maxsize=1)
def banned_passwords() -> frozenset[str]:
    words = _BANNED_FILE.read_text(encoding="utf-8").split()
    return frozenset(w.strip().lower() for w in words if w.strip())


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_rules(password: str, username: str, *, second_factor: bool,
                history: Sequence[str] = ()) -> None:
    """Raise :class:`PasswordRejected` naming the first rule the password breaks."""
    minimum = MIN_WITH_SECOND_FACTOR if second_factor else MIN_SINGLE_FACTOR
    if len(password) < minimum:
        why = "with a second factor" if second_factor else "without a second factor"
        raise PasswordRejected(f"The password must have at least {minimum} characters {why}.")
    low = password.lower()
    if username.lower() in low:
        raise PasswordRejected("The password must not contain the user name.")
    stripped = low.rstrip("0123456789!@#$%^&*?.")
    if low in banned_passwords() or stripped in banned_passwords():
        raise PasswordRejected("That password is on the list of banned (commonly used) passwords.")
    if len(set(password)) < 4:
        raise PasswordRejected("The password must not be one character repeated.")
    for old in list(history)[:HISTORY_DEPTH]:
        if verify_password(old, password):
            raise PasswordRejected(f"The password must not be one of your last {HISTORY_DEPTH}.")
