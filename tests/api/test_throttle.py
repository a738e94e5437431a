"""Brute-force protection on the token endpoint."""

import os
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.main import create_app
from tests.conftest import make_settings

PASSWORD = "correct-horse-battery"


def _grant(username, password):
    return {"grant_type": "password", "username": username, "password": password}


def _user(session, email):
    auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={"email": email, "password": PASSWORD})
    session.commit()


def test_account_locked_after_five_failures_even_for_the_right_password(client, session):
    _user(session, "victim@example.org")
    for _ in range(5):
        assert client.post("/api/v1/auth/token", data=_grant("victim@example.org", "guess-guess")).status_code == 400
    r = client.post("/api/v1/auth/token", data=_grant("victim@example.org", PASSWORD))
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 900
    assert r.headers["content-type"] == "application/problem+json"


def test_forged_forwarded_for_does_not_escape_the_address_limit(database_url, engine):
    app = create_app(make_settings(database_url, login_max_failures_per_address=3))
    with TestClient(app, client=("203.0.113.9", 5000)) as c:
        for n in range(3):
            c.post("/api/v1/auth/token", data=_grant(f"user{n}@example.org", "x-guess-x"),
                   headers={"X-Forwarded-For": f"198.51.100.{n}"})
        r = c.post("/api/v1/auth/token", data=_grant("fresh@example.org", "x-guess-x"),
                   headers={"X-Forwarded-For": "198.51.100.77"})
    assert r.status_code == 429


def test_trusted_proxy_forwarded_for_is_believed(database_url, engine):
    app = create_app(make_settings(database_url, login_max_failures_per_address=2, trusted_proxies=["10.0.0.0/8"]))
    with TestClient(app, client=("10.1.2.3", 5000)) as c:
        for _ in range(2):
            c.post("/api/v1/auth/token", data=_grant("a@example.org", "x-guess-x"),
                   headers={"X-Forwarded-For": "198.51.100.1"})
        other_caller = c.post("/api/v1/auth/token", data=_grant("b@example.org", "x-guess-x"),
                              headers={"X-Forwarded-For": "198.51.100.2, 10.9.9.9"})
        same_caller = c.post("/api/v1/auth/token", data=_grant("c@example.org", "x-guess-x"),
                             headers={"X-Forwarded-For": "198.51.100.1"})
    assert other_caller.status_code == 400
    assert same_caller.status_code == 429


def _redis_url() -> str:
    url = os.environ.get("ATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url} (CI requires one)")
    return url


def test_two_app_processes_share_counts_through_redis(database_url, engine, session):
    url = _redis_url()
    email = f"shared-{uuid.uuid4().hex[:8]}@example.org"
    _user(session, email)
    settings = make_settings(database_url, redis_url=url, login_max_failures_per_account=4)
    first, second = create_app(settings), create_app(settings)
    # A fresh address each run: Redis keeps counts between runs for the whole window.
    address = (f"2001:db8::{uuid.uuid4().hex[:4]}", 5000)
    with TestClient(first, client=address) as a, TestClient(second, client=address) as b:
        for c in (a, b, a, b):
            assert c.post("/api/v1/auth/token", data=_grant(email, "x-guess-x")).status_code == 400
        assert a.post("/api/v1/auth/token", data=_grant(email, PASSWORD)).status_code == 429
        assert b.post("/api/v1/auth/token", data=_grant(email, PASSWORD)).status_code == 429
