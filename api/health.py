"""Liveness and readiness probes for load balancers and orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.core.migrations import current_revisions

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up; says nothing about the database."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request):
    """Ready for traffic: the database answers and its schema is at the migrations' head."""
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
    return {"status": "ok", "database": "reachable", "migrations": "at head"}
