"""/readyz beyond the database: it checks Redis when ATA_REDIS_URL is set (the shared rate limits
need it), and answers 503 "stopping" once the process has been asked to stop (api/core/draining.py;
tests/test_multi_instance.py sends a real SIGTERM)."""

import socket

from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.test_throttle import _redis_url
from tests.conftest import make_settings


def _readyz(settings):
    """/readyz as it is, then once the application has been asked to stop."""
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            ready = client.get("/readyz")
            app.state.stopping.set()
            return ready, client.get("/readyz")
    finally:
        app.state.engine.dispose()


def test_an_unreachable_redis_makes_the_instance_unready(database_url):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    answer, _ = _readyz(make_settings(database_url, redis_url=f"redis://127.0.0.1:{port}/0"))
    assert answer.status_code == 503
    assert answer.json()["redis"] == "unreachable" and answer.json()["database"] == "reachable"


def test_a_reachable_redis_is_reported_and_stopping_makes_the_instance_unready(database_url):
    ready, stopping = _readyz(make_settings(database_url, redis_url=_redis_url()))
    assert ready.status_code == 200 and ready.json()["redis"] == "reachable"
    assert stopping.status_code == 503 and stopping.json() == {"status": "stopping"}
