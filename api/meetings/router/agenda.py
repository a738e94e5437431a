"""HTTP for a meeting's agenda items."""

from fastapi import APIRouter, Request, Response

from api.core.http import Precondition, check_if_match, conditional_get, created, etag_of
from api.core.pagination import Page
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import agenda, service, standing
from api.meetings.schemas import AgendaItemCreate, AgendaItemRead, AgendaItemUpdate, AgendaOrder

router = APIRouter(tags=["meetings"])


@router.get("/meetings/{meeting_id}/agenda-items", response_model=Page[AgendaItemRead])
def list_agenda(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """The agenda in order (confidential items only for the group's members)."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=agenda.agenda(session, access=access, meeting_id=meeting.id), next_cursor=None)


@router.post("/meetings/{meeting_id}/agenda-items", response_model=AgendaItemRead, status_code=201,
             responses={409: {"description": "the reference is already used in this meeting"}})
def add_agenda_item(meeting_id: Id, body: AgendaItemCreate, request: Request, response: Response,
                    session: SessionDep, subject: ReaderChangingGroupBusiness):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    item = agenda.add_agenda_item(session, access=access, meeting=meeting, data=body.model_dump())
    created(request, response, item, "get_agenda_item", item_id=item.id)
    return item


@router.post("/meetings/{meeting_id}/agenda-items/standing", response_model=Page[AgendaItemRead], status_code=201,
             responses={409: {"description": "the minutes have been approved: the agenda is part of the record"}})
def add_standing_items(meeting_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Add the group's standing items that the agenda lacks (matched by title) at its end, in
    the standing order; the answer lists the items added (none when nothing was missing)."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=standing.add_standing_items(session, access=access, meeting=meeting), next_cursor=None)


@router.put("/meetings/{meeting_id}/agenda-order", response_model=Page[AgendaItemRead],
            responses={409: {"description": "the minutes have been approved: the agenda is part of the record"}})
def reorder_agenda(meeting_id: Id, body: AgendaOrder, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Put the agenda in a new order: `item_ids` lists every item of the meeting once (422
    otherwise). Positions become 1..n; generated references (CODE/MM/YY/NN) are renumbered by
    the new positions, custom references kept."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=agenda.reorder(session, access=access, meeting=meeting, item_ids=body.item_ids),
                next_cursor=None)


@router.get("/agenda-items/{item_id}", response_model=AgendaItemRead)
def get_agenda_item(item_id: Id, request: Request, response: Response, session: SessionDep,
                    subject: GroupBusinessReader):
    item, _ = agenda.get_agenda_item(session, subject=subject, item_id=item_id)
    conditional_get(request, response, item)
    return item


@router.patch("/agenda-items/{item_id}", response_model=AgendaItemRead, responses=Precondition)
def update_agenda_item(item_id: Id, body: AgendaItemUpdate, request: Request, response: Response,
                       session: SessionDep, subject: ReaderChangingGroupBusiness):
    item, access = agenda.get_agenda_item(session, subject=subject, item_id=item_id)
    check_if_match(request, item)
    item = agenda.update_agenda_item(session, access=access, item=item, changes=body.changes())
    response.headers["ETag"] = etag_of(item)
    return item


@router.delete("/agenda-items/{item_id}", status_code=204, responses={
    **Precondition, 409: {"description": "something is recorded against it, or the minutes have been approved"}})
def delete_agenda_item(item_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness):
    item, access = agenda.get_agenda_item(session, subject=subject, item_id=item_id)
    check_if_match(request, item)
    agenda.delete_agenda_item(session, access=access, item=item)
    return Response(status_code=204)
