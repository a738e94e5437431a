"""HTTP for Place updates and the strategy dashboard."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from api import authz
from api.authz import Subject
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import SINGLE_LINE, Id
from api.deps import Person, SessionDep, require
from api.outcomes import service
from api.outcomes.models import Pilot
from api.outcomes.schemas import (
    ContributionCreate,
    ContributionRead,
    ContributionSummary,
    ContributionUpdate,
    PilotCreate,
    PilotRead,
    PilotStatus,
    PilotUpdate,
    PlaceUpdateCreate,
    PlaceUpdateRead,
    StatusChangeRead,
    StrategyDashboard,
)
from api.registry.service import get_place

router = APIRouter(tags=["outcomes"])

OutcomesReader = Annotated[Subject, Depends(require(authz.may_read_outcomes))]
OutcomesReporter = Annotated[Subject, Depends(require(authz.may_report_outcomes))]
PilotManager = Annotated[Subject, Depends(require(authz.may_manage_pilots))]
GssPath = Annotated[str, Path(pattern=r"^[EWSN]\d{8}$")]


def _read(update, place_name: str) -> PlaceUpdateRead:
    return PlaceUpdateRead(**update.model_dump(), place_name=place_name)


@router.get("/places/{gss_code}/updates", response_model=Page[PlaceUpdateRead])
def place_updates(gss_code: GssPath, request: Request, response: Response, session: SessionDep,
                  _: OutcomesReader, page: PageDep):
    """A Place's updates, newest period first (its history)."""
    place = get_place(session, gss_code)
    rows, cursor = service.list_updates(session, page=page, place_code=place.gss_code)
    set_next_link(request, response, cursor)
    return Page(items=[_read(u, name) for u, name in rows], next_cursor=cursor)


@router.post("/places/{gss_code}/updates", response_model=PlaceUpdateRead, status_code=201,
             responses={409: {"description": "this Place already has an update for the period"}})
def add_place_update(gss_code: GssPath, body: PlaceUpdateCreate, session: SessionDep, actor: OutcomesReporter):
    """Report a Place's progress for a period (admins, and officers of the Place's group)."""
    place = get_place(session, gss_code)
    return _read(service.add_update(session, actor=actor, place=place, data=body.model_dump()), place.name)


@router.get("/place-updates", response_model=Page[PlaceUpdateRead])
def all_place_updates(request: Request, response: Response, session: SessionDep, _: OutcomesReader, page: PageDep,
                      latest: Annotated[bool, Query(description="Only each Place's latest update")] = False):
    rows, cursor = service.list_updates(session, page=page, latest=latest)
    set_next_link(request, response, cursor)
    return Page(items=[_read(u, name) for u, name in rows], next_cursor=cursor)


@router.get("/dashboards/strategy", response_model=StrategyDashboard)
def strategy_dashboard(session: SessionDep, _: OutcomesReader):
    """Progress to the 150,000 more-active target, in total, by Place and over time, with how the
    figure is derived; live counts of stakeholders, organisations and groups."""
    return service.strategy(session)


def _pilots(session: Session, pilots: list[Pilot]) -> list[PilotRead]:
    history = service.histories(session, [p.id for p in pilots])
    return [PilotRead(**p.model_dump(), status_history=[StatusChangeRead.model_validate(c) for c in history[p.id]])
            for p in pilots]


@router.get("/pilots", response_model=Page[PilotRead])
def list_pilots(request: Request, response: Response, session: SessionDep, _: OutcomesReader, page: PageDep,
                status: PilotStatus | None = None,
                pathway: Annotated[str | None, Query(max_length=100), SINGLE_LINE] = None):
    rows, cursor = service.list_pilots(session, page=page, status=status, pathway=pathway)
    set_next_link(request, response, cursor)
    return Page(items=_pilots(session, rows), next_cursor=cursor)


@router.post("/pilots", response_model=PilotRead, status_code=201)
def create_pilot(body: PilotCreate, session: SessionDep, actor: PilotManager):
    pilot = service.create_pilot(session, actor=actor, data=body.model_dump())
    return _pilots(session, [pilot])[0]


@router.get("/pilots/{pilot_id}", response_model=PilotRead)
def get_pilot(pilot_id: Id, session: SessionDep, _: OutcomesReader):
    return _pilots(session, [service.get_pilot(session, pilot_id)])[0]


@router.patch("/pilots/{pilot_id}", response_model=PilotRead,
              responses={409: {"description": "another pilot already has this name"}})
def update_pilot(pilot_id: Id, body: PilotUpdate, session: SessionDep, actor: PilotManager):
    """Change a pilot; a new status is added to its dated history (with `status_note`)."""
    pilot = service.get_pilot(session, pilot_id)
    changes = body.model_dump(exclude_unset=True)
    return _pilots(session, [service.update_pilot(session, actor=actor, pilot=pilot, changes=changes)])[0]


def _contribution(c) -> ContributionRead:
    return ContributionRead(**c.model_dump(exclude={"contributed_on", "created_at"}), date=c.contributed_on)


@router.get("/contributions", response_model=Page[ContributionRead])
def list_contributions(request: Request, response: Response, session: SessionDep, subject: Person, page: PageDep,
                       stakeholder_id: Id | None = None):
    """Your own contributions, newest first (admins: anyone's, or everyone's)."""
    if not subject.is_admin:
        stakeholder_id = subject.stakeholder_id or -1
    rows, cursor = service.list_contributions(session, page=page, stakeholder_id=stakeholder_id)
    set_next_link(request, response, cursor)
    return Page(items=[_contribution(c) for c in rows], next_cursor=cursor)


@router.post("/contributions", response_model=ContributionRead, status_code=201)
def add_contribution(body: ContributionCreate, session: SessionDep, subject: Person):
    """Log something you did for the strategy: kind, description, date, group, Place, reach, hours."""
    return _contribution(service.add_contribution(session, actor=subject, data=body.model_dump()))


CONTRIBUTION_CHANGE = {403: {"description": "not your contribution (admins may change anyone's)"},
                       404: {"description": "no contribution with this id"},
                       422: {"description": "a field is not valid, such as a date in the future"}}


@router.patch("/contributions/{contribution_id}", response_model=ContributionRead, responses=CONTRIBUTION_CHANGE)
def update_contribution(contribution_id: Id, body: ContributionUpdate, session: SessionDep, subject: Person):
    """Change one of your contributions (admins: anyone's); only the fields sent change."""
    contribution = service.get_contribution(session, contribution_id)
    return _contribution(service.update_contribution(session, actor=subject, contribution=contribution,
                                                     changes=body.changes()))


@router.delete("/contributions/{contribution_id}", status_code=204, responses=CONTRIBUTION_CHANGE)
def delete_contribution(contribution_id: Id, session: SessionDep, subject: Person):
    """Delete one of your contributions (admins: anyone's)."""
    contribution = service.get_contribution(session, contribution_id)
    service.delete_contribution(session, actor=subject, contribution=contribution)
    return Response(status_code=204)


@router.get("/me/contributions/summary", response_model=ContributionSummary)
def my_contribution_summary(session: SessionDep, subject: Person):
    """What you logged, with what the system already knows: actions owned and closed, agenda
    items led, meetings attended."""
    if subject.stakeholder_id is None:
        return ContributionSummary(logged=0, people_reached=0, hours=0, by_kind={}, actions_owned=0,
                                   actions_closed=0, agenda_items_led=0, meetings_attended=0)
    return service.contribution_summary(session, subject.stakeholder_id)
