"""Liveness and readiness probes for load balancers and orchestrators."""

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.core.migrations import current_revisions

router = APIRouter(tags=["health"])

# A probe answers quickly or not at all: a balancer's check has its own short timeout.
REDIS_TIMEOUT_SECONDS = 1


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up; says nothing about the database."""
    return {"status": "ok"}


def _redis_answers(request: Request, url: str) -> bool:
    # One client per application, kept: its connection is reused by every probe.
    probe = getattr(request.app.state, "redis_probe", None)
    if probe is None:
        probe = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                     socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        request.app.state.redis_probe = probe
    try:
        return bool(probe.ping())
    except redis.RedisError:
        return False


@router.get("/readyz")
def readyz(request: Request):
    """Ready for traffic: not stopping, the database answers and its schema is at the migrations'
    head, and Redis answers when it is configured (the shared rate limits need it)."""
    if request.app.state.stopping.is_set():  # SIGTERM: the balancer drains us (api/core/draining.py)
        return JSONResponse({"status": "stopping"}, status_code=503)
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revisions(engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    expected = request.app.state.migration_heads
    if current != expected:
        return JSONResponse(
            {"status": "unavailable", "database": "reachable", "migrations": "pending",
             "current": sorted(current), "expected": sorted(expected)},
            status_code=503,
        )
    answer = {"status": "ok", "database": "reachable", "migrations": "at head"}
    redis_url = request.app.state.settings.redis_url
    if redis_url:
        if not _redis_answers(request, redis_url):
            return JSONResponse(answer | {"status": "unavailable", "redis": "unreachable"}, status_code=503)
        answer["redis"] = "reachable"
    return answer
