"""The ASGI application: JSON API at /api/v1, HTMX pages at /, health at /healthz and /readyz."""

import logging
import os
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import access
from api.auth import service as auth_service
from api.auth.throttle import make_client_limiter, make_limiter, make_open_data_limiter
from api.core.bodylimit import install_body_limits
from api.core.compression import GZipMiddleware
from api.core.config import Settings, get_settings
from api.core.db import LoopReads, make_engine
from api.core.draining import drain_on_sigterm
from api.core.errors import install_error_handlers
from api.core.migrations import head_revisions
from api.core.responsecache import ResponseCache
from api.deps import sign_in_required
from api.docs import router as docs_router
from api.health import router as health_router
from api.indicators.fingertips_router import router as fingertips_router
from api.indicators.router import add_data_routes
from api.mail import invitations as mail_invitations
from api.openapi import install_openapi
from api.requestcontext import RequestContextMiddleware
from api.router import api_router
from web.auth import SESSION_COOKIE, SignInRequired
from web.errors import render_error
from web.routes import STATIC_DIR, web_router

log = logging.getLogger("ata")

# Set by `ata serve` (api/cli.py): only a served application runs the mail sender in-process,
# never one built by tests or scripts (unless they ask, with create_app(mail_worker=True)).
IN_PROCESS_SENDER = "ATA_MAIL_IN_PROCESS"


def _lifespan(run_sender: bool):
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        running = None
        # Under a server, SIGTERM first fails /readyz for a while, still serving (api/core/draining.py).
        undrain = drain_on_sigterm(app.state.stopping, app.state.settings.shutdown_drain_seconds)
        if run_sender:
            from api.mail.sender import register_periodic, start_thread
            from api.meetings.digest import weekly_digest_job

            register_periodic(weekly_digest_job)  # the weekly digest, Monday mornings
            running = start_thread(app.state.engine, app.state.settings)
        app.state.loop_reads.hold()  # this thread serves the requests: it keeps a connection
        try:
            yield
        finally:
            await app.state.loop_reads.release()
            if running is not None:
                thread, stop = running
                stop.set()  # the message in hand is finished, the rest stay for the next sender
                thread.join(timeout=60)
                from api.mail.sender import unregister_periodic

                # Registered for this app's sender only: an app built later in this process
                # (tests) starts without it.
                unregister_periodic(weekly_digest_job)
            if undrain is not None:
                undrain()

    return lifespan


def create_app(settings: Settings | None = None, *, mail_worker: bool | None = None) -> FastAPI:
    settings = settings or get_settings()
    if mail_worker is None:
        mail_worker = settings.mail_worker and os.environ.get(IN_PROCESS_SENDER) == "1"
    app = FastAPI(
        title="All Together Active Stakeholder Dashboard API",
        version="1",
        summary="Governance registry, meetings, outcomes and indicator data for Cheshire and Merseyside.",
        openapi_url="/api/v1/openapi.json",
        # Served by api/docs.py from our own static files, not from a CDN.
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(mail_worker),
    )
    app.state.settings = settings
    # Set on SIGTERM (api/core/draining.py): /readyz then answers 503 so that the balancer drains us.
    app.state.stopping = threading.Event()
    app.state.engine = make_engine(settings)
    # Reads served on the event loop (the partner data API, api/indicators/router.py).
    app.state.loop_reads = LoopReads(settings)
    app.state.data_cache = ResponseCache(settings.data_cache_mb * 1_000_000, settings.redis_url)
    app.state.migration_heads = head_revisions(settings.database_url)
    app.state.login_limiter = make_limiter(settings)
    app.state.client_limiter = make_client_limiter(settings)
    app.state.open_data_limiter = make_open_data_limiter(settings)
    app.state.html_error_renderer = render_error
    # What api/deps.py needs from the domain, wired here so that it imports no domain package.
    app.state.identify = auth_service.identify
    app.state.principal = auth_service.principal
    app.state.refuse = access.refuse
    # The account invitations the accounts API sends (api.mail sits above api.auth).
    app.state.invitations = mail_invitations
    # First, so that it runs innermost: its refusals still get the request id and headers below.
    install_body_limits(app, anonymous_writes={("POST", "/api/v1/auth/token"), ("POST", "/login"),
                                         # one-click unsubscribe (RFC 8058): the signed link is the credential
                                         ("POST", "/mail/unsubscribe"), ("POST", "/api/v1/mail/unsubscribe"),
                                         # an account invitation's link: the signed token is the credential
                                         ("POST", "/account/welcome")},
                        session_cookie=SESSION_COOKIE, api_sign_in=sign_in_required,
                        web_sign_in=lambda: SignInRequired("Sign in to continue."))

    app.add_middleware(RequestContextMiddleware)
    # Compressed API responses only: web pages carry CSRF tokens beside reflected input (BREACH).
    app.add_middleware(GZipMiddleware, prefix="/api/", minimum_size=1024)
    install_error_handlers(app)
    install_openapi(app)
    add_data_routes(app.router, "/api/v1")
    app.include_router(health_router)
    app.include_router(docs_router)
    app.include_router(api_router, prefix="/api/v1")
    # Published indicators as open data, at Fingertips' paths (api/indicators/fingertips_router.py).
    app.include_router(fingertips_router, prefix="/fingertips")
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def __getattr__(name: str) -> FastAPI:
    # `api.main:app` for uvicorn, built on first use so that importing this module (tests, the
    # CLI) does not build an application from the process environment.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
