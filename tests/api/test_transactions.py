"""One transaction per request: all of a request's writes land, or none do."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from api.authz import SYSTEM_SUBJECT
from api.core.db import savepoint
from api.deps import SessionDep
from api.main import create_app
from api.registry import service
from api.registry.models import Organisation


def test_error_after_a_flush_rolls_back_the_whole_request(settings, engine, session):
    app = create_app(settings)

    @app.post("/api/v1/test-half-write")
    def half_write(db: SessionDep):
        service.create_organisation(db, actor=SYSTEM_SUBJECT, data={"name": "Half Written", "sector": "public"})
        raise RuntimeError("fails after the flush")

    with TestClient(app, raise_server_exceptions=False) as c:
        # Unauthenticated writes are answered before the route; this route checks no token itself.
        r = c.post("/api/v1/test-half-write", headers={"Authorization": "Bearer unchecked"})
        assert r.status_code == 500
    assert session.exec(select(Organisation)).all() == []
    assert session.exec(text("SELECT count(*) FROM audit_event")).one()[0] == 0


def _names(session) -> set[str]:
    return set(session.exec(select(Organisation.name)).all())


def _organisation(db, name: str) -> None:
    service.create_organisation(db, actor=SYSTEM_SUBJECT, data={"name": name, "sector": "public"})


def test_a_failed_savepoint_undoes_only_its_own_writes(engine, session):
    with Session(engine) as db:
        _organisation(db, "Before")
        with pytest.raises(RuntimeError), savepoint(db):
            _organisation(db, "Inside")
            raise RuntimeError("the form was wrong")
        _organisation(db, "After")
        db.commit()
    assert _names(session) == {"Before", "After"}


def test_a_released_savepoint_still_rolls_back_with_its_request(engine, session):
    # The savepoint is the request's first write: on SQLite its RELEASE must not commit.
    with Session(engine) as db:
        db.exec(select(Organisation.id)).all()
        with savepoint(db):
            _organisation(db, "Released")
        db.rollback()
    assert _names(session) == set()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; this run is on PostgreSQL")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
