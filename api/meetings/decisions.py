"""Decisions recorded at meetings, and the decision log. Plain functions over a Session; they
flush, never commit.
"""

from typing import Any

from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager, member_groups, visible_to
from api.audit import service as audit
from api.authz import Subject
from api.core.errors import invalid_field
from api.core.pagination import PageParams, paginate
from api.meetings import indexing
from api.meetings.models import AgendaItem, Decision, Meeting
from api.meetings.service import meeting_day


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
