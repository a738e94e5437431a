"""The OpenAPI document declares the problems each operation can answer, as the service sends them."""

from typing import Annotated

import jsonschema
import pytest
from fastapi import Depends, FastAPI, Request
from openapi_spec_validator import validate

from api import authz
from api.authz import Subject
from api.core.errors import PROBLEM_JSON, install_error_handlers
from api.core.http import check_if_match
from api.core.pagination import PageDep
from api.deps import require
from api.openapi import install_openapi

PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture(scope="module")
def document(app):
    return app.openapi()


def _codes(document, method: str, path: str) -> set[str]:
    return set(document["paths"][f"/api/v1{path}"][method]["responses"])


def _errors(document, method: str, path: str) -> set[int]:
    return {int(code) for code in _codes(document, method, path) if code.isdigit() and int(code) >= 400}


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_declared_error_is_a_problem(document):
    seen = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.isdigit() and int(code) >= 400:
                    seen += 1
                    assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}, (method, path)
                    assert response["description"], (method, path, code)
    assert seen > 300
    # FastAPI's own validation shape is never sent, so it is not described either.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "HTTPValidationError" not in str(document)


def test_representative_operations_declare_what_they_can_answer(document):
    # A read by id: signed in, a rule, a missing record, a bad id, the client budget; 304 on If-None-Match.
    assert _errors(document, "get", "/organisations/{organisation_id}") == {401, 403, 404, 422, 429, 503}
    assert "304" in _codes(document, "get", "/organisations/{organisation_id}")
    # A list: no record to miss, but a cursor that is not one of ours.
    assert _errors(document, "get", "/organisations") == {400, 401, 403, 422, 429, 503}
    # A conditional update: everything, If-Match included.
    assert _errors(document, "patch", "/meetings/{meeting_id}") == {400, 401, 403, 404, 409, 412, 413, 422, 429,
                                                                    503}
    # A write without If-Match: no 412.
    assert _errors(document, "put", "/meetings/{meeting_id}/attendance") == {
        400, 401, 403, 404, 409, 413, 422, 429, 503}
    # An upload: the size cap and the content check.
    assert {413, 415} <= _errors(document, "post", "/meetings/{meeting_id}/documents")
    # A CSV body declared by hand (openapi_extra) is a body too.
    assert {400, 413, 415, 422} <= _errors(document, "post", "/groups/{group_id}/memberships/import")
    # Sign-in: no token needed, so no 403; OAuth2 errors and the failure throttle.
    assert _errors(document, "post", "/auth/token") == {400, 401, 413, 422, 429, 503}
    assert "security" not in document["paths"]["/api/v1/auth/token"]["post"]
    # A query parameter naming a record that must exist.
    assert 404 in _errors(document, "get", "/data")
    # Health probes are outside the API and its problems (readiness answers its own 503).
    assert set(document["paths"]["/healthz"]["get"]["responses"]) == {"200"}


def test_conditional_operations_document_their_headers(document):
    patch = document["paths"]["/api/v1/meetings/{meeting_id}"]["patch"]
    assert {"name": "If-Match", "in": "header"}.items() <= next(
        p for p in patch["parameters"] if p["name"] == "If-Match").items()
    not_modified = document["paths"]["/api/v1/meetings/{meeting_id}"]["get"]["responses"]["304"]
    assert not_modified["headers"]["ETag"]["required"] is True
    for status in ("429", "503"):
        assert patch["responses"][status]["headers"]["Retry-After"]["required"] is True
    assert patch["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # Calendar feeds also open with the person's feed token instead of a bearer token.
    feed = document["paths"]["/api/v1/me/meetings.ics"]["get"]
    assert {} in feed["security"]


def test_authenticated_operations_all_declare_401_403_429(document, app):
    for path, operations in document["paths"].items():
        # Signing in, and one-click unsubscribe (the signed link is the credential), need no token.
        if not path.startswith("/api/v1/") or path in ("/api/v1/auth/token", "/api/v1/mail/unsubscribe"):
            continue
        for method, operation in operations.items():
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            assert operation["security"][0] == {"bearerAuth": []}


def _problem_schema(document):
    return document["components"]["schemas"]["Problem"]


def test_the_problem_schema_matches_what_the_service_sends(document, client):
    schema = _problem_schema(document)
    answers = [
        client.post("/api/v1/organisations", json={"name": ""}),  # 422 with `errors`
        client.post("/api/v1/organisations", content=b"{not json", headers={"Content-Type": "application/json"}),
        client.get("/api/v1/organisations/999999"),  # 404
        client.get("/api/v1/organisations", params={"cursor": "not-a-cursor"}),  # 400
        client.post("/api/v1/auth/token", data={"grant_type": "password", "username": "x@example.org",
                                                "password": "wrong-password"}),  # OAuth2 `error` member
        client.post("/api/v1/auth/token", data={"grant_type": "client_credentials"}),  # 401 invalid_client
    ]
    answers.append(client.get("/api/v1/organisations", headers={"Authorization": "Basic eDp5"}))  # 401
    statuses = set()
    for answer in answers:
        assert answer.headers["content-type"] == PROBLEM_JSON, answer.text
        jsonschema.validate(answer.json(), schema)
        statuses.add(answer.status_code)
    assert statuses == {400, 401, 404, 422}
    assert any("errors" in answer.json() for answer in answers)
    assert any("error" in answer.json() for answer in answers)


def test_the_problem_schema_refuses_what_is_not_a_problem(document):
    schema = _problem_schema(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"detail": [{"loc": ["body"], "msg": "x", "type": "missing"}]}, schema)


def test_statuses_are_derived_from_the_route_itself():
    # A route the real application does not have: what it declares comes from its dependencies,
    # parameters, body and calls, not from a list kept by hand.
    toy = FastAPI(openapi_url="/openapi.json")
    install_error_handlers(toy)
    install_openapi(toy)
    Reader = Annotated[Subject, Depends(require(authz.may_read_registry))]

    @toy.get("/open")
    def open_route():
        return {}

    @toy.get("/things")
    def list_things(_: Reader, page: PageDep):
        return {}

    @toy.put("/things/{thing_id}")
    def put_thing(thing_id: int, body: dict, request: Request, _: Reader):
        check_if_match(request, None)

    paths = toy.openapi()["paths"]
    assert set(paths["/open"]["get"]["responses"]) == {"200"}
    assert set(paths["/things"]["get"]["responses"]) == {"200", "400", "401", "403", "422", "429", "503"}
    assert set(paths["/things/{thing_id}"]["put"]["responses"]) == {
        "200", "400", "401", "403", "404", "409", "412", "413", "422", "429", "503"}
    validate(toy.openapi())


def test_the_document_is_served(anonymous_client):
    answer = anonymous_client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert "Problem" in answer.json()["components"]["schemas"]
