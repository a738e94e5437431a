"""The action log: numbered per group (sequential, never reused), owned, dated, updated, closed."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager, member_groups, refuse, visible_to
from api.audit import service as audit
from api.audit.models import AuditEvent
from api.authz import Subject, may_update_action
from api.core.db import get_or_404
from api.core.errors import Conflict, NotFound, invalid_field
from api.core.pagination import PageParams, paginate
from api.core.spreadsheet import CsvChunks
from api.core.types import today
from api.meetings import indexing, notices
from api.meetings.models import Action, ActionUpdate, AgendaItem, Meeting
from api.meetings.schemas import ActionSort
from api.meetings.service import check_seated, meeting_day
from api.registry.models import Group, Stakeholder
from api.search import service as search


def is_overdue(action: Action, on: date | None = None) -> bool:
    return action.status == "open" and action.due_date is not None and action.due_date < (on or today())


def _check_links(session: Session, group_id: int, values: dict[str, Any]) -> Meeting | None:
    meeting = None
    if values.get("meeting_id") is not None:
        meeting = session.get(Meeting, values["meeting_id"])
        if meeting is None or meeting.group_id != group_id:
            raise invalid_field("meeting_id", "not a meeting of this group")
    if values.get("agenda_item_id") is not None:
        item = session.get(AgendaItem, values["agenda_item_id"])
        if item is None or meeting is None or item.meeting_id != meeting.id:
            raise invalid_field("agenda_item_id", "not an agenda item of the action's meeting")
    return meeting


def _check_owner(session: Session, group_id: int, meeting: Meeting | None, owner_id: int | None) -> None:
    check_seated(session, group_id=group_id, on=meeting_day(meeting) if meeting else None,
                 people={"owner_id": owner_id})


def _check_due(meeting: Meeting | None, due: date | None) -> None:
    if meeting is not None and due is not None and due < meeting_day(meeting):
        raise invalid_field("due_date", "cannot be before the meeting that set the action")


def create_action(session: Session, *, subject: Subject, data: dict[str, Any]) -> Action:
    group = session.get(Group, data["group_id"])
    if group is None:
        raise invalid_field("group_id", "no group with this id")
    access = access_to(session, subject, group.id)
    ensure_manager(session, access, "add an action")
    meeting = _check_links(session, group.id, data)
    _check_owner(session, group.id, meeting, data.get("owner_id"))
    _check_due(meeting, data.get("due_date"))
    number = data.get("number")
    removed = removed_numbers(session, group.id)
    if number is None:
        highest = session.exec(select(func.max(Action.number)).where(Action.group_id == group.id)).one() or 0
        number = max(highest, *removed, 0) + 1
    elif number in removed or session.exec(
            select(Action.id).where(Action.group_id == group.id, Action.number == number)).first():
        raise Conflict(f"{group.name} already has an action {number}; numbers are never reused.")
    values = {**data, "number": number}
    if values.get("status") == "closed":
        values["closed_on"] = today()
    action = audit.add_entity(session, Action(**values), actor=subject, entity_type="action")
    indexing.index_action(session, action)
    notices.action_assigned(session, action)  # its owner, if it has one
    return action


def get_action(session: Session, *, subject: Subject, action_id: int) -> tuple[Action, GroupAccess]:
    action = get_or_404(session, Action, action_id, "action")
    access = access_to(session, subject, action.group_id)
    if action.agenda_item_id is not None and not access.sees_members_only:
        item = session.get(AgendaItem, action.agenda_item_id)
        if item is not None and item.confidential:
            raise NotFound(f"No action with id {action_id}.")
    return action, access


def update_action(session: Session, *, access: GroupAccess, action: Action, changes: dict[str, Any]) -> Action:
    ensure_manager(session, access, "change an action")
    meeting = session.get(Meeting, action.meeting_id) if action.meeting_id else None
    if changes.get("owner_id") != action.owner_id:  # an owner who has since left may keep the action
        _check_owner(session, action.group_id, meeting, changes.get("owner_id"))
    if "due_date" in changes:
        _check_due(meeting, changes["due_date"])
    if changes.get("status") == "closed" and action.status != "closed":
        changes = {**changes, "closed_on": today()}
    elif changes.get("status") == "open":
        changes = {**changes, "closed_on": None}
    new_owner = "owner_id" in changes and changes["owner_id"] != action.owner_id
    audit.change_entity(session, action, changes, actor=access.subject, entity_type="action")
    indexing.index_action(session, action)
    if new_owner:
        notices.action_assigned(session, action)
    return action


def add_update(session: Session, *, access: GroupAccess, action: Action, text: str, on: date | None,
               close: bool) -> ActionUpdate:
    """A dated note from the owner, an officer or an admin; optionally closing the action."""
    if not may_update_action(access.subject, access.roles, action.owner_id):
        raise refuse(session.get_bind(), subject=access.subject, rule="may_update_action",
                     target=f"action {action.id}",
                     message="Only the action's owner, the group's officers or an admin can update it.")
    on = on or today()
    if on > today():
        raise invalid_field("date", "cannot be in the future")
    note = ActionUpdate(action_id=action.id, noted_on=on, text=text, author_id=access.subject.stakeholder_id)
    audit.add_entity(session, note, actor=access.subject, entity_type="action_update")
    if close and action.status != "closed":
        audit.change_entity(session, action, {"status": "closed", "closed_on": on}, actor=access.subject,
                            entity_type="action")
    indexing.index_action(session, action)
    return note


def updates_for(session: Session, action_ids: list[int]) -> dict[int, list[ActionUpdate]]:
    """Every update of a page of actions, in one query."""
    if not action_ids:
        return {}
    found: dict[int, list[ActionUpdate]] = {i: [] for i in action_ids}
    stmt = select(ActionUpdate).where(ActionUpdate.action_id.in_(action_ids)).order_by(
        ActionUpdate.noted_on, ActionUpdate.id)
    for note in session.exec(stmt):
        found[note.action_id].append(note)
    return found


def log_query(session: Session, subject: Subject, *, owner_id: int | None, group_id: int | None,
              status: str | None, overdue: bool | None, members_of: set[int] | None = None):
    """(Action, owner name) rows the subject may see, filtered; `members_of` when already known."""
    if members_of is None:
        members_of = member_groups(session, subject)
    stmt = (
        select(Action, Stakeholder.name)
        .outerjoin(Stakeholder, Stakeholder.id == Action.owner_id)
        .outerjoin(AgendaItem, AgendaItem.id == Action.agenda_item_id)
        .where(visible_to(subject, members_of, AgendaItem.confidential, Action.group_id))
    )
    if owner_id is not None:
        stmt = stmt.where(Action.owner_id == owner_id)
    if group_id is not None:
        stmt = stmt.where(Action.group_id == group_id)
    if status:
        stmt = stmt.where(Action.status == status)
    if overdue:
        stmt = stmt.where(Action.status == "open", Action.due_date < today())
    return stmt




def list_actions(session: Session, *, subject: Subject, page: PageParams, owner_id: int | None = None,
                 group_id: int | None = None, status: str | None = None, overdue: bool | None = None,
                 sort: ActionSort = "group"):
    """Rows of (Action, owner name): by group then number, by due date (soonest first, undated
    last), or newest first."""
    stmt = log_query(session, subject, owner_id=owner_id, group_id=group_id, status=status, overdue=overdue)
    if sort == "due":
        return paginate(session, stmt, order=[Action.due_date, Action.id], page=page, first_nullable=True)
    if sort == "newest":
        return paginate(session, stmt, order=[Action.id], page=page, descending=True)
    return paginate(session, stmt, order=[Action.group_id, Action.number], page=page)


def owned_by(session: Session, *, subject: Subject, owner_id: int, limit: int = 50,
             members_of: set[int] | None = None) -> list[tuple[Action, Group]]:
    """The person's actions the subject may see (never one on a confidential item of a group whose
    members-only business the subject may not see): open ones first, soonest due first, then the
    closed ones, latest closed first; up to `limit`, with their groups, in one query."""
    stmt = (log_query(session, subject, owner_id=owner_id, group_id=None, status=None, overdue=None,
                      members_of=members_of)
            .add_columns(Group).join(Group, Group.id == Action.group_id)
            .order_by(Action.status != "open", Action.due_date.is_(None), Action.due_date,
                      Action.closed_on.desc(), Action.id.desc())
            .limit(limit))
    return [(action, group) for action, _, group in session.exec(stmt).all()]


CSV_COLUMNS = ["group", "number", "action", "owner", "due_date", "status", "closed_on", "meeting_date", "updates"]


def export_csv(engine: Engine, *, subject: Subject, owner_id: int | None = None, group_id: int | None = None,
               status: str | None = None, overdue: bool | None = None, batch: int = 500) -> Iterator[str]:
    """The action log as CSV, streamed in batches (constant memory). A UTF-8 byte-order mark
    first, so that Excel opens names with accents correctly.

    Reads in a session of its own, closed when the stream ends: the body is sent after the
    request's own session has been closed.
    """
    with Session(engine) as session:
        yield from _csv_rows(session, subject=subject, owner_id=owner_id, group_id=group_id, status=status,
                             overdue=overdue, batch=batch)


def _csv_rows(session: Session, *, subject: Subject, owner_id: int | None, group_id: int | None,
              status: str | None, overdue: bool | None, batch: int) -> Iterator[str]:
    yield "\ufeff"
    out = CsvChunks()
    out.row(CSV_COLUMNS)
    cursor = None
    groups = {g.id: g.name for g in session.exec(select(Group))}
    while True:
        rows, cursor = list_actions(session, subject=subject, page=PageParams(limit=batch, cursor=cursor),
                                    owner_id=owner_id, group_id=group_id, status=status, overdue=overdue)
        notes = updates_for(session, [a.id for a, _ in rows])
        meetings = {m.id: m for m in session.exec(select(Meeting).where(
            Meeting.id.in_({a.meeting_id for a, _ in rows if a.meeting_id})))} if rows else {}
        for action, owner in rows:
            meeting = meetings.get(action.meeting_id)
            out.row([
                groups.get(action.group_id), action.number, action.text, owner, action.due_date, action.status,
                action.closed_on, meeting_day(meeting) if meeting else None,
                " | ".join(f"{n.noted_on}: {n.text}" for n in notes.get(action.id, [])),
            ])
        yield out.take()
        if cursor is None:
            return



def carried_forward(session: Session, *, subject: Subject, meeting: Meeting,
                    members_of: set[int] | None = None) -> list[tuple[Action, str | None]]:
    """The group's open actions set before this meeting (or outside any meeting): what its
    action-log item reviews. Rows of (Action, owner name)."""
    earlier = aliased(Meeting)
    stmt = (
        log_query(session, subject, owner_id=None, group_id=meeting.group_id, status="open", overdue=None,
                  members_of=members_of)
        .outerjoin(earlier, earlier.id == Action.meeting_id)
        .where(or_(Action.meeting_id.is_(None), earlier.starts_at < meeting.starts_at))
        .order_by(Action.number)
    )
    return list(session.exec(stmt).all())


def of_meeting(session: Session, *, subject: Subject, meeting_id: int,
               members_of: set[int] | None = None) -> list[tuple[Action, str | None]]:
    """Actions set at this meeting, by number, as rows of (Action, owner name)."""
    stmt = log_query(session, subject, owner_id=None, group_id=None, status=None, overdue=None, members_of=members_of)
    return list(session.exec(stmt.where(Action.meeting_id == meeting_id).order_by(Action.number)).all())


# Record edits: removing an action ------------------------------------------------------------
# An action set in error can be removed by the group's officers (the audit log keeps it). One
# with updates recorded has a history people have read and written to: it is closed, not
# removed. Its number is never given again (the audit log remembers the numbers removed).

def removed_numbers(session: Session, group_id: int) -> set[int]:
    """The numbers of the group's actions that were removed (read from the audit log, in one query)."""
    found = set()
    for before in session.exec(select(AuditEvent.before).where(AuditEvent.action == "action.delete")):
        if before and before.get("group_id") == group_id and isinstance(before.get("number"), int):
            found.add(before["number"])
    return found


def delete_action(session: Session, *, access: GroupAccess, action: Action) -> None:
    ensure_manager(session, access, "remove an action")
    if session.exec(select(ActionUpdate.id).where(ActionUpdate.action_id == action.id).limit(1)).first():
        raise Conflict(f"Action {action.number} has updates recorded, so it cannot be removed: close it instead.")
    meeting_id = action.meeting_id
    audit.remove_entity(session, action, actor=access.subject, entity_type="action")
    # Search forgets a meeting's (or the meeting-less) actions together: write back those that remain.
    search.remove(session, kind="action", meeting_id=meeting_id)
    for kept in session.exec(select(Action).where(Action.meeting_id == meeting_id if meeting_id is not None
                                                  else Action.meeting_id.is_(None))):
        indexing.index_action(session, kept)
