"""Request bodies: bounded before the application reads them, and not read at all without a credential.

A pure ASGI middleware, so that it sees a request before anything has touched its body:

- a declared `Content-Length` over the limit is answered 413 at once;
- a body of unknown length (chunked) is counted as the application reads it, and the read that
  passes the limit raises instead of returning, so no route ever sees a body cut short;
- a change (any method but GET, HEAD, OPTIONS) that brings no credential is answered 401 (the
  web pages: sent to sign in) without reading its body, except the sign-in routes themselves.

Uploads (multipart forms, CSV bodies) may be as large as ATA_MAX_UPLOAD_MB; every other body
(JSON, plain forms, sign-in) ATA_MAX_BODY_KB. Both are read from the application's settings on
each request. The answers are made by the application's own error handlers, so they are the same
problem+json (or, on the web pages, the same page) as any other error.
"""

import inspect
from collections.abc import Callable, Collection

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import ProblemError, _answer

KB = 1024
MB = 1024 * KB
# A multipart upload of exactly the upload limit still carries its boundaries and part headers;
# the route's own check, which knows the file's size, then gives the precise answer.
ENVELOPE = 64 * KB
_UPLOAD_TYPES = ("multipart/form-data", "text/csv")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def size_text(size: int) -> str:
    return f"{size // MB} MB" if size % MB == 0 else f"{size // KB} KB"


class BodyTooLarge(HTTPException):
    """A body over its limit. An HTTPException (not a ProblemError) so that FastAPI's body
    parsing passes it on as it is, instead of answering 400 "error parsing the body"."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {size_text(limit)}.")


def _limit(scope: Scope, headers: Headers) -> tuple[int, int]:
    """(the nominal limit, the limit enforced) for this request's kind of body."""
    settings = scope["app"].state.settings
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type in _UPLOAD_TYPES:
        nominal = settings.max_upload_mb * MB
        return nominal, nominal + ENVELOPE
    nominal = settings.max_body_kb * KB
    return nominal, nominal


def _route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, anonymous_writes: Collection[tuple[str, str]], session_cookie: str,
                 api_sign_in: Callable[[], ProblemError], web_sign_in: Callable[[], ProblemError]) -> None:
        self.app = app
        self.anonymous_writes = frozenset(anonymous_writes)
        self.session_cookie = session_cookie
        self.api_sign_in = api_sign_in
        self.web_sign_in = web_sign_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._missing_credential(scope, headers)
        if refusal is not None:
            await _respond(scope, receive, send, refusal)
            return
        if scope["method"] in _SAFE_METHODS and "content-length" not in headers \
                and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body to count
            return
        nominal, limit = _limit(scope, headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _respond(scope, receive, send, BodyTooLarge(nominal))
            return

        received = 0
        over = False

        async def limited_receive() -> Message:
            nonlocal received, over
            if over:
                raise BodyTooLarge(nominal)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge(nominal)
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:
            # Normally answered by the application's handler; this catches a read made outside
            # the routes (another middleware), where no handler is on the way out.
            if started:
                raise
            await _respond(scope, receive, send, exc)

    def _missing_credential(self, scope: Scope, headers: Headers) -> ProblemError | None:
        path = _route_path(scope)
        if scope["method"] in _SAFE_METHODS or (scope["method"], path) in self.anonymous_writes:
            return None
        if path.startswith("/api/"):
            # The JSON door knows bearer tokens only; a cookie there proves nothing.
            return None if "authorization" in headers else self.api_sign_in()
        if self.session_cookie in cookie_parser(headers.get("cookie", "")):
            return None
        return self.web_sign_in()


async def _respond(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answers with the application's own handler for `exc`, as if a route had raised it."""
    request = Request(scope, receive)
    handlers = scope["app"].exception_handlers
    handler = next(handlers[kind] for kind in type(exc).__mro__ if kind in handlers)
    response = handler(request, exc)
    if inspect.isawaitable(response):
        response = await response
    await response(scope, receive, send)


async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
    return _answer(request, 413, exc.detail, slug="too-large")


def install_body_limits(app: FastAPI, **options) -> None:
    """Adds the middleware (options: BodyLimitMiddleware's) and the handler of its 413. Call it
    before any other middleware is added, so that it runs innermost: its answers then pass through
    the others (request id, security headers) like any response."""
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_middleware(BodyLimitMiddleware, **options)
