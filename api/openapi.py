"""The OpenAPI document, completed with the errors each operation can answer.

FastAPI documents the success response and a 422 in its own shape; the service answers every
error as problem+json (api/core/errors.py). Generated clients and conformance checkers read the
document, so each operation declares the problems it can give, derived here from the route
itself (its dependencies, parameters, body and method) rather than from a hand-kept list that
would drift.
"""

import dis
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.core.db import LoopReads
from api.core.errors import PROBLEM_JSON, NotModified
from api.core.http import check_if_match, conditional_get
from api.deps import current_subject, get_session

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Problem details (RFC 9457). Extension members (e.g. OAuth2's `error`) may be present.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "`/problems/<slug>` or `about:blank`",
                 "examples": ["/problems/validation-error"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "What was wrong, one entry per field (`loc`) or per line of an uploaded file "
                           "(`line`, `column`).",
            "items": {
                "type": "object",
                "required": ["msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                    "line": {"type": "integer"},
                    "column": {"type": ["string", "null"]},
                },
            },
        },
        "error": {"type": "string", "description": "OAuth2 error code (RFC 6749), on the token endpoint"},
    },
}

_RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "string"},
                "required": True}
_RATELIMIT = {"description": "IETF draft RateLimit fields (partner clients' budget)", "schema": {"type": "string"}}

# Why each problem can happen; the route decides whether it applies.
_DESCRIPTIONS = {
    400: "The body is not valid JSON or form data, or the `cursor` is not one the service issued "
         "(on the token endpoint: an OAuth2 invalid request)",
    401: "Sign-in is required, or the token is invalid, expired or revoked",
    403: "The signed-in person or client may not do this",
    404: "No such record, or one the caller may not see",
    409: "The change conflicts with the current state or with existing data",
    412: "If-Match does not name the current version (ETag) of the resource",
    413: "The request body is larger than the service accepts",
    415: "The uploaded content is not of an accepted type",
    422: "The request has invalid or missing fields; `errors` says which",
    429: "Too many requests or failed attempts; wait for Retry-After seconds",
    503: "The database is busy or unavailable; try again after Retry-After seconds",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "The authentication scheme to use", "schema": {"type": "string"}}},
    429: {"Retry-After": _RETRY_AFTER, "RateLimit": _RATELIMIT, "RateLimit-Policy": _RATELIMIT},
    503: {"Retry-After": _RETRY_AFTER},
}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_SIGN_IN = ("/auth/token",)
_CURSOR = "cursor"


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in _dependants(dependant):
        if sub is not dependant and sub.call is not None:
            yield sub.call


def _refers_to(function: Any, names: set[str], depth: int = 2) -> bool:
    """Whether `function`, or a helper of its own module that it calls (to `depth`), uses one of
    `names`: module-level names, or methods (`LoopReads.on_loop` as `app.state.loop_reads.on_loop`)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    instructions = list(dis.get_instructions(code))
    used = {i.argval for i in instructions if i.opname == "LOAD_GLOBAL"}
    if names & (used | {i.argval for i in instructions if i.opname in ("LOAD_ATTR", "LOAD_METHOD")}):
        return True
    scope = getattr(function, "__globals__", {})
    helpers = [scope[name] for name in used
               if callable(scope.get(name)) and getattr(scope[name], "__module__", None) == function.__module__]
    return depth > 0 and any(_refers_to(helper, names, depth - 1) for helper in helpers)


def _calls_helper(route: APIRoute, *helpers: Any) -> bool:
    return _refers_to(route.endpoint, {helper.__name__ for helper in helpers})


def _reads_if_match(route: APIRoute) -> bool:
    return _calls_helper(route, check_if_match) or 412 in route.responses


def error_statuses(route: APIRoute, operation: dict[str, Any]) -> set[int]:
    """The problems a route can answer, from what it depends on and what it accepts (its
    `operation` in the generated document also shows bodies declared by `openapi_extra`)."""
    calls = list(_calls(route.dependant))
    # `require(rule)` dependencies carry their rule; every one of them also needs a signed-in caller.
    rules = [call for call in calls if hasattr(call, "rule")]
    authenticated = bool(rules) or current_subject in calls
    has_body = route.body_field is not None or "requestBody" in operation
    parameters = operation.get("parameters", [])
    has_params = bool(parameters) or any(d.path_params or d.query_params or d.header_params or d.cookie_params
                                         for d in _dependants(route.dependant))
    pages = any(p.get("in") == "query" and p.get("name") == _CURSOR for p in parameters)
    methods = set(route.methods or ())
    statuses: set[int] = set()
    if authenticated:
        # Partner clients' request budget is counted for every authenticated request.
        statuses |= {401, 429}
    if rules:
        statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    if authenticated and methods & _WRITES:
        # Service rules (duplicates, locked minutes, a stale `version`) and constraint races.
        statuses.add(409)
    if _reads_if_match(route):
        statuses.add(412)
    if has_body:
        # 400: malformed JSON, or a form over the multipart parser's limits; 413: the body cap.
        statuses |= {400, 413}
    if pages:
        # A cursor that is not one the service issued (api/core/pagination.py).
        statuses.add(400)
    if has_body or has_params:
        statuses.add(422)
    if route.path_format.endswith(_SIGN_IN):
        statuses |= {401, 429}
    if get_session in calls or _calls_helper(route, LoopReads.on_loop):
        # The database busy or down (api/core/errors.py answers OperationalError with Retry-After).
        statuses.add(503)
    # Statuses the route documents itself (415 for uploads, 400/401 for OAuth2) are problems too.
    statuses |= {int(code) for code in route.responses if str(code).isdigit() and int(code) >= 400}
    return statuses


def _problem_response(status: int, existing: dict[str, Any] | None) -> dict[str, Any]:
    described = (existing or {}).get("description")
    if not described or described == "Validation Error":
        described = _DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
    response: dict[str, Any] = {"description": described,
                                "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
    headers = {**_HEADERS.get(status, {}), **(existing or {}).get("headers", {})}
    if headers:
        response["headers"] = headers
    return response


def _header_parameter(operation: dict[str, Any], name: str, description: str) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("in") == "header" and p.get("name", "").lower() == name.lower() for p in parameters):
        parameters.append({"name": name, "in": "header", "required": False, "description": description,
                           "schema": {"type": "string"}})


_NOT_MODIFIED = {"description": "If-None-Match names the current version; nothing is sent",
                 "headers": {"ETag": {"description": "The current version", "schema": {"type": "string"},
                                      "required": True}}}


def complete(document: dict[str, Any], routes: list[APIRoute]) -> dict[str, Any]:
    """Declare every operation's problem responses (problem+json), its security and If-Match."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own 422 shape is never sent: validation errors are problems too.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    document["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "An access token from POST /api/v1/auth/token"},
    }
    paths = document.get("paths", {})
    for route in routes:
        if not route.include_in_schema or route.path_format not in paths:
            continue
        for method in route.methods or ():
            operation = paths[route.path_format].get(method.lower())
            if operation is None:
                continue
            statuses = error_statuses(route, operation)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses[str(status)] = _problem_response(status, responses.get(str(status)))
            if _calls_helper(route, conditional_get, NotModified):
                responses["304"] = _NOT_MODIFIED
                _header_parameter(operation, "If-None-Match",
                                  "An ETag from an earlier answer; the same version answers 304.")
            operation["responses"] = dict(sorted(responses.items()))
            if 401 in statuses and not route.path_format.endswith(_SIGN_IN):
                # Calendar feeds also take the person's feed token (a query parameter) instead.
                calls = list(_calls(route.dependant))
                bearer_only = current_subject in calls or any(getattr(call, "bearer_only", False) for call in calls)
                operation["security"] = [{"bearerAuth": []}] if bearer_only else [{"bearerAuth": []}, {}]
            if 412 in statuses:
                _header_parameter(operation, "If-Match",
                                  "The ETag of the version being changed; another version answers 412.")
    return document


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every API route as the application serves it (path with its router's prefix)."""
    # FastAPI versions that include routers lazily expose the served routes as contexts that
    # answer like an APIRoute; older ones list APIRoutes directly.
    contexts = getattr(routing, "iter_route_contexts", None)
    for route in contexts(app.routes) if contexts else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with one that builds the completed document once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                                   summary=app.summary, description=app.description, routes=app.routes,
                                   tags=app.openapi_tags, servers=app.servers)
            app.openapi_schema = complete(document, list(api_routes(app)))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
