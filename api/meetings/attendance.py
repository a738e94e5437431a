"""Who attended a meeting (people in the directory, and guests recorded by name and
organisation), and attendance rates over a group's or a person's held meetings. Plain functions
over a Session; they flush, never commit.

Attendance is recorded only once a meeting has started (and never for a cancelled one): before
that there is no one to have attended. A meeting counts towards the rates on the same terms.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput, invalid_field
from api.core.types import LONDON, utcnow
from api.meetings.models import Attendance, Meeting, MeetingGuest
from api.meetings.schemas import ATTENDANCE_STATUSES
from api.registry.models import Group, Stakeholder

NOT_STARTED = "Attendance can be recorded once the meeting has started."
CANCELLED = "This meeting was cancelled: there is no attendance to record."


def has_started(meeting: Meeting) -> bool:
    """True for a meeting that is not cancelled and whose start time has passed (the times are
    stored in UTC, so this holds the same whatever the clocks in London say)."""
    return meeting.status != "cancelled" and meeting.starts_at <= utcnow()


def ensure_started(meeting: Meeting) -> None:
    """409 unless attendance may be recorded at `meeting` (it has started, and is not cancelled)."""
    if meeting.status == "cancelled":
        raise Conflict(CANCELLED)
    if not has_started(meeting):
        raise Conflict(NOT_STARTED)


def held():
    """SQL: the meetings that count as held for the rates: not cancelled, and already started."""
    return (Meeting.status != "cancelled") & (Meeting.starts_at <= utcnow())


def _check_people(session: Session, ids: Sequence[int | None], field: str) -> None:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = set(session.exec(select(Stakeholder.id).where(Stakeholder.id.in_(wanted))).all())
    missing = sorted(wanted - found)
    if missing:
        raise invalid_field(field, f"no stakeholder with id {', '.join(map(str, missing))}")


def attendance(session: Session, meeting_id: int) -> list[tuple[Attendance, str]]:
    stmt = (
        select(Attendance, Stakeholder.name)
        .join(Stakeholder, Stakeholder.id == Attendance.stakeholder_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Attendance.status, Stakeholder.name)
    )
    return list(session.exec(stmt).all())


def replace_attendance(session: Session, *, access: GroupAccess, meeting: Meeting,
                       entries: list[dict[str, Any]]) -> list[tuple[Attendance, str]]:
    """The whole list at once: everyone recorded, members and invited guests alike."""
    ensure_manager(session, access, "record attendance")
    ensure_started(meeting)
    errors = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        if entry["stakeholder_id"] in seen:
            errors.append({"loc": ["body", "items", index, "stakeholder_id"], "msg": "listed twice"})
        seen.add(entry["stakeholder_id"])
    known = set(session.exec(select(Stakeholder.id).where(Stakeholder.id.in_(seen))).all()) if seen else set()
    for index, entry in enumerate(entries):
        if entry["stakeholder_id"] not in known:
            errors.append({"loc": ["body", "items", index, "stakeholder_id"], "msg": "no stakeholder with this id"})
    if errors:
        raise InvalidInput("The attendance list has invalid entries; nothing was changed.", errors=errors)
    before = [{"stakeholder_id": a.stakeholder_id, "status": a.status, "note": a.note}
              for a, _ in attendance(session, meeting.id)]
    session.exec(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    for entry in entries:
        session.add(Attendance(meeting_id=meeting.id, **entry))
    session.flush()
    audit.record(session, actor=access.subject, action="attendance.replace", entity_type="meeting",
                 entity_id=meeting.id, before={"items": before}, after={"items": entries})
    return attendance(session, meeting.id)


def set_attendance(session: Session, *, access: GroupAccess, meeting: Meeting, stakeholder_id: int,
                   status: str, note: str = "") -> Attendance:
    """One person's status (recorded with one click on the meeting page); the rest unchanged."""
    ensure_manager(session, access, "record attendance")
    ensure_started(meeting)
    if status not in ATTENDANCE_STATUSES:
        raise invalid_field("status", f"must be one of {', '.join(ATTENDANCE_STATUSES)}")
    _check_people(session, [stakeholder_id], "stakeholder_id")
    row = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                Attendance.stakeholder_id == stakeholder_id)).first()
    if row is None:
        row = Attendance(meeting_id=meeting.id, stakeholder_id=stakeholder_id, status=status, note=note)
        return audit.add_entity(session, row, actor=access.subject, entity_type="attendance")
    return audit.change_entity(session, row, {"status": status, "note": note}, actor=access.subject,
                               entity_type="attendance")


def attendance_rates(session: Session, *, group_id: int | None = None, stakeholder_id: int | None = None,
                     since: date | None = None) -> list[dict[str, Any]]:
    """Per person (in a group) or per group (for a person): meetings recorded and how many
    attended (present or in attendance), over held meetings: not cancelled, already started."""
    attended = func.sum(case((Attendance.status.in_(("present", "in_attendance")), 1), else_=0))
    key = Attendance.stakeholder_id if group_id is not None else Meeting.group_id
    stmt = (
        select(key, func.count(), attended)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(held())
        .group_by(key)
    )
    if group_id is not None:
        stmt = stmt.where(Meeting.group_id == group_id)
    if stakeholder_id is not None:
        stmt = stmt.where(Attendance.stakeholder_id == stakeholder_id)
    if since is not None:
        stmt = stmt.where(Meeting.starts_at >= datetime.combine(since, datetime.min.time(), LONDON))
    return [{"id": k, "recorded": n, "attended": int(a or 0), "rate": round((a or 0) / n, 3) if n else None}
            for k, n, a in session.exec(stmt).all()]


def attendance_names(session: Session, rates: list[dict[str, Any]], *, by_group: bool) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rates]
    model = Group if by_group else Stakeholder
    names = dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
    return sorted(({**r, "name": names.get(r["id"], "")} for r in rates), key=lambda r: r["name"].lower())


# Guests: people "in attendance" who are not in the directory ------------------------------------

def guests(session: Session, meeting_id: int) -> list[MeetingGuest]:
    stmt = select(MeetingGuest).where(MeetingGuest.meeting_id == meeting_id)
    return list(session.exec(stmt.order_by(MeetingGuest.name, MeetingGuest.id)))


def add_guest(session: Session, *, access: GroupAccess, meeting: Meeting, name: str,
              organisation: str = "") -> MeetingGuest:
    """Record someone in attendance by name and organisation (officers and admins; audited)."""
    ensure_manager(session, access, "record a guest")
    ensure_started(meeting)
    name, organisation = name.strip(), organisation.strip()
    if not name:
        raise invalid_field("name", "enter the guest's name")
    if len(name) > 200:
        raise invalid_field("name", "must be 200 characters or fewer")
    if len(organisation) > 200:
        raise invalid_field("organisation", "must be 200 characters or fewer")
    guest = MeetingGuest(meeting_id=meeting.id, name=name, organisation=organisation)
    return audit.add_entity(session, guest, actor=access.subject, entity_type="meeting_guest")


def get_guest(session: Session, *, subject: Subject, guest_id: int) -> tuple[MeetingGuest, Meeting, GroupAccess]:
    guest = get_or_404(session, MeetingGuest, guest_id, "guest")
    meeting = session.get(Meeting, guest.meeting_id)
    return guest, meeting, access_to(session, subject, meeting.group_id)


def remove_guest(session: Session, *, access: GroupAccess, meeting: Meeting, guest: MeetingGuest) -> None:
    ensure_manager(session, access, "remove a guest")
    ensure_started(meeting)
    audit.remove_entity(session, guest, actor=access.subject, entity_type="meeting_guest")


# A person's record, for their profile page ------------------------------------------------------

ATTENDED = ("present", "in_attendance")


def attended_by(session: Session, stakeholder_id: int, *, limit: int = 20) -> tuple[list[tuple[Meeting, Group]], int]:
    """The held meetings the person attended (present or in attendance), newest first, up to
    `limit`, and how many there are in all: two queries, whatever the number. Cancelled meetings
    and meetings still to come never count (`held`)."""
    attended = (Attendance.stakeholder_id == stakeholder_id) & Attendance.status.in_(ATTENDED) & held()
    rows = session.exec(
        select(Meeting, Group).join(Attendance, Attendance.meeting_id == Meeting.id)
        .join(Group, Group.id == Meeting.group_id).where(attended)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(Attendance)
                         .join(Meeting, Meeting.id == Attendance.meeting_id).where(attended)).one()
    return list(rows), total
