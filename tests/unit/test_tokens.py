"""Forged, altered, expired and unknown-key tokens are refused."""

import base64
import json
import time
from datetime import timedelta

import pytest
from jose import jwt

from api.core import tokens
from api.core.config import Settings
from api.core.security import hash_secret, verify_secret

SECRET = "unit-test-secret-" + "k" * 32


def _settings(**overrides) -> Settings:
    return Settings(_env_file=None, **({"env": "test", "secret_key": SECRET} | overrides))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_round_trip_has_required_claims():
    settings = _settings()
    issued = tokens.issue(settings, subject="user:7", scope="registry:read")
    claims = tokens.verify(settings, issued.token)
    assert claims["sub"] == "user:7" and claims["scope"] == "registry:read"
    assert claims["jti"] == issued.jti
    assert claims["exp"] - claims["iat"] == settings.access_token_minutes * 60
    assert jwt.get_unverified_header(issued.token)["kid"] == "k1"


def test_alg_none_is_refused():
    settings = _settings()
    now = int(time.time())
    claims = {"sub": "user:1", "scope": "", "iat": now, "exp": now + 60, "jti": "x"}
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'k1'})}.{_b64(claims)}."
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(settings, forged)


def test_altered_signature_and_payload_are_refused():
    settings = _settings()
    token = tokens.issue(settings, subject="user:1", scope="").token
    head, body, sig = token.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(settings, f"{head}.{body}.{flipped}")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "user:2"
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(settings, f"{head}.{_b64(claims)}.{sig}")


def test_other_secret_is_refused():
    token = tokens.issue(_settings(), subject="user:1", scope="").token
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(_settings(secret_key="another-secret-" + "z" * 32), token)


def test_missing_exp_is_refused():
    now = int(time.time())
    token = jwt.encode({"sub": "user:1", "scope": "", "iat": now, "jti": "j"}, SECRET, algorithm="HS256",
                       headers={"kid": "k1"})
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(_settings(), token)


def test_expired_is_refused():
    settings = _settings()
    token = tokens.issue(settings, subject="user:1", scope="", lifetime=timedelta(seconds=-5)).token
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(settings, token)


def test_unknown_kid_refused_and_rotation_grace():
    old = _settings(jwt_key_id="old")
    token = tokens.issue(old, subject="user:1", scope="").token
    rotated = _settings(jwt_key_id="new", secret_key="rotated-secret-" + "r" * 32)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(rotated, token)
    grace = _settings(jwt_key_id="new", secret_key="rotated-secret-" + "r" * 32,
                      jwt_previous_keys=f"old={SECRET}")
    assert tokens.verify(grace, token)["sub"] == "user:1"


def test_other_algorithm_is_refused():
    now = int(time.time())
    token = jwt.encode({"sub": "u", "scope": "", "iat": now, "exp": now + 60, "jti": "j"}, SECRET,
                       algorithm="HS512", headers={"kid": "k1"})
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(_settings(), token)


def test_garbage_is_refused():
    for junk in ["", "abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..."]:
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(_settings(), junk)


def test_password_hashing():
    hashed = hash_secret("correct horse")
    assert hashed.startswith("$argon2")
    assert verify_secret("correct horse", hashed)
    assert not verify_secret("wrong", hashed)
    assert not verify_secret("anything", None)
