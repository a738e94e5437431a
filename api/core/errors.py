"""Problem details (RFC 9457) for every error the service answers."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("ata.errors")

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """A failure the client can act on; rendered as problem+json with `status`."""

    status: int = 400
    slug: str = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.title = title or HTTPStatus(self.status).phrase


class BadRequest(ProblemError):
    status, slug = 400, "bad-request"


class Unauthorized(ProblemError):
    status, slug = 401, "unauthorized"


class Forbidden(ProblemError):
    status, slug = 403, "forbidden"


class NotFound(ProblemError):
    status, slug = 404, "not-found"


class Conflict(ProblemError):
    status, slug = 409, "conflict"


class PreconditionFailed(ProblemError):
    status, slug = 412, "precondition-failed"


class InvalidInput(ProblemError):
    status, slug = 422, "validation-error"


def invalid_field(field: str, msg: str) -> InvalidInput:
    """A 422 naming one body field, as request validation would."""
    return InvalidInput(msg, errors=[{"loc": ["body", field], "msg": msg}])


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """`extra` adds extension members (RFC 9457 section 3.2), e.g. OAuth2's `error`."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append({"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")})
    return errors


# Paths answered by the JSON door; every other path belongs to the web pages, whose errors are
# rendered as HTML by the renderer the web layer registers (see web/errors.py).
_JSON_PREFIXES = ("/api/", "/fingertips", "/healthz", "/readyz", "/static/")
HtmlErrorRenderer = Callable[[Request, int, str, dict[str, str], str | None], Response]


def _answer(request: Request, status: int, detail: str, *, headers: dict[str, str] | None = None,
            **problem: Any) -> Response:
    render: HtmlErrorRenderer | None = getattr(request.app.state, "html_error_renderer", None)
    if render is not None and not request.url.path.startswith(_JSON_PREFIXES):
        return render(request, status, detail, headers or {}, problem.get("slug"))
    return problem_response(status, detail, headers=headers, **problem)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return _answer(request, exc.status, exc.detail, slug=exc.slug, title=exc.title, errors=exc.errors,
                       headers=exc.headers)

    @app.exception_handler(NotModified)
    async def _not_modified(_: Request, exc: NotModified) -> Response:
        return Response(status_code=304, headers={"ETag": exc.etag})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        return _answer(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return _answer(request, 400, "The request body is not valid JSON.", slug="malformed-json", errors=errors)
        return _answer(request, 422, "The request has invalid or missing fields.", slug="validation-error",
                       errors=errors)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        return _answer(request, 412, "The resource was changed by another request; fetch it again and retry.",
                       slug="precondition-failed")

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # Reached only when two requests race past a service-level check; the constraint
        # name is ours, the SQL text is not shown.
        log.info("integrity error: %s", exc.orig)
        return _answer(request, 409, "The change conflicts with existing data.", slug="conflict")

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", exc.orig)
        return _answer(request, 503, "The database is busy or unavailable; try again shortly.",
                       slug="unavailable", headers={"Retry-After": "1"})

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        # Every connection stayed busy for ATA_DB_POOL_TIMEOUT: the instance is overloaded, not broken.
        log.warning("no free database connection: %s", exc)
        return _answer(request, 503, "The service is busy; try again shortly.", slug="unavailable",
                       headers={"Retry-After": "2"})

    @app.exception_handler(redis.RedisError)
    async def _shared_store_down(request: Request, exc: redis.RedisError) -> Response:
        # The shared rate limits (ATA_REDIS_URL) could not be counted. Refused rather than let
        # through uncounted, so that a Redis outage does not lift the sign-in limits; /readyz
        # answers 503 meanwhile, so the balancer drains the instance.
        log.warning("Redis unavailable: %s", exc)
        return _answer(request, 503, "The service cannot check its request limits just now; try again shortly.",
                       slug="unavailable", headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _answer(request, 500, "An unexpected error occurred; it has been logged.")
