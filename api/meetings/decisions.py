"""Decisions recorded at meetings, and the decision log. Plain functions over a Session; they
flush, never commit.
"""

from typing import Any

from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager, member_groups, visible_to
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, NotFound, invalid_field
from api.core.pagination import PageParams, paginate
from api.meetings import indexing, minutes
from api.meetings.models import AgendaItem, Decision, Meeting
from api.meetings.service import meeting_day
from api.search import service as search


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


# Record edits: changing and removing a decision -------------------------------------------------
# A meeting's decisions are part of its record. While its minutes are a draft (or none are
# written yet) the group's officers may correct or remove a decision. Once the minutes are
# approved the decisions are approved with them: a change needs an amendment of the minutes
# first (saving a minute on approved minutes starts a draft version, approved in its turn at a
# later meeting), and then the decision can be changed while that amendment is a draft. Locked
# minutes are final, and so are their decisions.

def get_decision(session: Session, *, subject: Subject, decision_id: int) -> tuple[Decision, GroupAccess]:
    """The decision and the caller's access to its group; one on a confidential item is not
    found by those who may not see it."""
    decision = get_or_404(session, Decision, decision_id, "decision")
    access = access_to(session, subject, decision.group_id)
    if decision.agenda_item_id is not None and not access.sees_members_only:
        item = session.get(AgendaItem, decision.agenda_item_id)
        if item is not None and item.confidential:
            raise NotFound(f"No decision with id {decision_id}.")
    return decision, access


def ensure_open_record(session: Session, meeting_id: int) -> None:
    """Refuse (409) a change to the decisions of a meeting whose minutes are approved or locked."""
    latest = minutes.latest_version(session, meeting_id)
    if latest is None or latest.status == "draft":
        return
    if latest.status == "locked":
        raise Conflict("The minutes of this meeting are locked, and its decisions with them: they can no longer "
                       "be changed.")
    raise Conflict("The minutes of this meeting have been approved, and its decisions with them. To correct a "
                   "decision, start an amendment of the minutes first (save a change to a minute), then change "
                   "the decision; the amendment is approved at a later meeting.")


def update_decision(session: Session, *, access: GroupAccess, decision: Decision, changes: dict[str, Any]) -> Decision:
    ensure_manager(session, access, "change a decision")
    ensure_open_record(session, decision.meeting_id)
    item = None
    if changes.get("agenda_item_id") is not None:
        item = session.get(AgendaItem, changes["agenda_item_id"])
        if item is None or item.meeting_id != decision.meeting_id:
            raise invalid_field("agenda_item_id", "not an agenda item of this meeting")
    elif "agenda_item_id" not in changes and decision.agenda_item_id is not None:
        item = session.get(AgendaItem, decision.agenda_item_id)
    audit.change_entity(session, decision, changes, actor=access.subject, entity_type="decision")
    indexing.index_decision(session, decision, item)
    return decision


def delete_decision(session: Session, *, access: GroupAccess, decision: Decision) -> None:
    """Remove a decision from the record (the audit log keeps it), and from search."""
    ensure_manager(session, access, "remove a decision")
    ensure_open_record(session, decision.meeting_id)
    meeting_id = decision.meeting_id
    audit.remove_entity(session, decision, actor=access.subject, entity_type="decision")
    # Search forgets a meeting's decisions together: write back those that remain.
    search.remove(session, kind="decision", meeting_id=meeting_id)
    rows = session.exec(select(Decision, AgendaItem).outerjoin(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
                        .where(Decision.meeting_id == meeting_id)).all()
    for kept, item in rows:
        indexing.index_decision(session, kept, item)
