"""HTTP for the action log, and the chair's summary of a meeting (its actions among the rest)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.core.http import Precondition, check_if_match, conditional_get, created, etag_of
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import actions, service, summary
from api.meetings.router.common import IdQuery
from api.meetings.schemas import (
    ActionChange,
    ActionCreate,
    ActionNoteCreate,
    ActionRead,
    ActionSort,
    ActionStatus,
    ChairSummary,
)

router = APIRouter(tags=["meetings"])


@router.get("/actions", response_model=Page[ActionRead],
            responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}})
def list_actions(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
                 page: PageDep, owner_id: IdQuery = None, group_id: IdQuery = None,
                 status: ActionStatus | None = None, overdue: bool | None = None,
                 format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
                 sort: Annotated[ActionSort, Query(description="group and number, due date (undated last), "
                                                               "newest first")] = "group"):
    """The action log by group and number (or `sort`); `format=csv` streams the whole filtered log."""
    filters = {"owner_id": owner_id, "group_id": group_id, "status": status, "overdue": overdue}
    if format == "csv":
        return StreamingResponse(actions.export_csv(request.app.state.engine, subject=subject, **filters),
                                 media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="action-log.csv"'})
    rows, cursor = actions.list_actions(session, subject=subject, page=page, sort=sort, **filters)
    notes = actions.updates_for(session, [a.id for a, _ in rows])
    set_next_link(request, response, cursor)
    return Page(items=[summary.action_read(a, name, notes[a.id]) for a, name in rows], next_cursor=cursor)


@router.post("/actions", response_model=ActionRead, status_code=201,
             responses={409: {"description": "the number is already used in this group"}})
def create_action(body: ActionCreate, request: Request, response: Response, session: SessionDep,
                  subject: ReaderChangingGroupBusiness):
    action = actions.create_action(session, subject=subject, data=body.model_dump())
    created(request, response, action, "get_action", action_id=action.id)
    return summary.one_action(session, action)


@router.get("/actions/{action_id}", response_model=ActionRead)
def get_action(action_id: Id, request: Request, response: Response, session: SessionDep,
               subject: GroupBusinessReader):
    action, _ = actions.get_action(session, subject=subject, action_id=action_id)
    conditional_get(request, response, action)
    return summary.one_action(session, action)


@router.patch("/actions/{action_id}", response_model=ActionRead, responses=Precondition)
def update_action(action_id: Id, body: ActionChange, request: Request, response: Response, session: SessionDep,
                  subject: ReaderChangingGroupBusiness):
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    check_if_match(request, action)
    action = actions.update_action(session, access=access, action=action, changes=body.changes())
    response.headers["ETag"] = etag_of(action)
    return summary.one_action(session, action)


@router.delete("/actions/{action_id}", status_code=204,
               responses={409: {"description": "the action has updates recorded: close it instead"}})
def delete_action(action_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Remove an action set in error (the group's officers and admins; the audit log keeps it).
    One with updates recorded is closed instead; its number is never given again."""
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    actions.delete_action(session, access=access, action=action)
    return Response(status_code=204)


@router.post("/actions/{action_id}/updates", response_model=ActionRead, status_code=201)
def add_action_update(action_id: Id, body: ActionNoteCreate, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """A dated note by the owner, an officer of the group or an admin; `close: true` closes it."""
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    actions.add_update(session, access=access, action=action, text=body.text, on=body.date, close=body.close)
    return summary.one_action(session, action)


@router.get("/meetings/{meeting_id}/carried-forward", response_model=Page[ActionRead])
def carried_forward(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """Open actions set before this meeting: what its action-log item reviews."""
    meeting = service.get_meeting(session, meeting_id)
    return Page(items=summary.action_rows(session, actions.carried_forward(session, subject=subject, meeting=meeting)),
                next_cursor=None)


@router.get("/meetings/{meeting_id}/summary", response_model=ChairSummary)
def get_chair_summary(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """The chair's summary report: items considered (with their minutes), decisions, actions set
    at the meeting and those carried forward, attendance counts."""
    return summary.chair_summary(session, subject, meeting_id)
