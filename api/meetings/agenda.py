"""A meeting's agenda: items in order, their references, leads and times. Plain functions over a
Session; they flush, never commit.

References: an item added without one gets the generated form CODE/MM/YY/NN (`generate_ref`: the
group's code, the meeting's month and year, the item's position). Reordering and removing items
renumber every generated reference by the item's new position (custom references, such as
"HCP/AOB", are kept), so the numbers stay in agenda order without gaps. Moving a meeting to
another month leaves its references as they are (papers may already quote them); the next
reorder or removal renumbers them to the new month. Once the meeting's minutes have been approved
(or locked), the agenda's items, order and references are the record: adding, removing and
reordering items, or changing a reference, is refused (409).
"""

import re
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, select

from api.access import GroupAccess, access_to, ensure_manager
from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from api.core.types import LONDON
from api.meetings import indexing, pack
from api.meetings.models import (
    Action,
    AgendaItem,
    Decision,
    Declaration,
    Document,
    Meeting,
    MinutesVersion,
    MinuteText,
)
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


def _is_generated(group: Group, ref: str) -> bool:
    """Whether `ref` has the generated form CODE/MM/YY/NN of this group (any month and year)."""
    code = group.code or group.slug.upper()[:12]
    return re.fullmatch(re.escape(code) + r"/\d{2}/\d{2}/\d{2,3}", ref) is not None


def is_frozen(session: Session, meeting_id: int) -> bool:
    """Whether a version of the meeting's minutes has been approved (or locked): from then on
    the agenda is part of the record."""
    stmt = select(MinutesVersion.id).where(MinutesVersion.meeting_id == meeting_id,
                                           MinutesVersion.status != "draft").limit(1)
    return session.exec(stmt).first() is not None


FROZEN = "The minutes of this meeting have been approved, so its agenda is part of the record and cannot change."


def ensure_open(session: Session, meeting: Meeting) -> None:
    if is_frozen(session, meeting.id):
        raise Conflict(FROZEN)


def _take_turns(session: Session, meeting: Meeting) -> None:
    """Changes to one meeting's agenda order take turns (PostgreSQL row lock; SQLite writes one
    at a time anyway), so two renumberings never interleave."""
    session.exec(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def _renumber(session: Session, *, access: GroupAccess, meeting: Meeting, ordered: list[AgendaItem],
              action: str, before: list[list] | None = None) -> None:
    """Positions 1..n in the order given; generated references follow the new positions, custom
    ones are kept. Changed references first move to temporary values that no input can hold (a
    control character), then to their final ones, so UNIQUE(meeting_id, ref) never sees two
    items with one reference, whatever order the database updates rows in."""
    group = session.get(Group, meeting.group_id)
    if before is None:
        before = [[item.id, item.ref] for item in ordered]
    targets = []
    for position, item in enumerate(ordered, start=1):
        ref = generate_ref(group, meeting, position) if _is_generated(group, item.ref) else item.ref
        targets.append((item, position, ref))
    moving = [(item, ref) for item, _, ref in targets if item.ref != ref]
    for item, _ in moving:
        item.ref = f"\x01{item.id}"
    if moving:
        session.flush()
    for item, position, ref in targets:
        item.position, item.ref = position, ref
    session.flush()
    after = [[item.id, item.ref] for item in ordered]
    if after != before:
        audit.record(session, actor=access.subject, action=action, entity_type="meeting", entity_id=meeting.id,
                     before={"agenda": before}, after={"agenda": after})
    if moving:
        indexing.reindex_meeting(session, meeting)
    pack.refresh_pack_pages(session, meeting)


def _all_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    stmt = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list(session.exec(stmt.order_by(AgendaItem.position, AgendaItem.id)))


def reorder(session: Session, *, access: GroupAccess, meeting: Meeting, item_ids: list[int]) -> list[AgendaItem]:
    """Put the agenda in the order of `item_ids`, which must list every item of the meeting once
    (only the group's officers reorder, and they see every item, confidential ones too)."""
    ensure_manager(session, access, "change an agenda")
    _take_turns(session, meeting)
    ensure_open(session, meeting)
    items = _all_items(session, meeting.id)
    by_id = {item.id: item for item in items}
    errors = [{"loc": ["body", "item_ids", n], "msg": "not an agenda item of this meeting"}
              for n, item_id in enumerate(item_ids) if item_id not in by_id]
    errors += [{"loc": ["body", "item_ids", n], "msg": "listed twice"}
               for n, item_id in enumerate(item_ids) if item_id in item_ids[:n]]
    missing = [item_id for item_id in by_id if item_id not in item_ids]
    if missing:
        errors.append({"loc": ["body", "item_ids"], "msg": "must list every agenda item of the meeting; missing: "
                       + ", ".join(str(i) for i in missing)})
    if errors:
        raise InvalidInput("item_ids must list each of the meeting's agenda items exactly once; nothing was changed.",
                           errors=errors)
    ordered = [by_id[item_id] for item_id in item_ids]
    _renumber(session, access=access, meeting=meeting, ordered=ordered, action="agenda.reorder",
              before=[[item.id, item.ref] for item in items])
    return ordered


def move(session: Session, *, access: GroupAccess, meeting: Meeting, item: AgendaItem, by: int) -> list[AgendaItem]:
    """Move one item `by` places (-1: up, 1: down), within the agenda's ends."""
    ensure_manager(session, access, "change an agenda")
    ids = [row.id for row in _all_items(session, meeting.id)]
    at = ids.index(item.id)
    to = max(0, min(len(ids) - 1, at + by))
    ids.insert(to, ids.pop(at))
    return reorder(session, access=access, meeting=meeting, item_ids=ids)


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
    ensure_open(session, meeting)
    check_seated(session, group_id=meeting.group_id, on=meeting_day(meeting), people={"lead_id": data.get("lead_id")})
    _check_item_time(meeting, data.get("starts_at"))
    position = data.get("position") or (session.exec(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)).one() or 0) + 1
    ref = data.get("ref") or generate_ref(session.get(Group, meeting.group_id), meeting, position)
    _check_ref_free(session, meeting.id, ref)
    item = AgendaItem(meeting_id=meeting.id, **{**data, "position": position, "ref": ref})
    audit.add_entity(session, item, actor=access.subject, entity_type="agenda_item")
    pack.refresh_pack_pages(session, meeting)  # a longer cover can move every paper's page
    return item


def update_agenda_item(session: Session, *, access: GroupAccess, item: AgendaItem,
                       changes: dict[str, Any]) -> AgendaItem:
    ensure_manager(session, access, "change an agenda")
    meeting = session.get(Meeting, item.meeting_id)
    if changes.get("lead_id") != item.lead_id:  # a lead who has since left may stay on the item
        check_seated(session, group_id=meeting.group_id, on=meeting_day(meeting),
                     people={"lead_id": changes.get("lead_id")})
    if "starts_at" in changes:
        _check_item_time(meeting, changes["starts_at"])
    if {"ref", "position"} & {key for key, value in changes.items() if value != getattr(item, key)}:
        ensure_open(session, meeting)
    if changes.get("ref"):
        _check_ref_free(session, item.meeting_id, changes["ref"], exclude_id=item.id)
    before = (item.title, item.ref, item.confidential)
    audit.change_entity(session, item, changes, actor=access.subject, entity_type="agenda_item")
    if (item.title, item.ref, item.confidential) != before:
        indexing.reindex_meeting(session, meeting)
        pack.refresh_pack_pages(session, meeting)
    return item


def removal_blocker(session: Session, item: AgendaItem) -> str | None:
    """Why the item cannot be removed (None: it can), for the API's 409 and the confirmation page."""
    if is_frozen(session, item.meeting_id):
        return FROZEN
    used = session.exec(select(or_(*(exists().where(table.agenda_item_id == item.id) for table in (
        MinuteText, Decision, Action, Declaration, Document))))).one()
    if used:
        return ("This agenda item has minutes, decisions, actions, declarations of interest or papers recorded "
                "against it.")
    return None


def delete_agenda_item(session: Session, *, access: GroupAccess, item: AgendaItem) -> None:
    """Remove an item with nothing recorded against it; the generated references after it are
    renumbered (see the module's docstring)."""
    ensure_manager(session, access, "change an agenda")
    meeting = session.get(Meeting, item.meeting_id)
    _take_turns(session, meeting)
    blocker = removal_blocker(session, item)
    if blocker:
        raise Conflict(blocker)
    audit.remove_entity(session, item, actor=access.subject, entity_type="agenda_item")
    _renumber(session, access=access, meeting=meeting, ordered=_all_items(session, meeting.id),
              action="agenda.renumber")


def get_agenda_item(session: Session, *, subject: Subject, item_id: int) -> tuple[AgendaItem, GroupAccess]:
    """The item and the caller's access; a confidential item is 404 to non-members."""
    item = get_or_404(session, AgendaItem, item_id, "agenda item")
    meeting = session.get(Meeting, item.meeting_id)
    access = access_to(session, subject, meeting.group_id)
    if item.confidential and not access.sees_members_only:
        raise NotFound(f"No agenda item with id {item_id}.")
    return item, access
