"""What every part of a meeting's business starts from: the meeting, the caller's access to its
group, the meeting's day, and who has a seat in the group.

The sub-areas build on this module (meetings.py schedules, agenda.py, attendance.py,
decisions.py, minutes.py, actions.py, documents.py); it imports none of them. Plain functions
over a Session; they flush, never commit. Who may change a group's business is decided by
api/authz.py on the facts api/access.py looks up.
"""

from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from api.access import GroupAccess, access_to
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import InvalidInput
from api.core.types import LONDON, today
from api.meetings.models import Meeting
from api.registry.current import current_on, not_ended_on
from api.registry.models import Group, Membership

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


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    return get_or_404(session, Meeting, meeting_id, "meeting")


def get_group(session: Session, group_id: int) -> Group:
    return get_or_404(session, Group, group_id, "group")


def meeting_access(session: Session, subject: Subject, meeting_id: int) -> tuple[Meeting, GroupAccess]:
    meeting = get_meeting(session, meeting_id)
    return meeting, access_to(session, subject, meeting.group_id)
