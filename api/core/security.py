"""Password and secret hashing (argon2 via pwdlib), and comparing presented secrets."""

import hmac
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


def constant_time_equals(expected: str, presented: str) -> bool:
    """Whether a presented token (CSRF, feed link, signed form value) is the expected one, in
    time that does not depend on where they differ. Compared as UTF-8 bytes: the presented value
    comes from the client and may hold any character, which `hmac.compare_digest` refuses for
    strings with an error instead of answering no."""
    return hmac.compare_digest(expected.encode(), presented.encode("utf-8", "surrogatepass"))


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
