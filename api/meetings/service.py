"""Meetings, their agendas, attendance and decisions.

Plain functions over a Session; they flush, never commit. Who may change a group's business is
decided by api/authz.py on the facts api/access.py looks up.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager, member_groups, visible_to
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from api.core.pagination import PageParams, paginate
from api.core.types import LONDON, today
from api.meetings import indexing
from api.meetings.models import Action, AgendaItem, Attendance, Decision, Meeting, MinuteText
from api.meetings.schemas import ATTENDANCE_STATUSES
from api.registry.current import current_on, not_ended_on
from api.registry.models import Group, Membership, Stakeholder

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


NOT_A_MEMBER = "must be one of the group's members"


def check_seated(session: Session, *, group_id: int, on: date | None, people: dict[str, int | None]) -> None:
    """Who may lead an agenda item or own an action, one rule for the API and the web: someone
    with a seat in the group, now (a membership not yet ended: the group's roster, which the web
    forms offer) or on `on`, the day of the meeting concerned, so that a historic log can name
    who sat then. `people` is {body field: stakeholder id}; every field at fault in one 422."""
    wanted = {field: person for field, person in people.items() if person is not None}
    if not wanted:
        return
    seated_now = not_ended_on(today())
    when = seated_now if on is None else or_(seated_now, current_on(on))
    seated = set(session.exec(select(Membership.stakeholder_id).where(
        Membership.group_id == group_id, Membership.stakeholder_id.in_(set(wanted.values())), when)).all())
    errors = [{"loc": ["body", field], "msg": NOT_A_MEMBER} for field, person in wanted.items()
              if person not in seated]
    if errors:
        raise InvalidInput("; ".join(f"{e['loc'][1]} {NOT_A_MEMBER}" for e in errors) + ".", errors=errors)


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(LONDON).date()


def _check_people(session: Session, ids: Sequence[int | None], field: str) -> None:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = set(session.exec(select(Stakeholder.id).where(Stakeholder.id.in_(wanted))).all())
    missing = sorted(wanted - found)
    if missing:
        raise invalid_field(field, f"no stakeholder with id {', '.join(map(str, missing))}")


# Meetings -----------------------------------------------------------------------------------

def get_meeting(session: Session, meeting_id: int) -> Meeting:
    return get_or_404(session, Meeting, meeting_id, "meeting")


def get_group(session: Session, group_id: int) -> Group:
    return get_or_404(session, Group, group_id, "group")


def meeting_access(session: Session, subject: Subject, meeting_id: int) -> tuple[Meeting, GroupAccess]:
    meeting = get_meeting(session, meeting_id)
    return meeting, access_to(session, subject, meeting.group_id)


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


# Agenda ---------------------------------------------------------------------------------------

def agenda(session: Session, *, access: GroupAccess, meeting_id: int) -> list[AgendaItem]:
    """The agenda in order; confidential items only for the group's members."""
    stmt = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    if not access.sees_members_only:
        stmt = stmt.where(AgendaItem.confidential.is_(False))
    return list(session.exec(stmt.order_by(AgendaItem.position, AgendaItem.id)))


def generate_ref(group: Group, meeting: Meeting, position: int) -> str:
    """`HCP/01/24/05`: group code, month and two-digit year of the meeting, position."""
    local = meeting.starts_at.astimezone(LONDON)
    code = group.code or group.slug.upper()[:12]
    return f"{code}/{local:%m}/{local:%y}/{position:02d}"


def _check_ref_free(session: Session, meeting_id: int, ref: str, exclude_id: int | None = None) -> None:
    stmt = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id, AgendaItem.ref == ref)
    if exclude_id is not None:
        stmt = stmt.where(AgendaItem.id != exclude_id)
    if session.exec(stmt).first() is not None:
        raise Conflict(f"This meeting already has an agenda item {ref}.")


def _check_item_time(meeting: Meeting, starts_at: datetime | None) -> None:
    if starts_at is not None and not meeting.starts_at <= starts_at <= meeting.ends_at:
        raise invalid_field("starts_at", "must fall within the meeting's times")


def add_agenda_item(session: Session, *, access: GroupAccess, meeting: Meeting, data: dict[str, Any]) -> AgendaItem:
    ensure_manager(session, access, "change an agenda")
    check_seated(session, group_id=meeting.group_id, on=meeting_day(meeting), people={"lead_id": data.get("lead_id")})
    _check_item_time(meeting, data.get("starts_at"))
    position = data.get("position") or (session.exec(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)).one() or 0) + 1
    ref = data.get("ref") or generate_ref(session.get(Group, meeting.group_id), meeting, position)
    _check_ref_free(session, meeting.id, ref)
    item = AgendaItem(meeting_id=meeting.id, **{**data, "position": position, "ref": ref})
    return audit.add_entity(session, item, actor=access.subject, entity_type="agenda_item")


def update_agenda_item(session: Session, *, access: GroupAccess, item: AgendaItem,
                       changes: dict[str, Any]) -> AgendaItem:
    ensure_manager(session, access, "change an agenda")
    meeting = session.get(Meeting, item.meeting_id)
    if changes.get("lead_id") != item.lead_id:  # a lead who has since left may stay on the item
        check_seated(session, group_id=meeting.group_id, on=meeting_day(meeting),
                     people={"lead_id": changes.get("lead_id")})
    if "starts_at" in changes:
        _check_item_time(meeting, changes["starts_at"])
    if changes.get("ref"):
        _check_ref_free(session, item.meeting_id, changes["ref"], exclude_id=item.id)
    before = (item.title, item.ref, item.confidential)
    audit.change_entity(session, item, changes, actor=access.subject, entity_type="agenda_item")
    if (item.title, item.ref, item.confidential) != before:
        indexing.reindex_meeting(session, session.get(Meeting, item.meeting_id))
    return item


def delete_agenda_item(session: Session, *, access: GroupAccess, item: AgendaItem) -> None:
    ensure_manager(session, access, "change an agenda")
    used = (
        session.exec(select(func.count()).select_from(Decision).where(Decision.agenda_item_id == item.id)).one()
        or session.exec(select(func.count()).select_from(Action).where(Action.agenda_item_id == item.id)).one()
        or session.exec(select(func.count()).select_from(MinuteText).where(MinuteText.agenda_item_id == item.id)).one()
    )
    if used:
        raise Conflict("This agenda item has minutes, decisions or actions recorded against it.")
    audit.remove_entity(session, item, actor=access.subject, entity_type="agenda_item")


def get_agenda_item(session: Session, *, subject: Subject, item_id: int) -> tuple[AgendaItem, GroupAccess]:
    """The item and the caller's access; a confidential item is 404 to non-members."""
    item = get_or_404(session, AgendaItem, item_id, "agenda item")
    meeting = session.get(Meeting, item.meeting_id)
    access = access_to(session, subject, meeting.group_id)
    if item.confidential and not access.sees_members_only:
        raise NotFound(f"No agenda item with id {item_id}.")
    return item, access


# Attendance ---------------------------------------------------------------------------------

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


def later_meetings(session: Session, meeting: Meeting, *, limit: int = 24) -> list[Meeting]:
    """The group's meetings after this one, soonest first (where its minutes can be approved)."""
    stmt = (select(Meeting).where(Meeting.group_id == meeting.group_id, Meeting.starts_at > meeting.starts_at,
                                  Meeting.status != "cancelled")
            .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(session.exec(stmt))


def attendance_rates(session: Session, *, group_id: int | None = None, stakeholder_id: int | None = None,
                     since: date | None = None) -> list[dict[str, Any]]:
    """Per person (in a group) or per group (for a person): meetings recorded and how many
    attended (present or in attendance), over held meetings."""
    attended = func.sum(case((Attendance.status.in_(("present", "in_attendance")), 1), else_=0))
    key = Attendance.stakeholder_id if group_id is not None else Meeting.group_id
    stmt = (
        select(key, func.count(), attended)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.status != "cancelled")
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


# Decisions ----------------------------------------------------------------------------------

def record_decision(session: Session, *, access: GroupAccess, meeting: Meeting, data: dict[str, Any]) -> Decision:
    ensure_manager(session, access, "record a decision")
    item_id = data.get("agenda_item_id")
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            raise invalid_field("agenda_item_id", "not an agenda item of this meeting")
    decided_on = data.get("decided_on") or meeting_day(meeting)
    decision = Decision(group_id=meeting.group_id, meeting_id=meeting.id, agenda_item_id=item_id,
                        text=data["text"], decided_on=decided_on)
    audit.add_entity(session, decision, actor=access.subject, entity_type="decision")
    indexing.index_decision(session, decision, session.get(AgendaItem, item_id) if item_id else None)
    return decision


def list_decisions(session: Session, *, subject: Subject, page: PageParams, group_id: int | None = None,
                   meeting_id: int | None = None, members_of: set[int] | None = None):
    """The decision log, newest first, across groups or for one group or meeting; `members_of`
    when already known."""
    if members_of is None:
        members_of = member_groups(session, subject)
    stmt = (
        select(Decision)
        .outerjoin(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .where(visible_to(subject, members_of, AgendaItem.confidential, Decision.group_id))
    )
    if group_id is not None:
        stmt = stmt.where(Decision.group_id == group_id)
    if meeting_id is not None:
        stmt = stmt.where(Decision.meeting_id == meeting_id)
    return paginate(session, stmt, order=[Decision.decided_on, Decision.id], page=page, descending=True)


def summary_facts(session: Session, *, access: GroupAccess, meeting: Meeting) -> dict[str, Any]:
    """What the chair's summary shows, in a fixed number of queries: the items considered with
    their leads, attendance counts, decisions; actions and minutes are added by their modules."""
    items = agenda(session, access=access, meeting_id=meeting.id)
    leads = dict(session.exec(select(Stakeholder.id, Stakeholder.name).where(
        Stakeholder.id.in_({i.lead_id for i in items if i.lead_id}))).all()) if items else {}
    counts = dict(session.exec(select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting.id)
                               .group_by(Attendance.status)).all())
    decisions, _ = list_decisions(session, subject=access.subject, page=PageParams(limit=500, cursor=None),
                                  meeting_id=meeting.id, members_of=access.members_of)
    return {"items": items, "leads": leads, "attendance": {s: counts.get(s, 0) for s in ATTENDANCE_STATUSES},
            "decisions": decisions, "group": session.get(Group, meeting.group_id)}


def attendance_names(session: Session, rates: list[dict[str, Any]], *, by_group: bool) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rates]
    model = Group if by_group else Stakeholder
    names = dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
    return sorted(({**r, "name": names.get(r["id"], "")} for r in rates), key=lambda r: r["name"].lower())
