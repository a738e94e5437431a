"""HTTP for declarations of interest at meetings, and a person's register of interests."""

from fastapi import APIRouter, Request, Response

from api.core.db import get_or_404
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import declarations, service
from api.meetings.schemas import DeclarationCreate, DeclarationRead, RegisterEntry
from api.registry.models import Stakeholder

router = APIRouter(tags=["meetings"])


@router.get("/meetings/{meeting_id}/declarations", response_model=list[DeclarationRead])
def list_declarations(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """The meeting's declarations in agenda order (those on the meeting as a whole first); those on
    confidential items only for the group's members."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return declarations.for_meeting(session, access=access, meeting_id=meeting.id)


@router.post("/meetings/{meeting_id}/declarations", response_model=DeclarationRead, status_code=201,
             responses={409: {"description": "the meeting was cancelled"}})
def record_declaration(meeting_id: Id, body: DeclarationCreate, session: SessionDep,
                       subject: ReaderChangingGroupBusiness):
    """Record a declaration (the group's officers and admins). The person must be a member of the
    group or recorded as present or in attendance at the meeting; the item, one of its items."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    made = declarations.record_declaration(session, access=access, meeting=meeting, data=body.model_dump())
    return declarations.read_one(session, made.id)


@router.delete("/declarations/{declaration_id}", status_code=204)
def remove_declaration(declaration_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    declaration, _, access = declarations.get_declaration(session, subject=subject, declaration_id=declaration_id)
    declarations.remove_declaration(session, access=access, declaration=declaration)
    return Response(status_code=204)


@router.get("/stakeholders/{stakeholder_id}/declarations", response_model=Page[RegisterEntry])
def register_of_interests(stakeholder_id: Id, request: Request, response: Response, session: SessionDep,
                          subject: GroupBusinessReader, page: PageDep):
    """A person's register of interests: their declarations across meetings, newest meeting first.
    A declaration on a confidential item is listed only to those who may see the item."""
    get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    rows, cursor = declarations.register(session, subject=subject, stakeholder_id=stakeholder_id, page=page)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)
