"""HTTP for meetings, agendas, attendance, minutes, decisions and the action log."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse, StreamingResponse

from api import authz
from api.access import access_to, roles_by_group
from api.audit import service as audit
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Unauthorized
from api.core.http import check_if_match, conditional_get, etag_of, if_match
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import SINGLE_LINE, Id
from api.deps import GroupBusinessReader, Person, SessionDep, SettingsDep, current_subject, require
from api.meetings import actions, calendar, documents, minutes, service, summary
from api.meetings.models import Meeting
from api.meetings.schemas import (
    ActionChange,
    ActionCreate,
    ActionNoteCreate,
    ActionRead,
    ActionStatus,
    AgendaItemCreate,
    AgendaItemRead,
    AgendaItemUpdate,
    AttendanceList,
    AttendanceListRead,
    AttendanceRate,
    AttendanceRead,
    CalendarLinks,
    ChairSummary,
    DecisionCreate,
    DecisionRead,
    DocumentRead,
    MeetingCreate,
    MeetingRead,
    MeetingUpdate,
    MinuteRead,
    MinutesApprove,
    MinutesPut,
    MinutesRead,
    MinutesVersionRead,
)
from api.registry.models import Group, Stakeholder

router = APIRouter(tags=["meetings"])

IdQuery = Annotated[Id | None, Query()]
Precondition = {412: {"description": "If-Match does not match the current ETag"}}


def _created(request: Request, response: Response, entity, route: str, **params) -> None:
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = str(request.url_for(route, **params))
    if hasattr(entity, "version"):
        response.headers["ETag"] = etag_of(entity)


# Meetings -----------------------------------------------------------------------------------

@router.get("/groups/{group_id}/meetings", response_model=Page[MeetingRead])
def list_meetings(group_id: Id, request: Request, response: Response, session: SessionDep,
                  _: GroupBusinessReader, page: PageDep, upcoming: bool | None = None):
    """A group's meetings, newest first (`upcoming=true`: those still to come, soonest first)."""
    get_or_404(session, Group, group_id, "group")
    rows, cursor = service.list_meetings(session, group_id=group_id, page=page, upcoming=upcoming)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/groups/{group_id}/meetings", response_model=MeetingRead, status_code=201,
             responses={409: {"description": "overlaps another meeting of the group"}})
def create_meeting(group_id: Id, body: MeetingCreate, request: Request, response: Response, session: SessionDep,
                   subject: GroupBusinessReader):
    group = get_or_404(session, Group, group_id, "group")
    meeting = service.create_meeting(session, access=access_to(session, subject, group.id), group=group,
                                     data=body.model_dump())
    _created(request, response, meeting, "get_meeting", meeting_id=meeting.id)
    return meeting


@router.get("/meetings/{meeting_id}", response_model=MeetingRead)
def get_meeting(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                _: GroupBusinessReader):
    meeting = service.get_meeting(session, meeting_id)
    conditional_get(request, response, meeting)
    return meeting


@router.patch("/meetings/{meeting_id}", response_model=MeetingRead, responses=Precondition)
def update_meeting(meeting_id: Id, body: MeetingUpdate, request: Request, response: Response, session: SessionDep,
                   subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    check_if_match(request, meeting)
    meeting = service.update_meeting(session, access=access, meeting=meeting, changes=body.changes())
    response.headers["ETag"] = etag_of(meeting)
    return meeting


@router.delete("/meetings/{meeting_id}", status_code=204, responses=Precondition)
def delete_meeting(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    check_if_match(request, meeting)
    service.delete_meeting(session, access=access, meeting=meeting)
    return Response(status_code=204)


# Agenda ---------------------------------------------------------------------------------------

@router.get("/meetings/{meeting_id}/agenda-items", response_model=Page[AgendaItemRead])
def list_agenda(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """The agenda in order (confidential items only for the group's members)."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=service.agenda(session, access=access, meeting_id=meeting.id), next_cursor=None)


@router.post("/meetings/{meeting_id}/agenda-items", response_model=AgendaItemRead, status_code=201,
             responses={409: {"description": "the reference is already used in this meeting"}})
def add_agenda_item(meeting_id: Id, body: AgendaItemCreate, request: Request, response: Response,
                    session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    item = service.add_agenda_item(session, access=access, meeting=meeting, data=body.model_dump())
    _created(request, response, item, "get_agenda_item", item_id=item.id)
    return item


@router.get("/agenda-items/{item_id}", response_model=AgendaItemRead)
def get_agenda_item(item_id: Id, request: Request, response: Response, session: SessionDep,
                    subject: GroupBusinessReader):
    item, _ = service.get_agenda_item(session, subject=subject, item_id=item_id)
    conditional_get(request, response, item)
    return item


@router.patch("/agenda-items/{item_id}", response_model=AgendaItemRead, responses=Precondition)
def update_agenda_item(item_id: Id, body: AgendaItemUpdate, request: Request, response: Response,
                       session: SessionDep, subject: GroupBusinessReader):
    item, access = service.get_agenda_item(session, subject=subject, item_id=item_id)
    check_if_match(request, item)
    item = service.update_agenda_item(session, access=access, item=item, changes=body.changes())
    response.headers["ETag"] = etag_of(item)
    return item


@router.delete("/agenda-items/{item_id}", status_code=204, responses=Precondition)
def delete_agenda_item(item_id: Id, request: Request, session: SessionDep, subject: GroupBusinessReader):
    item, access = service.get_agenda_item(session, subject=subject, item_id=item_id)
    check_if_match(request, item)
    service.delete_agenda_item(session, access=access, item=item)
    return Response(status_code=204)


# Attendance -----------------------------------------------------------------------------------

def _attendance_read(rows) -> AttendanceListRead:
    return AttendanceListRead(items=[AttendanceRead(stakeholder_id=a.stakeholder_id, stakeholder_name=name,
                                                    status=a.status, note=a.note) for a, name in rows])


@router.get("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead)
def get_attendance(meeting_id: Id, session: SessionDep, _: GroupBusinessReader):
    meeting = service.get_meeting(session, meeting_id)
    return _attendance_read(service.attendance(session, meeting.id))


@router.put("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead)
def put_attendance(meeting_id: Id, body: AttendanceList, session: SessionDep, subject: GroupBusinessReader):
    """Replace the whole list: present, in attendance, apologies or absent per person."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    rows = service.replace_attendance(session, access=access, meeting=meeting,
                                      entries=[e.model_dump() for e in body.items])
    return _attendance_read(rows)


@router.get("/groups/{group_id}/attendance", response_model=Page[AttendanceRate])
def group_attendance(group_id: Id, session: SessionDep, _: GroupBusinessReader,
                     since: Annotated[date | None, Query(description="Meetings from this date")] = None):
    """Each person's attendance at the group's meetings: recorded, attended, rate."""
    group = get_or_404(session, Group, group_id, "group")
    rates = service.attendance_rates(session, group_id=group.id, since=since)
    return Page(items=service.attendance_names(session, rates, by_group=False), next_cursor=None)


@router.get("/stakeholders/{stakeholder_id}/attendance", response_model=Page[AttendanceRate])
def person_attendance(stakeholder_id: Id, session: SessionDep, _: GroupBusinessReader,
                      since: Annotated[date | None, Query(description="Meetings from this date")] = None):
    """A person's attendance per group: recorded, attended, rate."""
    get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    rates = service.attendance_rates(session, stakeholder_id=stakeholder_id, since=since)
    return Page(items=service.attendance_names(session, rates, by_group=True), next_cursor=None)


# Minutes ------------------------------------------------------------------------------------

def _minutes_read(session, access, meeting: Meeting, version) -> MinutesRead:
    items = minutes.texts(session, access=access, minutes=version)
    return MinutesRead(meeting_id=meeting.id, status=version.status, version=version.version,
                       approved_at_meeting_id=version.approved_at_meeting_id, approved_at=version.approved_at,
                       written_by=version.written_by,
                       items=[MinuteRead(agenda_item_id=i["agenda_item_id"], text=i["text"], html=i["html"])
                              for i in items])


@router.get("/meetings/{meeting_id}/minutes", response_model=MinutesRead)
def get_minutes(meeting_id: Id, response: Response, session: SessionDep, subject: GroupBusinessReader,
                version: Annotated[int | None, Query(ge=1, le=10_000)] = None):
    """The latest minutes the caller may read (drafts for members only), or `?version=`. The
    ETag is what `If-Match` on a PUT takes."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    chosen = minutes.visible_version(session, access=access, meeting_id=meeting.id, version=version)
    response.headers["ETag"] = minutes.etag(session, access=access, minutes=chosen)
    return _minutes_read(session, access, meeting, chosen)


@router.put("/meetings/{meeting_id}/minutes", response_model=MinutesRead,
            responses={409: {"description": "the minutes are locked, or `version` is not the current one"},
                       412: {"description": "If-Match does not match the current ETag"}})
def put_minutes(meeting_id: Id, body: MinutesPut, request: Request, response: Response, session: SessionDep,
                subject: GroupBusinessReader):
    """Write the draft; on approved minutes this starts an amendment (a new version). Send the
    `version` last read, or its ETag in `If-Match`, and a write over someone else's is refused."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    written = minutes.write(session, access=access, meeting=meeting, items=[i.model_dump() for i in body.items],
                            expected_version=body.version, if_match=if_match(request))
    response.headers["ETag"] = minutes.etag(session, access=access, minutes=written)
    return _minutes_read(session, access, meeting, written)


@router.post("/meetings/{meeting_id}/minutes/approve", response_model=MinutesRead)
def approve_minutes(meeting_id: Id, body: MinutesApprove, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    approved = minutes.approve(session, access=access, meeting=meeting,
                               approved_at_meeting_id=body.approved_at_meeting_id)
    return _minutes_read(session, access, meeting, approved)


@router.post("/meetings/{meeting_id}/minutes/lock", response_model=MinutesRead)
def lock_minutes(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    """Lock approved minutes for good: no further amendment."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return _minutes_read(session, access, meeting, minutes.lock(session, access=access, meeting=meeting))


@router.get("/meetings/{meeting_id}/minutes/versions", response_model=Page[MinutesVersionRead])
def list_minutes_versions(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    rows = [v for v in minutes.versions(session, meeting.id) if v.status != "draft" or access.sees_members_only]
    return Page(items=rows, next_cursor=None)


# Decisions ----------------------------------------------------------------------------------

@router.get("/meetings/{meeting_id}/decisions", response_model=Page[DecisionRead])
def list_meeting_decisions(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                           subject: GroupBusinessReader, page: PageDep):
    meeting = service.get_meeting(session, meeting_id)
    rows, cursor = service.list_decisions(session, subject=subject, page=page, meeting_id=meeting.id)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/meetings/{meeting_id}/decisions", response_model=DecisionRead, status_code=201)
def record_decision(meeting_id: Id, body: DecisionCreate, response: Response, session: SessionDep,
                    subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return service.record_decision(session, access=access, meeting=meeting, data=body.model_dump())


@router.get("/decisions", response_model=Page[DecisionRead])
def list_decisions(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
                   page: PageDep, group_id: IdQuery = None):
    """The decision log across groups (or one group), newest first."""
    rows, cursor = service.list_decisions(session, subject=subject, page=page, group_id=group_id)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


# Actions ------------------------------------------------------------------------------------

@router.get("/actions", response_model=Page[ActionRead],
            responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}})
def list_actions(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
                 page: PageDep, owner_id: IdQuery = None, group_id: IdQuery = None,
                 status: ActionStatus | None = None, overdue: bool | None = None,
                 format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
                 sort: Annotated[str, Query(pattern="^(group|due|newest)$",
                                            description="group and number, due date (undated last), newest first")]
                 = "group"):
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
                  subject: GroupBusinessReader):
    action = actions.create_action(session, subject=subject, data=body.model_dump())
    _created(request, response, action, "get_action", action_id=action.id)
    return summary.one_action(session, action)


@router.get("/actions/{action_id}", response_model=ActionRead)
def get_action(action_id: Id, request: Request, response: Response, session: SessionDep,
               subject: GroupBusinessReader):
    action, _ = actions.get_action(session, subject=subject, action_id=action_id)
    conditional_get(request, response, action)
    return summary.one_action(session, action)


@router.patch("/actions/{action_id}", response_model=ActionRead, responses=Precondition)
def update_action(action_id: Id, body: ActionChange, request: Request, response: Response, session: SessionDep,
                  subject: GroupBusinessReader):
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    check_if_match(request, action)
    action = actions.update_action(session, access=access, action=action, changes=body.changes())
    response.headers["ETag"] = etag_of(action)
    return summary.one_action(session, action)


@router.post("/actions/{action_id}/updates", response_model=ActionRead, status_code=201)
def add_action_update(action_id: Id, body: ActionNoteCreate, session: SessionDep, subject: GroupBusinessReader):
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


# Calendar feeds -------------------------------------------------------------------------------

def feed_subject(request: Request, settings: SettingsDep, session: SessionDep,
                 token: Annotated[str | None, Query(max_length=80, description="The person's feed token")] = None
                 ) -> Subject:
    """A bearer token as usual, or the person's secret feed token (calendar apps send no headers)."""
    if token is None:
        return current_subject(request, settings, session)
    user = calendar.user_for_feed_token(session, settings, token)
    if user is None:
        raise Unauthorized("This calendar link is not valid; it may have been reset.")
    return auth_service.user_subject(user)


FeedReader = Annotated[Subject, Depends(require(authz.may_read_group_business, source=feed_subject))]
ICS = {200: {"content": {"text/calendar": {}}, "description": "iCalendar (RFC 5545)"}}


def _ics(body: str, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"})


@router.get("/groups/{group_id}/meetings.ics", response_class=Response, responses=ICS)
def group_calendar(group_id: Id, request: Request, session: SessionDep, _: FeedReader):
    """Past and upcoming meetings of a group; cancelled ones say STATUS:CANCELLED."""
    group = get_or_404(session, Group, group_id, "group")
    return _ics(calendar.render(group.name, calendar.group_meetings(session, group.id), str(request.base_url)),
                f"{group.slug}.ics")


@router.get("/me/meetings.ics", response_class=Response, responses=ICS)
def my_calendar(request: Request, session: SessionDep, subject: FeedReader):
    """Meetings of every group the person sits on now."""
    if subject.kind != "user":
        raise Unauthorized("A personal calendar needs a person's token or feed link.")
    rows = calendar.my_meetings(session, roles_by_group(session, subject).keys())
    return _ics(calendar.render("My All Together Active meetings", rows, str(request.base_url)), "my-meetings.ics")


def _links(request: Request, settings, user: UserAccount) -> CalendarLinks:
    token = calendar.feed_token(settings, user)
    return CalendarLinks(personal=str(request.url_for("my_calendar").include_query_params(token=token)),
                         token=token)


@router.get("/me/calendar", response_model=CalendarLinks)
def my_calendar_links(request: Request, session: SessionDep, settings: SettingsDep, subject: Person):
    """The secret link of my calendar feed (add `?token=` to any group's feed too)."""
    return _links(request, settings, session.get(UserAccount, int(subject.id)))


@router.post("/me/calendar/reset", response_model=CalendarLinks)
def reset_my_calendar_links(request: Request, session: SessionDep, settings: SettingsDep, subject: Person):
    """A new secret link; the old one stops working at once."""
    user = session.get(UserAccount, int(subject.id))
    user.feed_generation += 1
    session.flush()
    audit.record(session, actor=subject, action="calendar.reset", entity_type="user", entity_id=user.id)
    return _links(request, settings, user)


# Documents ------------------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/documents", response_model=DocumentRead, status_code=201,
             responses={413: {"description": "larger than ATA_MAX_UPLOAD_MB"},
                        415: {"description": "not a PDF, Office document, CSV or image (by content)"}})
def upload_document(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                    settings: SettingsDep, subject: GroupBusinessReader,
                    file: Annotated[UploadFile, File(description="The document")],
                    title: Annotated[str | None, Form(max_length=300), SINGLE_LINE] = None,
                    agenda_item_id: Annotated[Id | None, Form()] = None,
                    confidential: Annotated[bool, Form()] = False):
    """A meeting pack or report, checked by size and by content; stored once per content."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    document = documents.add(session, settings, access=access, meeting=meeting, upload=file.file,
                             filename=file.filename, title=title, agenda_item_id=agenda_item_id,
                             confidential=confidential)
    _created(request, response, document, "get_document", document_id=document.id)
    return document


@router.get("/meetings/{meeting_id}/documents", response_model=Page[DocumentRead])
def list_documents(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=documents.list_for_meeting(session, access=access, meeting_id=meeting.id), next_cursor=None)


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: Id, session: SessionDep, subject: GroupBusinessReader):
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return document


@router.get("/documents/{document_id}/content", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_document(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessReader):
    """The file itself, as an attachment (confidential ones to the group's members only)."""
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)
