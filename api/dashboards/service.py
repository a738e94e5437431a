"""Dashboards: one person's view across their groups, and one group's view, each in a fixed
number of queries (no query per group, meeting or action)."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api import authz
from api.access import GroupAccess, member_groups, roles_by_group
from api.authz import Subject
from api.core.pagination import PageParams
from api.core.types import LONDON, today
from api.meetings import actions
from api.meetings.attendance import attendance_rates
from api.meetings.decisions import list_decisions
from api.meetings.minutes import MinutesState
from api.meetings.models import Action, Meeting, MinutesVersion
from api.meetings.summary import action_rows
from api.outcomes.service import contribution_summary
from api.registry.current import current_on
from api.registry.models import Group, Membership

UPCOMING = 5
LATEST_MINUTES = 5
OPEN_ACTIONS = 100
RECENT = 5


def _meeting(meeting: Meeting, group: Group) -> dict[str, Any]:
    return {"id": meeting.id, "group_id": group.id, "group_name": group.name, "group_slug": group.slug,
            "title": meeting.title, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
            "venue_kind": meeting.venue_kind, "venue": meeting.venue, "status": meeting.status}


def upcoming_meetings(session: Session, group_ids: set[int], limit: int = UPCOMING) -> list[dict[str, Any]]:
    if not group_ids:
        return []
    stmt = (select(Meeting, Group).join(Group, Group.id == Meeting.group_id)
            .where(Meeting.group_id.in_(group_ids), Meeting.starts_at >= datetime.now(LONDON),
                   Meeting.status != "cancelled")
            .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return [_meeting(m, g) for m, g in session.exec(stmt)]


def latest_minutes(session: Session, group_ids: set[int], members_of: set[int],
                   limit: int = LATEST_MINUTES) -> list[dict[str, Any]]:
    """The newest minutes the person may read, one per meeting: drafts only in groups whose
    members-only material they see, otherwise the latest approved version."""
    if not group_ids:
        return []
    newest = (select(MinutesVersion.meeting_id, func.max(MinutesVersion.version).label("version"))
              .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
              .where(Meeting.group_id.in_(group_ids),
                     or_(MinutesVersion.status != "draft", Meeting.group_id.in_(members_of or {-1})))
              .group_by(MinutesVersion.meeting_id).subquery())
    approving = aliased(Meeting)
    stmt = (select(MinutesVersion, Meeting, Group, approving)
            .join(newest, (newest.c.meeting_id == MinutesVersion.meeting_id)
                  & (newest.c.version == MinutesVersion.version))
            .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
            .join(Group, Group.id == Meeting.group_id)
            .outerjoin(approving, approving.id == MinutesVersion.approved_at_meeting_id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit))
    # `state` is what the meeting page says of its minutes (partials/minutes_status.html), so the
    # dashboard tells each reader the same: the version they may read is the newest they may read.
    return [{"meeting": _meeting(m, g), "version": v.version, "status": v.status, "approved_at": v.approved_at,
             "updated_at": v.updated_at,
             "state": MinutesState(latest=v, shown=v, approved_at=a, members_view=g.id in members_of)}
            for v, m, g, a in session.exec(stmt)]


def my_dashboard(session: Session, subject: Subject) -> dict[str, Any]:
    roles = roles_by_group(session, subject)
    members_of = member_groups(session, subject, roles)
    groups = session.exec(select(Group).where(Group.id.in_(roles or {-1})).order_by(Group.name)).all()
    owned: list = []
    if subject.stakeholder_id is not None:
        stmt = actions.log_query(session, subject, owner_id=subject.stakeholder_id, group_id=None, status="open",
                                 overdue=None, members_of=members_of)
        owned = action_rows(session, session.exec(
            stmt.order_by(Action.due_date.is_(None), Action.due_date, Action.id).limit(OPEN_ACTIONS)).all())
    names = dict(session.exec(select(Group.id, Group.name).where(
        Group.id.in_({a.group_id for a in owned} or {-1}))).all())
    return {
        "groups": [{"id": g.id, "slug": g.slug, "name": g.name, "kind": g.kind, "roles": sorted(roles[g.id])}
                   for g in groups],
        "upcoming_meetings": upcoming_meetings(session, set(roles)),
        "latest_minutes": latest_minutes(session, set(roles), members_of),
        "open_actions": [{**a.model_dump(), "group_name": names.get(a.group_id, ""), "may_update":
                          authz.may_update_action(subject, roles.get(a.group_id, frozenset()), a.owner_id)}
                         for a in owned],
        "overdue_actions": sum(a.overdue for a in owned),
        "contributions": contribution_summary(session, subject.stakeholder_id) if subject.stakeholder_id else None,
    }


def group_business(session: Session, *, access: GroupAccess, group: Group) -> dict[str, Any]:
    """What the group page shows of the group's business: recent decisions, open and overdue
    actions, attendance rate; as the caller may see it (confidential items for members only)."""
    visible = actions.log_query(session, access.subject, owner_id=None, group_id=group.id, status="open",
                                overdue=None, members_of=access.members_of)
    open_rows = session.exec(visible.order_by(Action.due_date.is_(None), Action.due_date, Action.number)
                             .limit(OPEN_ACTIONS)).all()
    open_actions = action_rows(session, open_rows)
    decisions, _ = list_decisions(session, subject=access.subject, page=PageParams(limit=RECENT, cursor=None),
                                  group_id=group.id, members_of=access.members_of)
    held = attendance_rates(session, group_id=group.id)
    recorded = sum(r["recorded"] for r in held)
    attended = sum(r["attended"] for r in held)
    return {
        "recent_decisions": [{"id": d.id, "meeting_id": d.meeting_id, "text": d.text, "decided_on": d.decided_on}
                             for d in decisions],
        "open_actions": [a.model_dump() for a in open_actions],
        "overdue_actions": sum(a.overdue for a in open_actions),
        "attendance_rate": round(attended / recorded, 3) if recorded else None,
    }


def group_dashboard(session: Session, *, access: GroupAccess, group: Group) -> dict[str, Any]:
    seats = session.exec(
        select(Membership.role, func.count()).where(Membership.group_id == group.id, current_on(today()))
        .group_by(Membership.role)).all()
    return {
        "group": {"id": group.id, "slug": group.slug, "name": group.name, "kind": group.kind, "remit": group.remit},
        "members_by_role": dict(seats),
        "members": sum(n for _, n in seats),
        "upcoming_meetings": upcoming_meetings(session, {group.id}),
        "latest_minutes": latest_minutes(session, {group.id}, access.members_of, limit=RECENT),
        **group_business(session, access=access, group=group),
    }
