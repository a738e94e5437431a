"""HTTP for who attended a meeting, and attendance rates by group and by person."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.core.db import get_or_404
from api.core.pagination import Page
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import attendance, service
from api.meetings.schemas import AttendanceList, AttendanceListRead, AttendanceRate, AttendanceRead
from api.registry.models import Group, Stakeholder

router = APIRouter(tags=["meetings"])


def _attendance_read(rows) -> AttendanceListRead:
    return AttendanceListRead(items=[AttendanceRead(stakeholder_id=a.stakeholder_id, stakeholder_name=name,
                                                    status=a.status, note=a.note) for a, name in rows])


@router.get("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead)
def get_attendance(meeting_id: Id, session: SessionDep, _: GroupBusinessReader):
    meeting = service.get_meeting(session, meeting_id)
    return _attendance_read(attendance.attendance(session, meeting.id))


@router.put("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead)
def put_attendance(meeting_id: Id, body: AttendanceList, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Replace the whole list: present, in attendance, apologies or absent per person."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    rows = attendance.replace_attendance(session, access=access, meeting=meeting,
                                         entries=[e.model_dump() for e in body.items])
    return _attendance_read(rows)


@router.get("/groups/{group_id}/attendance", response_model=Page[AttendanceRate])
def group_attendance(group_id: Id, session: SessionDep, _: GroupBusinessReader,
                     since: Annotated[date | None, Query(description="Meetings from this date")] = None):
    """Each person's attendance at the group's meetings: recorded, attended, rate."""
    group = get_or_404(session, Group, group_id, "group")
    rates = attendance.attendance_rates(session, group_id=group.id, since=since)
    return Page(items=attendance.attendance_names(session, rates, by_group=False), next_cursor=None)


@router.get("/stakeholders/{stakeholder_id}/attendance", response_model=Page[AttendanceRate])
def person_attendance(stakeholder_id: Id, session: SessionDep, _: GroupBusinessReader,
                      since: Annotated[date | None, Query(description="Meetings from this date")] = None):
    """A person's attendance per group: recorded, attended, rate."""
    get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    rates = attendance.attendance_rates(session, stakeholder_id=stakeholder_id, since=since)
    return Page(items=attendance.attendance_names(session, rates, by_group=True), next_cursor=None)
