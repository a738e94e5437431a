"""My dashboard: the signed-in person's groups and roles."""

from fastapi import APIRouter, Request

from api.deps import SessionDep
from api.registry import service as registry
from web.auth import SignedIn
from web.templating import render

router = APIRouter()


@router.get("/")
def dashboard(request: Request, session: SessionDep, subject: SignedIn):
    seats = registry.memberships_of(session, subject.stakeholder_id) if subject.stakeholder_id else []
    current = [(m, g) for m, g in seats if registry.is_current(m)]
    former = [(m, g) for m, g in seats if not registry.is_current(m)]
    return render(request, "pages/home.html", {"title": "My dashboard", "nav": "home",
                                               "current": current, "former": former})
