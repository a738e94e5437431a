"""A group's standing agenda items: the template its meetings' agendas start from (welcome and
apologies, declarations of interest, minutes of the last meeting, action log, any other
business...). A group that has not set its own uses the partnership's standard agenda
(`AGENDA_TEMPLATE`), reported as the default; saving an empty list goes back to it.

Plain functions over a Session; they flush, never commit.
"""

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager
from api.audit import service as audit
from api.core.errors import InvalidInput
from api.meetings.agenda import add_agenda_item, ensure_open
from api.meetings.meetings import AGENDA_TEMPLATE
from api.meetings.models import AgendaItem, Meeting, StandingItem

MAX_STANDING_ITEMS = 30


def standing_items(session: Session, *, group_id: int) -> tuple[list[dict[str, str]], bool]:
    """The group's standing items in order ({title, purpose}), and whether they are the
    partnership's standard agenda (the group has set none of its own)."""
    rows = session.exec(select(StandingItem).where(StandingItem.group_id == group_id)
                        .order_by(StandingItem.position, StandingItem.id)).all()
    if rows:
        return [{"title": row.title, "purpose": row.purpose} for row in rows], False
    return [{"title": title, "purpose": purpose} for title, purpose in AGENDA_TEMPLATE], True


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def replace_standing_items(session: Session, *, access: GroupAccess, items: list[dict[str, Any]]
                           ) -> tuple[list[dict[str, str]], bool]:
    """Replace the group's standing items with `items` (in order; titles unique, at most
    MAX_STANDING_ITEMS). An empty list goes back to the standard agenda. Audited as one change."""
    ensure_manager(session, access, "change the standing agenda")
    errors, seen = [], set()
    for index, entry in enumerate(items):
        key = _key(entry["title"])
        if key in seen:
            errors.append({"loc": ["body", "items", index, "title"], "msg": "already a standing item with this title"})
        seen.add(key)
    if len(items) > MAX_STANDING_ITEMS:
        errors.append({"loc": ["body", "items"], "msg": f"at most {MAX_STANDING_ITEMS} standing items"})
    if errors:
        raise InvalidInput("The standing items are not valid; nothing was changed.", errors=errors)
    before, was_default = standing_items(session, group_id=access.group_id)
    session.exec(delete(StandingItem).where(StandingItem.group_id == access.group_id))
    for position, entry in enumerate(items, start=1):
        session.add(StandingItem(group_id=access.group_id, position=position, title=entry["title"],
                                 purpose=entry.get("purpose") or ""))
    session.flush()
    after, is_default = standing_items(session, group_id=access.group_id)
    if (before, was_default) != (after, is_default):
        audit.record(session, actor=access.subject, action="group.standing_items", entity_type="group",
                     entity_id=access.group_id, before={"standing_items": None if was_default else before},
                     after={"standing_items": None if is_default else after})
    return after, is_default


def missing_from(session: Session, *, group_id: int, items: list[AgendaItem]) -> list[dict[str, str]]:
    """The group's standing items whose title is not on the agenda `items` (the whole agenda)."""
    present = {_key(item.title) for item in items}
    return [entry for entry in standing_items(session, group_id=group_id)[0] if _key(entry["title"]) not in present]


def add_standing_items(session: Session, *, access: GroupAccess, meeting: Meeting) -> list[AgendaItem]:
    """Add the group's standing items that the agenda lacks (by title), at its end, in the
    standing order; returns those added (none when nothing was missing)."""
    ensure_manager(session, access, "change an agenda")
    ensure_open(session, meeting)
    agenda = list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)))
    return [add_agenda_item(session, access=access, meeting=meeting,
                            data={"title": entry["title"], "purpose": entry["purpose"]})
            for entry in missing_from(session, group_id=meeting.group_id, items=agenda)]
