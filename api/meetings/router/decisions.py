"""HTTP for decisions recorded at meetings and the decision log."""

from fastapi import APIRouter, Request, Response

from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import decisions, service
from api.meetings.router.common import IdQuery
from api.meetings.schemas import DecisionCreate, DecisionRead, DecisionUpdate

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


@router.patch("/decisions/{decision_id}", response_model=DecisionRead,
              responses={409: {"description": "the meeting's minutes are approved or locked: amend them first"}})
def update_decision(decision_id: Id, body: DecisionUpdate, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Correct a decision (the group's officers and admins), while its meeting's minutes are a
    draft: once they are approved, start an amendment of the minutes first."""
    decision, access = decisions.get_decision(session, subject=subject, decision_id=decision_id)
    return decisions.update_decision(session, access=access, decision=decision, changes=body.changes())


@router.delete("/decisions/{decision_id}", status_code=204,
               responses={409: {"description": "the meeting's minutes are approved or locked: amend them first"}})
def delete_decision(decision_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Remove a decision from the record (the audit log keeps it), on the same terms as a change."""
    decision, access = decisions.get_decision(session, subject=subject, decision_id=decision_id)
    decisions.delete_decision(session, access=access, decision=decision)
    return Response(status_code=204)
