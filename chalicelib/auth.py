"""Staff credentials. Passwords and PINs are stored only as argon2id hashes."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher  # argon2id with the library's current recommended cost

    return PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def secret_matches(stored_hash: str, secret: str) -> bool:
    from argon2.exceptions import VerificationError, InvalidHashError

    try:
        return _hasher().verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
