"""A group's forward plan: its meetings still to come, soonest first, each with the agenda items
planned for it so far. Cancelled meetings stay in the plan, marked, so nobody turns up.

Three queries whatever the number of meetings and items: the meetings (a cursor page), their
items, the items' leads. Confidential items only for the group's members (the agenda's rule).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, select

from api.access import GroupAccess
from api.core.pagination import PageParams, paginate
from api.meetings.models import AgendaItem, Meeting
from api.registry.models import Stakeholder

# What a page shows at once (the API pages with its own limit).
PAGE_SIZE = 12


@dataclass
class PlannedMeeting:
    meeting: Meeting
    items: list[tuple[AgendaItem, str | None]] = field(default_factory=list)  # (item, lead's name)


def forward_plan(session: Session, *, access: GroupAccess, group_id: int,
                 page: PageParams | None = None) -> tuple[list[PlannedMeeting], str | None]:
    """Meetings not yet over (so one under way still shows), soonest first, with their items."""
    page = page or PageParams(limit=PAGE_SIZE, cursor=None)
    stmt = select(Meeting).where(Meeting.group_id == group_id, Meeting.ends_at > datetime.now(UTC))
    rows, cursor = paginate(session, stmt, order=[Meeting.starts_at, Meeting.id], page=page)
    plan = {meeting.id: PlannedMeeting(meeting) for meeting in rows}
    if not plan:
        return [], cursor
    items_stmt = select(AgendaItem).where(AgendaItem.meeting_id.in_(plan))
    if not access.sees_members_only:
        items_stmt = items_stmt.where(AgendaItem.confidential.is_(False))
    items = list(session.exec(items_stmt.order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)))
    lead_ids = {item.lead_id for item in items if item.lead_id is not None}
    leads = dict(session.exec(select(Stakeholder.id, Stakeholder.name).where(
        Stakeholder.id.in_(lead_ids))).all()) if lead_ids else {}
    for item in items:
        plan[item.meeting_id].items.append((item, leads.get(item.lead_id)))
    return list(plan.values()), cursor


def as_read(planned: PlannedMeeting) -> dict:
    """The API's shape (schemas.PlannedMeeting) of one planned meeting."""
    return {**planned.meeting.model_dump(), "items": [
        {**item.model_dump(), "lead_name": lead} for item, lead in planned.items]}
