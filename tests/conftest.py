"""Test fixtures: a real database built by Alembic, a real HTTP client, query counting.

SQLite by default (a file in a temporary folder). Set ATA_TEST_DATABASE_URL to a PostgreSQL
server URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and the suite creates
a fresh database of its own on that server, runs against it and drops it at the end.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, insert, make_url, text
from sqlmodel import Session

from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.auth.throttle import make_client_limiter, make_limiter
from api.authz import SYSTEM_SUBJECT
from api.core.config import Settings
from api.core.migrations import upgrade
from api.core.types import metadata
from api.indicators.models import IndicatorValue
from api.main import create_app
from tests import factories
from tests.factories import INACTIVE, PLACES

ADMIN_EMAIL = "test.admin@example.org"

# Reference data seeded by migrations survives between tests.
KEEP_TABLES = {"area", "alembic_version"}


def _postgres_server_url() -> str | None:
    url = os.environ.get("ATA_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@contextmanager
def fresh_database(tmp_dir) -> Iterator[str]:
    """A new empty database: a SQLite file, or a new database on the PostgreSQL server."""
    server = _postgres_server_url()
    if server is None:
        yield f"sqlite:///{tmp_dir}/ata-test-{uuid.uuid4().hex[:8]}.db"
        return
    name = f"ata_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Uploaded files go to a directory of this test run, never into the working tree.
_STORAGE = tempfile.mkdtemp(prefix="ata-test-storage-")


def make_settings(database_url: str, **overrides) -> Settings:
    values = {"database_url": database_url, "env": "test", "secret_key": "test-secret-" + "x" * 32,
              "storage_dir": _STORAGE}
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def app(settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


def _empty_tables(engine: Engine) -> None:
    tables = [t for t in reversed(metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def engine(app) -> Iterator[Engine]:
    yield app.state.engine
    # A connection still checked out here is a session something forgot to close (e.g. a
    # streamed body reading through the request's session): it would hold locks and hang.
    checked_out = getattr(app.state.engine.pool, "checkedout", lambda: 0)()
    _empty_tables(app.state.engine)
    assert checked_out == 0, f"{checked_out} database connection(s) left open by the test's requests"


@pytest.fixture
def anonymous_client(app, engine) -> Iterator[TestClient]:
    """A client with no credentials (and a fresh sign-in limiter, so failures do not leak)."""
    app.state.login_limiter = make_limiter(app.state.settings)
    app.state.client_limiter = make_client_limiter(app.state.settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client_factory(app, engine) -> Iterator:
    """More browsers, each with its own cookies: `other = client_factory()`."""
    made: list[TestClient] = []

    def _make() -> TestClient:
        test_client = TestClient(app, raise_server_exceptions=False)
        made.append(test_client.__enter__())
        return test_client

    yield _make
    for test_client in made:
        test_client.__exit__(None, None, None)


@pytest.fixture
def client(app, anonymous_client) -> TestClient:
    """A client whose API calls carry an admin's bearer token; its web requests are signed out
    until a test signs in through /login."""
    # Inserted directly, not through the service, so that tests counting audit events or
    # accounts see only their own. It cannot sign in: it has no usable password.
    with Session(app.state.engine, expire_on_commit=False) as db:
        admin = UserAccount(email=ADMIN_EMAIL, password_hash="!", is_admin=True)
        db.add(admin)
        db.commit()
    token = auth_service.user_token(app.state.settings, admin).token
    anonymous_client.headers["Authorization"] = f"Bearer {token}"
    return anonymous_client


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session for arranging data directly; commit what the test needs the API to see."""
    with Session(engine, expire_on_commit=False) as db:
        yield db


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine):
    """`with count_queries() as counter:` counts the SQL statements run inside the block."""

    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def _before(conn, cursor, statement, *args) -> None:
            counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return _count


@pytest.fixture
def person(session):
    """`person(email, ...)`: a committed stakeholder with an account; returns (stakeholder, account)."""

    def _make(email: str = "pat.example@example.org", *, is_admin: bool = False, **values):
        made = factories.person_with_account(session, email, is_admin=is_admin, **values)
        session.commit()
        return made

    return _make


@pytest.fixture
def indicator(client, engine):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    rows = [{"indicator_id": "93014", "area_code": code, "period": period, "breakdown": "Persons",
             "value": 20 + n + i, "lower_ci": 18 + n + i, "upper_ci": 22 + n + i, "count": 200 + n,
             "denominator": 1000, "note": "=HYPERLINK(\"http://evil.example\")" if n == 0 else ""}
            for n, code in enumerate(PLACES) for i, period in enumerate(["2021/22", "2022/23"])]
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), rows)
    return INACTIVE


@pytest.fixture
def partner(client, session):
    _, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Council Intelligence",
                                           scopes="indicators:read")
    _, other = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Registry Only",
                                          scopes="registry:read")
    session.commit()

    def token(client_id, client_secret):
        r = client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                    "client_secret": client_secret})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return token("council-intelligence", secret), token("registry-only", other)
