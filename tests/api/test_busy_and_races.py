"""Load-test findings (bench/README.md): an overloaded instance says so with 503 and Retry-After
instead of a 500, and two sign-ins to one account at once both succeed."""

from contextlib import ExitStack

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import service as auth_service
from api.main import create_app
from tests.conftest import make_settings
from tests.factories import PASSWORD


def test_with_every_database_connection_busy_a_request_is_answered_503_promptly(database_url, client):
    settings = make_settings(database_url, db_pool_size=1, db_pool_timeout=0.5)
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as browser, ExitStack() as held:
            for _ in range(2):  # the pool's one connection and its one overflow
                held.enter_context(app.state.engine.connect())
            answer = browser.get("/api/v1/places", headers={"Authorization": client.headers["Authorization"]})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"] == "The service is busy; try again shortly."
    finally:
        app.state.engine.dispose()


def test_two_sign_ins_to_one_account_at_once_both_succeed(engine, person):
    _, account = person("two.devices@example.org")
    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        # Both have read the account before either signs in (two devices, or a retry).
        held = [auth_service.user_by_email(first, account.email), auth_service.user_by_email(second, account.email)]
        assert auth_service.authenticate_user(first, email=account.email, password=PASSWORD) is not None
        first.commit()
        signed = auth_service.authenticate_user(second, email=account.email, password=PASSWORD)
        second.commit()
    assert signed is held[1] and signed.last_sign_in_at is not None
