"""Password and secret hashing (argon2 via pwdlib)."""

import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
# Compared against when no account matches, so that a miss costs as long as a wrong password
# and response times do not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret: str, hashed: str | None) -> bool:
    if hashed is None:
        _hasher.verify(secret, _DUMMY_HASH)
        return False
    return _hasher.verify(secret, hashed)


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
