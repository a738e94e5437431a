"""The JSON API at /api/v1: every domain's router, and the exports that span domains."""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from api import privacy
from api.audit.router import router as audit_router
from api.auth.models import UserAccount
from api.auth.router import router as auth_router
from api.core.db import get_or_404
from api.core.http import Precondition, check_if_match
from api.core.schemas import Id
from api.dashboards.router import router as dashboards_router
from api.deps import Person, RegistryManager, RegistryReader, SessionDep, refuse_nul_in_query
from api.indicators.router import router as indicators_router
from api.mail.router import me_router as mail_me_router
from api.mail.router import router as mail_router
from api.meetings.router import router as meetings_router
from api.outcomes.router import router as outcomes_router
from api.registry.models import Stakeholder
from api.registry.popolo import stream_popolo
from api.registry.router import router as registry_router
from api.registry.schemas import StakeholderRead
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
api_router.include_router(mail_router)
api_router.include_router(mail_me_router)


@api_router.get("/export/popolo", tags=["registry"], response_class=StreamingResponse,
                responses={200: {"content": {"application/json": {}}}})
def export_popolo(request: Request, _: RegistryReader):
    """Persons, organizations (organisations and groups), memberships and areas as Popolo JSON."""
    return StreamingResponse(
        stream_popolo(request.app.state.engine),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="ata-popolo.json"'},
    )


# Personal data spans every domain, so its two routes sit here, above them (see api/privacy.py).

@api_router.get("/me/export", tags=["auth"])
def export_my_data(session: SessionDep, subject: Person):
    """Everything the service holds about the signed-in person (UK GDPR right of access)."""
    user = session.get(UserAccount, int(subject.id))
    data = privacy.export_personal_data(session, actor=subject, user=user)
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="my-ata-data.json"',
                                       "Cache-Control": "no-store"})


@api_router.delete("/stakeholders/{stakeholder_id}", status_code=204, tags=["registry"],
                   responses={**Precondition, 409: {"description": "The person has records others rely on "
                                                                   "(`detail` lists them): anonymise instead"}})
def delete_stakeholder(stakeholder_id: Id, request: Request, session: SessionDep, actor: RegistryManager):
    """Remove a person added in error. Anyone with records (memberships, attendance, actions,
    contributions, an account, emails) is refused (409), as on the web page: anonymise them."""
    person = get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    check_if_match(request, person)
    privacy.delete_stakeholder(session, actor=actor, person=person)
    return Response(status_code=204)


@api_router.post("/stakeholders/{stakeholder_id}/anonymise", response_model=StakeholderRead, tags=["registry"])
def anonymise(stakeholder_id: Id, session: SessionDep, actor: RegistryManager):
    """Replace a person's identity everywhere with a neutral label (their records stay)."""
    person = get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    return privacy.anonymise_stakeholder(session, actor=actor, person=person)
