"""JSON Web Tokens: the only module that imports jose.

One HMAC algorithm from settings, always passed to decode as `algorithms=[...]`; `exp`, `iat`,
`jti` and `sub` always set and required; a `kid` header names the key so that keys can be
rotated (retired keys stay valid for verification while tokens signed with them expire).
"""

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt

from api.core.config import Settings

_REQUIRED = ("exp", "iat", "jti", "sub")


class InvalidToken(Exception):
    """The token cannot be trusted; the message is for logs, not for clients."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_in: int


def _keys(settings: Settings) -> dict[str, str]:
    keys = {settings.jwt_key_id: settings.secret_key}
    for pair in filter(None, (p.strip() for p in settings.jwt_previous_keys.split(","))):
        kid, _, secret = pair.partition("=")
        if kid and secret and kid not in keys:
            keys[kid] = secret
    return keys


def issue(settings: Settings, *, subject: str, scope: str, claims: dict[str, Any] | None = None,
          lifetime: timedelta | None = None) -> IssuedToken:
    now = datetime.now(UTC)
    lifetime = lifetime or timedelta(minutes=settings.access_token_minutes)
    jti = uuid.uuid4().hex
    payload = {
        **(claims or {}),
        "sub": subject,
        "scope": scope,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": jti,
    }
    token = jwt.encode(payload, settings.secret_key, algorithm=settings.jwt_algorithm,
                       headers={"kid": settings.jwt_key_id})
    return IssuedToken(token=token, jti=jti, expires_in=int(lifetime.total_seconds()))


# Tokens already verified, by (token, keys, algorithm): a partner sends the same token with
# every request for its lifetime, and the signature check is a good part of a cached read's
# cost. Only the signature and claims are remembered; expiry is checked on every use.
_VERIFIED: dict[tuple[str, str, str, str], dict[str, Any]] = {}
_VERIFIED_MAX = 10_000
_verified_lock = threading.Lock()


def verify(settings: Settings, token: str) -> dict[str, Any]:
    """The token's claims, or InvalidToken for anything forged, altered, expired or unknown."""
    key = (token, settings.secret_key, settings.jwt_previous_keys, settings.jwt_algorithm)
    claims = _VERIFIED.get(key)
    if claims is not None:
        if claims["exp"] > time.time():
            return claims
        with _verified_lock:
            _VERIFIED.pop(key, None)
        raise InvalidToken("expired")
    claims = _verify(settings, token)
    with _verified_lock:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = claims
    return claims


def _verify(settings: Settings, token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise InvalidToken("malformed token") from exc
    if header.get("alg") != settings.jwt_algorithm:
        raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
    key = _keys(settings).get(header.get("kid", ""))
    if key is None:
        raise InvalidToken("unknown key id")
    options = {f"require_{claim}": True for claim in _REQUIRED} | {"verify_aud": False}
    try:
        claims = jwt.decode(token, key, algorithms=[settings.jwt_algorithm], options=options)
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("scope", ""), str):
        raise InvalidToken("malformed claims")
    return claims
