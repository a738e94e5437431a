"""Read shapes assembled from several queries, shared by the API and the web pages: actions
with their owners and updates, and the chair's summary report."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.access import GroupAccess
from api.authz import Subject
from api.core.errors import NotFound
from api.core.pagination import PageParams
from api.meetings import actions, attendance, declarations, minutes, service
from api.meetings.agenda import agenda
from api.meetings.decisions import list_decisions
from api.meetings.models import Action, AgendaItem, Attendance, Meeting
from api.meetings.schemas import (
    ATTENDANCE_STATUSES,
    ActionNoteRead,
    ActionRead,
    ChairSummary,
    DecisionRead,
    MeetingRead,
    SummaryItem,
)
from api.registry.models import Group, Stakeholder
from api.registry.service import names_of


def action_read(action: Action, owner_name: str | None, notes) -> ActionRead:
    return ActionRead(**action.model_dump(exclude={"version", "created_at", "updated_at"}), owner_name=owner_name,
                      overdue=actions.is_overdue(action),
                      updates=[ActionNoteRead(date=n.noted_on, text=n.text, author_id=n.author_id) for n in notes])


def one_action(session: Session, action: Action) -> ActionRead:
    owner = names_of(session, [action.owner_id]).get(action.owner_id) if action.owner_id else None
    return action_read(action, owner, actions.updates_for(session, [action.id])[action.id])


def action_rows(session: Session, rows) -> list[ActionRead]:
    notes = actions.updates_for(session, [a.id for a, _ in rows])
    return [action_read(a, name, notes[a.id]) for a, name in rows]


@dataclass(frozen=True)
class MeetingRecord:
    """The chair's summary with what was looked up on the way, so a page showing more of the
    meeting does not ask for the meeting, the caller's access, the agenda or the group again."""

    summary: ChairSummary
    meeting: Meeting
    access: GroupAccess
    items: list[AgendaItem]
    group: Group


def summary_facts(session: Session, *, access: GroupAccess, meeting: Meeting) -> dict[str, Any]:
    """What the chair's summary shows, in a fixed number of queries: the items considered with
    their leads, attendance counts, guests, declarations of interest, decisions; actions and
    minutes are added by their modules."""
    items = agenda(session, access=access, meeting_id=meeting.id)
    leads = dict(session.exec(select(Stakeholder.id, Stakeholder.name).where(
        Stakeholder.id.in_({i.lead_id for i in items if i.lead_id}))).all()) if items else {}
    counts = dict(session.exec(select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting.id)
                               .group_by(Attendance.status)).all())
    decisions, _ = list_decisions(session, subject=access.subject, page=PageParams(limit=500, cursor=None),
                                  meeting_id=meeting.id, members_of=access.members_of)
    return {"items": items, "leads": leads, "attendance": {s: counts.get(s, 0) for s in ATTENDANCE_STATUSES},
            "decisions": decisions, "group": session.get(Group, meeting.group_id),
            "declarations": declarations.for_meeting(session, access=access, meeting_id=meeting.id),
            "guests": attendance.guests(session, meeting.id)}


def meeting_record(session: Session, subject: Subject, meeting_id: int) -> MeetingRecord:
    meeting, access = service.meeting_access(session, subject, meeting_id)
    facts = summary_facts(session, access=access, meeting=meeting)
    try:
        version = minutes.visible_version(session, access=access, meeting_id=meeting.id)
        texts = {t["agenda_item_id"]: t["html"] for t in minutes.texts(session, access=access, minutes=version)}
    except NotFound:
        texts = {}
    members_of = access.members_of
    report = ChairSummary(
        meeting=MeetingRead.model_validate(meeting), group_name=facts["group"].name, attendance=facts["attendance"],
        items=[SummaryItem(ref=i.ref, title=i.title, lead_name=facts["leads"].get(i.lead_id),
                           minute_html=texts.get(i.id)) for i in facts["items"]],
        decisions=[DecisionRead.model_validate(d) for d in facts["decisions"]],
        actions=action_rows(session, actions.of_meeting(session, subject=subject, meeting_id=meeting.id,
                                                        members_of=members_of)),
        carried_forward=action_rows(session, actions.carried_forward(session, subject=subject, meeting=meeting,
                                                                     members_of=members_of)),
        declarations=facts["declarations"], guests=facts["guests"],
    )
    return MeetingRecord(summary=report, meeting=meeting, access=access, items=facts["items"], group=facts["group"])


def chair_summary(session: Session, subject: Subject, meeting_id: int) -> ChairSummary:
    """The items considered, decisions and actions of one meeting (shared with the web page)."""
    return meeting_record(session, subject, meeting_id).summary
