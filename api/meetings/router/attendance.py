"""HTTP for who attended a meeting (people in the directory and guests), and attendance rates by
group and by person."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.core.db import get_or_404
from api.core.pagination import Page
from api.core.schemas import Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep
from api.meetings import attendance, service
from api.meetings.schemas import (
    AttendanceList,
    AttendanceListRead,
    AttendanceRate,
    AttendanceRead,
    GuestCreate,
    GuestRead,
)
from api.registry.models import Group, Stakeholder

router = APIRouter(tags=["meetings"])


STARTED_ONLY = {409: {"description": "the meeting has not started yet, or was cancelled"}}


def _attendance_read(session, meeting_id: int, rows) -> AttendanceListRead:
    return AttendanceListRead(items=[AttendanceRead(stakeholder_id=a.stakeholder_id, stakeholder_name=name,
                                                    status=a.status, note=a.note) for a, name in rows],
                              guests=attendance.guests(session, meeting_id))


@router.get("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead)
def get_attendance(meeting_id: Id, session: SessionDep, _: GroupBusinessReader):
    """Everyone recorded, and the guests in attendance who are not in the directory."""
    meeting = service.get_meeting(session, meeting_id)
    return _attendance_read(session, meeting.id, attendance.attendance(session, meeting.id))


@router.put("/meetings/{meeting_id}/attendance", response_model=AttendanceListRead, responses=STARTED_ONLY)
def put_attendance(meeting_id: Id, body: AttendanceList, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Replace the whole list: present, in attendance, apologies or absent per person. Only once
    the meeting has started (409 before, and for a cancelled meeting)."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    rows = attendance.replace_attendance(session, access=access, meeting=meeting,
                                         entries=[e.model_dump() for e in body.items])
    return _attendance_read(session, meeting.id, rows)


@router.get("/meetings/{meeting_id}/guests", response_model=list[GuestRead])
def list_guests(meeting_id: Id, session: SessionDep, _: GroupBusinessReader):
    """Guests in attendance who are not in the directory, by name and organisation."""
    meeting = service.get_meeting(session, meeting_id)
    return attendance.guests(session, meeting.id)


@router.post("/meetings/{meeting_id}/guests", response_model=GuestRead, status_code=201, responses=STARTED_ONLY)
def add_guest(meeting_id: Id, body: GuestCreate, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """Record a guest in attendance (the group's officers and admins; once the meeting has started).
    Someone in the directory is recorded through the attendance list instead, as in attendance."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return attendance.add_guest(session, access=access, meeting=meeting, name=body.name,
                                organisation=body.organisation)


@router.delete("/guests/{guest_id}", status_code=204, responses=STARTED_ONLY)
def remove_guest(guest_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    guest, meeting, access = attendance.get_guest(session, subject=subject, guest_id=guest_id)
    attendance.remove_guest(session, access=access, meeting=meeting, guest=guest)
    return Response(status_code=204)


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
