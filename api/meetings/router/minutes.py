"""HTTP for a meeting's minutes: the draft, approval, locking and the versions."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.core.http import if_match
from api.core.pagination import Page
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import minutes, service
from api.meetings.models import Meeting
from api.meetings.schemas import MinuteRead, MinutesApprove, MinutesPut, MinutesRead, MinutesVersionRead

router = APIRouter(tags=["meetings"])


def _minutes_read(session, access, meeting: Meeting, version) -> MinutesRead:
    items = minutes.texts(session, access=access, minutes=version)
    return MinutesRead(meeting_id=meeting.id, status=version.status, version=version.version,
                       approved_at_meeting_id=version.approved_at_meeting_id, approved_at=version.approved_at,
                       written_by=version.written_by, amendments=version.amendments,
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
                subject: ReaderChangingGroupBusiness):
    """Write the draft; on approved minutes this starts an amendment (a new version). Send the
    `version` last read, or its ETag in `If-Match`, and a write over someone else's is refused."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    written = minutes.write(session, access=access, meeting=meeting, items=[i.model_dump() for i in body.items],
                            expected_version=body.version, if_match=if_match(request))
    response.headers["ETag"] = minutes.etag(session, access=access, minutes=written)
    return _minutes_read(session, access, meeting, written)


@router.post("/meetings/{meeting_id}/minutes/approve", response_model=MinutesRead,
             responses={409: {"description": "no draft to approve, the approving meeting has not started yet, "
                                             "or `version` is not the current one"}})
def approve_minutes(meeting_id: Id, body: MinutesApprove, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Approve the draft at a later meeting of the same group that has started and was not
    cancelled, as a correct record or subject to `amendments`."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    approved = minutes.approve(session, access=access, meeting=meeting,
                               approved_at_meeting_id=body.approved_at_meeting_id, amendments=body.amendments,
                               expected_version=body.version)
    return _minutes_read(session, access, meeting, approved)


@router.post("/meetings/{meeting_id}/minutes/lock", response_model=MinutesRead)
def lock_minutes(meeting_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Lock approved minutes for good: no further amendment."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return _minutes_read(session, access, meeting, minutes.lock(session, access=access, meeting=meeting))


@router.get("/meetings/{meeting_id}/minutes/versions", response_model=Page[MinutesVersionRead])
def list_minutes_versions(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    rows = [v for v in minutes.versions(session, meeting.id) if v.status != "draft" or access.sees_members_only]
    return Page(items=rows, next_cursor=None)
