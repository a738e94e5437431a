"""HTTP for decisions recorded at meetings and the decision log."""

from fastapi import APIRouter, Request, Response

from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import decisions, service
from api.meetings.router.common import IdQuery
from api.meetings.schemas import DecisionCreate, DecisionRead

router = APIRouter(tags=["meetings"])


@router.get("/meetings/{meeting_id}/decisions", response_model=Page[DecisionRead])
def list_meeting_decisions(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                           subject: GroupBusinessReader, page: PageDep):
    meeting = service.get_meeting(session, meeting_id)
    rows, cursor = decisions.list_decisions(session, subject=subject, page=page, meeting_id=meeting.id)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/meetings/{meeting_id}/decisions", response_model=DecisionRead, status_code=201)
def record_decision(meeting_id: Id, body: DecisionCreate, response: Response, session: SessionDep,
                    subject: ReaderChangingGroupBusiness):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return decisions.record_decision(session, access=access, meeting=meeting, data=body.model_dump())


@router.get("/decisions", response_model=Page[DecisionRead])
def list_decisions(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
                   page: PageDep, group_id: IdQuery = None):
    """The decision log across groups (or one group), newest first."""
    rows, cursor = decisions.list_decisions(session, subject=subject, page=page, group_id=group_id)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)
