"""Redis (ATA_REDIS_URL) down while the instance still takes requests: every request that must be
counted against a shared limit (a partner's budget, sign-in attempts, the open-data door's budget)
gets a 503 with Retry-After (problem+json at the API, the error page on the web), never a 500 and
never let through uncounted; a Redis that takes the connection and never answers holds a request
for about half a second. /readyz answers 503 meanwhile (tests/test_readiness.py)."""

import socket
import time
from contextlib import contextmanager
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.core import tokens
from api.main import create_app
from tests.conftest import make_settings
from tests.web.conftest import sign_in

DETAIL = "The service cannot check its request limits just now; try again shortly."


def _closed_port() -> int:
    with socket.socket() as s:  # a port nothing listens on: refused at once
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _app_with_a_partner(database_url: str, redis_port: int):
    """An application whose Redis is at `redis_port`, and a partner client of it: (test client,
    client id, secret, bearer header). The token is issued as the token endpoint issues it
    (which itself cannot count attempts without Redis)."""
    app = create_app(make_settings(database_url, redis_url=f"redis://127.0.0.1:{redis_port}/0"))
    with Session(app.state.engine) as db:
        client, secret = auth_service.create_client(db, actor=SYSTEM_SUBJECT, name="Outage Partner",
                                                    scopes="indicators:read", client_id=f"outage-{uuid4().hex[:8]}")
        db.commit()
        token = tokens.issue(app.state.settings, subject=f"client:{client.client_id}", scope="indicators:read",
                             claims={"gen": client.token_generation}).token
        client_id = client.client_id
    try:
        with TestClient(app, raise_server_exceptions=False) as http:
            yield http, client_id, secret, {"Authorization": f"Bearer {token}"}
    finally:
        app.state.engine.dispose()


@pytest.fixture
def outage(database_url):
    with _app_with_a_partner(database_url, _closed_port()) as parts:
        yield parts


def _problem(answer) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "5"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == DETAIL


def test_counted_api_requests_are_refused_with_503_while_redis_is_down(outage):
    http, client_id, secret, bearer = outage
    _problem(http.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                   "client_secret": secret}))
    _problem(http.get("/api/v1/indicators", headers=bearer))  # the thread-pool path
    _problem(http.get("/api/v1/data", headers=bearer))  # the event-loop path (api/deps.admit)
    _problem(http.get("/fingertips/api/area_types"))  # the open-data door's per-address budget


def test_signing_in_on_the_web_shows_the_error_page_while_redis_is_down(outage):
    http, *_ = outage
    page = sign_in(http, "someone@example.org", "a-password-not-checked")
    assert page.status_code == 503 and page.headers["retry-after"] == "5"
    assert page.headers["content-type"].startswith("text/html") and DETAIL in page.text


def test_a_redis_that_accepts_but_never_answers_costs_a_request_at_most_about_half_a_second(database_url):
    """The count's wait for Redis is bounded (api/core/ratelimit.RedisCounter): a Redis that
    takes the connection and then says nothing holds a partner's request, and on the data routes
    the event loop, for about half a second, not for the client library's default."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the backlog and are never read
        with _app_with_a_partner(database_url, silent.getsockname()[1]) as (http, _, _, bearer):
            started = time.monotonic()
            answer = http.get("/api/v1/data", headers=bearer)
            waited = time.monotonic() - started
    _problem(answer)
    assert waited < 1.5, f"held {waited:.1f} s"
