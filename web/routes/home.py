"""My dashboard: my groups and roles, upcoming meetings, my actions, my groups' latest minutes,
my contributions (and a form to log one), my calendar link."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import InvalidInput
from api.core.types import today
from api.dashboards import service as dashboards
from api.deps import SessionDep, SettingsDep
from api.meetings import calendar
from api.outcomes import service as outcomes
from api.outcomes.schemas import ContributionCreate
from api.registry import service as registry
from api.registry.current import has_ended
from web.auth import SignedIn, csrf_protected
from web.forms import field_errors
from web.labels import CONTRIBUTION_KIND_LABELS
from web.templating import render

router = APIRouter()

ContributionLogger = Annotated[Subject, Depends(csrf_protected(authz.is_person))]
CONTRIBUTION_LABELS = {"kind": "Kind", "description": "What you did", "date": "Date",
                       "people_reached": "People reached", "hours": "Hours"}
NOTICES = {"contribution": "Contribution logged. Thank you.", "updated": "Update posted.",
           "closed": "Action closed.", "welcome": "Your password is saved and you are signed in. Welcome."}


def _dashboard(request: Request, session, settings, subject: Subject, *, errors=None, form=None, notice=None,
               status: int = 200):
    seats = registry.memberships_of(session, subject.stakeholder_id) if subject.stakeholder_id else []
    user = session.get(UserAccount, int(subject.id))
    calendar_url = str(request.url_for("my_calendar").include_query_params(token=calendar.feed_token(settings, user)))
    return render(request, "pages/home.html", {
        "title": "My dashboard", "nav": "home", "board": dashboards.my_dashboard(session, subject),
        "former": [(m, g) for m, g in seats if has_ended(m, today())], "calendar_url": calendar_url,
        "kind_options": list(CONTRIBUTION_KIND_LABELS.items()), "labels": CONTRIBUTION_LABELS, "errors": errors or {},
        "form": form or {"date": today().isoformat()}, "notice": NOTICES.get(notice or ""), "next": "/",
    }, status=status)


@router.get("/")
def dashboard(request: Request, session: SessionDep, settings: SettingsDep, subject: SignedIn, done: str | None = None):
    return _dashboard(request, session, settings, subject, notice=done)


@router.post("/contributions")
def log_contribution(request: Request, session: SessionDep, settings: SettingsDep, subject: ContributionLogger,
                     kind: Annotated[str, Form(max_length=40)] = "",
                     description: Annotated[str, Form(max_length=5000)] = "",
                     on: Annotated[str, Form(alias="date", max_length=20)] = "",
                     people_reached: Annotated[str, Form(max_length=20)] = "0",
                     hours: Annotated[str, Form(max_length=20)] = "0"):
    form = {"kind": kind, "description": description, "date": on, "people_reached": people_reached,
            "hours": hours}
    try:
        data = ContributionCreate(kind=kind, description=description, date=on or None,
                                  people_reached=people_reached or 0, hours=hours or 0)
        with savepoint(session):
            outcomes.add_contribution(session, actor=subject, data=data.model_dump())
    except (ValidationError, InvalidInput) as error:
        return _dashboard(request, session, settings, subject, errors=field_errors(error, CONTRIBUTION_LABELS),
                          form=form, status=422)
    return RedirectResponse("/?done=contribution#my-contributions", status_code=303)
