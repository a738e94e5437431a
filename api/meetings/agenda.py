"""A meeting's agenda: items in order, their references, leads and times. Plain functions over a
Session; they flush, never commit.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, NotFound, invalid_field
from api.core.types import LONDON
from api.meetings import indexing
from api.meetings.models import Action, AgendaItem, Decision, Meeting, MinuteText
from api.meetings.service import check_seated, meeting_day
from api.registry.models import Group


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
