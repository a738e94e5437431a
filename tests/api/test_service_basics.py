"""Health, errors, access gate and the OpenAPI document."""

from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import make_settings


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migrations"] == "at head"


def test_readiness_fails_on_an_unmigrated_database(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/empty.db"))
    with TestClient(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["migrations"] == "pending"


def test_unknown_path_and_method_are_problem_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    r = client.put("/api/v1/organisations")
    assert r.status_code == 405
    assert r.json()["status"] == 405


def test_malformed_json_is_400(client):
    r = client.post("/api/v1/organisations", content=b'{"name": ', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["type"] == "/problems/malformed-json"


def test_wrong_content_type_is_rejected(client):
    r = client.post("/api/v1/organisations", content=b"name=x", headers={"content-type": "text/plain"})
    assert r.status_code in (400, 415, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_unexpected_error_has_no_stack_trace(settings):
    app = create_app(settings)

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_production_without_sign_in_refuses_the_api(database_url):
    app = create_app(make_settings(database_url, env="production", secret_key="p" * 40))
    with TestClient(app) as c:
        r = c.get("/api/v1/stakeholders")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert c.post("/api/v1/organisations", json={"name": "X", "sector": "public"}).status_code == 401
        assert c.get("/healthz").status_code == 200


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_openapi_document_lists_the_contract_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ["/api/v1/places", "/api/v1/places/{gss_code}", "/api/v1/areas", "/api/v1/organisations",
                 "/api/v1/organisations/{organisation_id}", "/api/v1/stakeholders",
                 "/api/v1/stakeholders/{stakeholder_id}", "/api/v1/groups", "/api/v1/groups/{group_id}",
                 "/api/v1/groups/{group_id}/memberships", "/api/v1/memberships/{membership_id}",
                 "/api/v1/export/popolo", "/api/v1/audit-events"]:
        assert path in paths, path
