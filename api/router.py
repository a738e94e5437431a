"""The JSON API at /api/v1: every domain's router."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from api.audit.router import router as audit_router
from api.auth.router import router as auth_router
from api.dashboards.router import router as dashboards_router
from api.deps import RegistryReader, refuse_nul_in_query
from api.indicators.router import router as indicators_router
from api.meetings.router import router as meetings_router
from api.outcomes.router import router as outcomes_router
from api.registry.popolo import stream_popolo
from api.registry.router import router as registry_router
from api.search.router import router as search_router

api_router = APIRouter(dependencies=[Depends(refuse_nul_in_query)])
api_router.include_router(registry_router)
api_router.include_router(audit_router)
api_router.include_router(auth_router)
api_router.include_router(meetings_router)
api_router.include_router(search_router)
api_router.include_router(indicators_router)
api_router.include_router(outcomes_router)
api_router.include_router(dashboards_router)


@api_router.get("/export/popolo", tags=["registry"], response_class=StreamingResponse,
                responses={200: {"content": {"application/json": {}}}})
def export_popolo(request: Request, _: RegistryReader):
    """Persons, organizations (organisations and groups), memberships and areas as Popolo JSON."""
    return StreamingResponse(
        stream_popolo(request.app.state.engine),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="ata-popolo.json"'},
    )
