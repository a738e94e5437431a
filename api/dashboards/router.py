"""HTTP for the dashboards: mine, and a group's."""

from fastapi import APIRouter, Request

from api.access import access_to
from api.auth.models import UserAccount
from api.core.schemas import Id
from api.dashboards import service
from api.dashboards.schemas import GroupDashboard, MyDashboard
from api.deps import GroupBusinessReader, Person, SessionDep, SettingsDep
from api.meetings import calendar
from api.meetings.service import get_group

router = APIRouter(tags=["dashboards"])


@router.get("/dashboards/me", response_model=MyDashboard)
def my_dashboard(request: Request, session: SessionDep, settings: SettingsDep, subject: Person):
    """My groups and roles, my groups' next meetings, their latest minutes I may read, the open
    actions I own (overdue ones flagged), my contributions summary and my calendar feed link."""
    user = session.get(UserAccount, int(subject.id))
    token = calendar.feed_token(settings, user)
    return {**service.my_dashboard(session, subject),
            "calendar_url": str(request.url_for("my_calendar").include_query_params(token=token))}


@router.get("/dashboards/groups/{group_id}", response_model=GroupDashboard)
def group_dashboard(group_id: Id, session: SessionDep,
                    subject: GroupBusinessReader):
    """A group at a glance: members by role, next meetings, latest minutes, recent decisions,
    open and overdue actions, attendance rate."""
    group = get_group(session, group_id)
    return service.group_dashboard(session, access=access_to(session, subject, group.id), group=group)
