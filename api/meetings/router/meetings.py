"""HTTP for scheduling a group's meetings."""

from fastapi import APIRouter, Request, Response

from api.access import access_to
from api.core.db import get_or_404
from api.core.http import Precondition, check_if_match, conditional_get, created, etag_of
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import meetings, service
from api.meetings.schemas import MeetingCreate, MeetingRead, MeetingUpdate
from api.registry.models import Group

router = APIRouter(tags=["meetings"])


@router.get("/groups/{group_id}/meetings", response_model=Page[MeetingRead])
def list_meetings(group_id: Id, request: Request, response: Response, session: SessionDep,
                  _: GroupBusinessReader, page: PageDep, upcoming: bool | None = None):
    """A group's meetings, newest first (`upcoming=true`: those still to come, soonest first)."""
    get_or_404(session, Group, group_id, "group")
    rows, cursor = meetings.list_meetings(session, group_id=group_id, page=page, upcoming=upcoming)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/groups/{group_id}/meetings", response_model=MeetingRead, status_code=201,
             responses={409: {"description": "overlaps another meeting of the group"}})
def create_meeting(group_id: Id, body: MeetingCreate, request: Request, response: Response, session: SessionDep,
                   subject: ReaderChangingGroupBusiness):
    group = get_or_404(session, Group, group_id, "group")
    meeting = meetings.create_meeting(session, access=access_to(session, subject, group.id), group=group,
                                      data=body.model_dump())
    created(request, response, meeting, "get_meeting", meeting_id=meeting.id)
    return meeting


@router.get("/meetings/{meeting_id}", response_model=MeetingRead)
def get_meeting(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                _: GroupBusinessReader):
    meeting = service.get_meeting(session, meeting_id)
    conditional_get(request, response, meeting)
    return meeting


@router.patch("/meetings/{meeting_id}", response_model=MeetingRead, responses=Precondition)
def update_meeting(meeting_id: Id, body: MeetingUpdate, request: Request, response: Response, session: SessionDep,
                   subject: ReaderChangingGroupBusiness):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    check_if_match(request, meeting)
    meeting = meetings.update_meeting(session, access=access, meeting=meeting, changes=body.changes())
    response.headers["ETag"] = etag_of(meeting)
    return meeting


@router.delete("/meetings/{meeting_id}", status_code=204, responses=Precondition)
def delete_meeting(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    check_if_match(request, meeting)
    meetings.delete_meeting(session, access=access, meeting=meeting)
    return Response(status_code=204)
