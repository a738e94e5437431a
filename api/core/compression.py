"""gzip for one part of the site: Starlette's GZipMiddleware applied under a path prefix only."""

from starlette.middleware.gzip import GZipMiddleware as _GZip
from starlette.types import ASGIApp, Receive, Scope, Send


class GZipMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str, minimum_size: int = 1024) -> None:
        self.app = app
        self.prefix = prefix
        self.gzip = _GZip(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only for a client that takes gzip: Starlette's wrapper costs a fair share of a small
        # cached answer even when it has nothing to compress.
        if scope["type"] == "http" and scope["path"].startswith(self.prefix) and any(
                name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"]):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
