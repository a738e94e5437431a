"""Every response's request id, rate-limit headers and browser safety headers: pure ASGI, so
that it adds no task and no copy of the body to a request (Starlette's BaseHTTPMiddleware does
both)."""

from random import getrandbits as _bits

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.audit.service import request_id_var

_SAFETY = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"x-request-id"), "")
        # Unique, not secret: 128 random bits from the process's generator (reseeded in a forked
        # child), without uuid4's system call per request.
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else f"{_bits(128):032x}"
        # request.state lives in this dict: a partner's quota is left there by the request.
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Added where absent, in one pass over what the response already has (a 429
                # carries its quota already; setting each by name would scan once per header).
                raw = MutableHeaders(scope=message).raw
                present = {name for name, _ in raw}
                added = [(b"x-request-id", request_id.encode("latin-1"))]
                quota = state.get("rate_quota")
                if quota is not None:
                    added += [(name.lower().encode("latin-1"), value.encode("latin-1"))
                              for name, value in quota.headers().items()]
                raw.extend(pair for pair in (*added, *_SAFETY) if pair[0] not in present)
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_id_var.reset(token)
