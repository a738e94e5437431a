"""Scheduling meetings: listing, creating (from the standard agenda if asked), changing,
cancelling (kept, marked, with a reason), marking held, and deleting them. Plain functions over a
Session; they flush, never commit.

The rules of a meeting's status, for both doors: a cancelled meeting needs a reason and stays in
the record; a meeting already held cannot be cancelled; only a meeting that has started can be
marked held, and never a cancelled one (reinstate it first).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager
from api.audit import service as audit
from api.core.errors import Conflict, invalid_field
from api.core.pagination import PageParams, paginate
from api.core.types import LONDON
from api.meetings import notices
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
_CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "venue", "venue_kind", "status", "online_link", "cancel_reason"}

CANCEL_REASON_NEEDED = "Give the reason the meeting is cancelled"
HELD_NOT_CANCELLABLE = "This meeting has been held, so it cannot be cancelled."
NOT_STARTED = "A meeting can be marked as held only once it has started."
CANCELLED_NOT_HELD = "A cancelled meeting cannot be marked as held; reinstate it first."
CHANGED_MEANWHILE = ("This meeting was changed by someone else after you opened it. "
                     "Check its details now and make your change again.")


def london_datetime(day: date, at: time) -> datetime:
    """`at` o'clock UK time on `day`, in summer time or not (zoneinfo); ValueError for a time the
    clocks skip when they go forward (01:30 on the last Sunday of March does not exist)."""
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=LONDON)
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("that time does not exist on that day: the clocks go forward")
    return local


def has_started(meeting: Meeting) -> bool:
    return meeting.starts_at <= datetime.now(UTC)


def _status_rules(meeting: Meeting | None, data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a new meeting's fields, or a change) checked against the status rules; returns it
    with the cancellation reason tidied (stripped; cleared when a meeting is reinstated)."""
    data = dict(data)
    before = meeting.status if meeting is not None else None
    status = data.get("status", before) or "scheduled"
    starts = data.get("starts_at", meeting.starts_at if meeting is not None else None)
    if "cancel_reason" in data:
        data["cancel_reason"] = (data["cancel_reason"] or "").strip()
    reason = data.get("cancel_reason", meeting.cancel_reason if meeting is not None else "")
    if status == "cancelled":
        if before == "held":
            raise Conflict(HELD_NOT_CANCELLABLE)
        if not reason:
            raise invalid_field("cancel_reason", CANCEL_REASON_NEEDED)
        return data
    if data.get("cancel_reason"):
        raise invalid_field("cancel_reason", "only a cancelled meeting has a reason for cancelling")
    if meeting is not None and meeting.cancel_reason:
        data["cancel_reason"] = ""  # reinstated
    if status == "held" and ("status" in data or "starts_at" in data):
        if before == "cancelled":
            raise Conflict(CANCELLED_NOT_HELD)
        if starts is not None and starts > datetime.now(UTC):
            raise Conflict(NOT_STARTED)
    return data


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


def create_meeting(session: Session, *, access: GroupAccess, group: Group, data: dict[str, Any],
                   notify: bool = True) -> Meeting:
    """`notify`: invite the group's members (notices.py); a series invites for all its meetings
    at once instead."""
    ensure_manager(session, access, "create a meeting")
    data = _status_rules(None, data)
    use_template = data.pop("use_template", False)
    _check_times(session, group.id, data["starts_at"], data["ends_at"])
    meeting = audit.add_entity(session, Meeting(group_id=group.id, **data), actor=access.subject,
                               entity_type="meeting")
    if use_template:  # the group's standing items (api/meetings/standing.py), else AGENDA_TEMPLATE
        from api.meetings.standing import standing_items  # a late import: standing.py imports this module

        for entry in standing_items(session, group_id=group.id)[0]:
            add_agenda_item(session, access=access, meeting=meeting, data=dict(entry))
    if notify:
        notices.meetings_scheduled(session, [meeting])
    return meeting


def update_meeting(session: Session, *, access: GroupAccess, meeting: Meeting, changes: dict[str, Any],
                   expected_version: int | None = None) -> Meeting:
    """`expected_version`: the version the caller last read (a form's hidden field); a later one
    is a 409 rather than a silent overwrite (the API checks `If-Match` instead)."""
    ensure_manager(session, access, "change a meeting")
    if expected_version is not None and expected_version != meeting.version:
        raise Conflict(CHANGED_MEANWHILE)
    changes = _status_rules(meeting, changes)
    starts = changes.get("starts_at", meeting.starts_at)
    ends = changes.get("ends_at", meeting.ends_at)
    if {"starts_at", "ends_at", "status"} & changes.keys() and changes.get("status", meeting.status) != "cancelled":
        _check_times(session, meeting.group_id, starts, ends, exclude_id=meeting.id)
    if any(key in _CALENDAR_FIELDS and getattr(meeting, key) != value for key, value in changes.items()):
        changes = {**changes, "sequence": meeting.sequence + 1}
    before = notices.calendar_facts(meeting)
    changed = audit.change_entity(session, meeting, changes, actor=access.subject, entity_type="meeting")
    notices.meeting_changed(session, meeting, before)  # moved, cancelled or reinstated: members are told
    return changed


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
