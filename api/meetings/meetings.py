"""Scheduling meetings: listing, creating (from the standard agenda if asked), changing and
deleting them. Plain functions over a Session; they flush, never commit.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager
from api.audit import service as audit
from api.core.errors import Conflict, invalid_field
from api.core.pagination import PageParams, paginate
from api.core.types import LONDON
from api.meetings.agenda import add_agenda_item
from api.meetings.models import Action, AgendaItem, Attendance, Decision, Meeting, MinuteText
from api.registry.models import Group

# The standard agenda a new meeting can start from (the shape of the partnership's papers).
AGENDA_TEMPLATE = (
    ("Welcome, introductions and apologies", "For information"),
    ("Declarations of interest", "For information"),
    ("Minutes of the last meeting", "For approval"),
    ("Action log", "For assurance"),
    ("Any other business", "For information"),
    ("Review of the meeting", "For discussion"),
)


# Fields whose change a calendar must show (iCalendar SEQUENCE).
_CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "venue", "venue_kind", "status"}


def list_meetings(session: Session, *, group_id: int, page: PageParams, upcoming: bool | None = None):
    """Newest first; `upcoming=true` only meetings still to start, soonest first."""
    stmt = select(Meeting).where(Meeting.group_id == group_id)
    if upcoming:
        stmt = stmt.where(Meeting.starts_at >= datetime.now(LONDON))
        return paginate(session, stmt, order=[Meeting.starts_at, Meeting.id], page=page)
    return paginate(session, stmt, order=[Meeting.starts_at, Meeting.id], page=page, descending=True)


def meetings_around(session: Session, group_id: int, *, upcoming: int = 5, past: int = 10) -> tuple[list, list]:
    """The next few meetings (soonest first) and the last few (latest first), for a group page."""
    now = datetime.now(LONDON)
    base = select(Meeting).where(Meeting.group_id == group_id)
    coming = session.exec(base.where(Meeting.starts_at >= now).order_by(Meeting.starts_at).limit(upcoming)).all()
    gone = session.exec(base.where(Meeting.starts_at < now).order_by(Meeting.starts_at.desc()).limit(past)).all()
    return list(coming), list(gone)


def later_meetings(session: Session, meeting: Meeting, *, limit: int = 24) -> list[Meeting]:
    """The group's meetings after this one, soonest first (where its minutes can be approved)."""
    stmt = (select(Meeting).where(Meeting.group_id == meeting.group_id, Meeting.starts_at > meeting.starts_at,
                                  Meeting.status != "cancelled")
            .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(session.exec(stmt))


def _check_times(session: Session, group_id: int, starts_at: datetime, ends_at: datetime,
                 exclude_id: int | None = None) -> None:
    if ends_at <= starts_at:
        raise invalid_field("ends_at", "must be after starts_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise invalid_field("ends_at", "a meeting lasts at most 24 hours")
    stmt = select(Meeting).where(
        Meeting.group_id == group_id, Meeting.status != "cancelled",
        Meeting.starts_at < ends_at, Meeting.ends_at > starts_at,
    )
    if exclude_id is not None:
        stmt = stmt.where(Meeting.id != exclude_id)
    clash = session.exec(stmt).first()
    if clash is not None:
        when = clash.starts_at.astimezone(LONDON).strftime("%d %B %Y %H:%M")
        raise Conflict(f"This group already has a meeting at that time (id {clash.id}, {when}).")


def create_meeting(session: Session, *, access: GroupAccess, group: Group, data: dict[str, Any]) -> Meeting:
    ensure_manager(session, access, "create a meeting")
    data = dict(data)
    use_template = data.pop("use_template", False)
    _check_times(session, group.id, data["starts_at"], data["ends_at"])
    meeting = audit.add_entity(session, Meeting(group_id=group.id, **data), actor=access.subject,
                               entity_type="meeting")
    if use_template:
        for title, purpose in AGENDA_TEMPLATE:
            add_agenda_item(session, access=access, meeting=meeting, data={"title": title, "purpose": purpose})
    return meeting


def update_meeting(session: Session, *, access: GroupAccess, meeting: Meeting, changes: dict[str, Any]) -> Meeting:
    ensure_manager(session, access, "change a meeting")
    starts = changes.get("starts_at", meeting.starts_at)
    ends = changes.get("ends_at", meeting.ends_at)
    if {"starts_at", "ends_at", "status"} & changes.keys() and changes.get("status", meeting.status) != "cancelled":
        _check_times(session, meeting.group_id, starts, ends, exclude_id=meeting.id)
    if any(key in _CALENDAR_FIELDS and getattr(meeting, key) != value for key, value in changes.items()):
        changes = {**changes, "sequence": meeting.sequence + 1}
    return audit.change_entity(session, meeting, changes, actor=access.subject, entity_type="meeting")


def delete_meeting(session: Session, *, access: GroupAccess, meeting: Meeting) -> None:
    """Only a meeting with no record yet (minutes, decisions, actions); otherwise cancel it."""
    ensure_manager(session, access, "delete a meeting")
    has_record = (
        session.exec(select(func.count()).select_from(Decision).where(Decision.meeting_id == meeting.id)).one()
        or session.exec(select(func.count()).select_from(Action).where(Action.meeting_id == meeting.id)).one()
        or session.exec(select(func.count()).select_from(MinuteText).join(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id)).one()
    )
    if has_record:
        raise Conflict("This meeting has minutes, decisions or actions; cancel it instead of deleting it.")
    session.exec(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    session.exec(delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    audit.remove_entity(session, meeting, actor=access.subject, entity_type="meeting")
