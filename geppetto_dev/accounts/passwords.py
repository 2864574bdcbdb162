"""Password hashes, from Werkzeug's hashers (scrypt by default): nothing home-made.

A hash carries its method and parameters (`scrypt:32768:8:1$salt$hash`), so hashes made with
older parameters still verify. A login for a name that does not exist is checked against a
hash all the same, so the answer takes as long as for a real account.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from geppetto_dev.errors import GeppettoDevError

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "check_new", "hash_password", "verify", "verify_nobody"]

MIN_LENGTH = 8
# Longer input is refused before hashing: a megabyte "password" would cost the server seconds.
MAX_LENGTH = 1024


def check_new(password: str) -> str:
    """A new password, or a one-line error saying what is wrong with it."""
    if len(password) < MIN_LENGTH:
        plural = "" if len(password) == 1 else "s"
        raise GeppettoDevError(
            f"the password is too short ({len(password)} character{plural})",
            f"use at least {MIN_LENGTH} characters",
        )
    if len(password) > MAX_LENGTH:
        raise GeppettoDevError(
            f"the password is too long ({len(password)} characters)",
            f"use at most {MAX_LENGTH} characters",
        )
    return password


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify(password_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:  # a hash this Werkzeug cannot read
        return False


@lru_cache(maxsize=1)
def _nobody() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> bool:
    """Spend what verifying a real password costs; always False."""
    verify(_nobody(), password[:MAX_LENGTH])
    return False
