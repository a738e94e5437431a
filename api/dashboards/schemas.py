"""Public shapes of the personal and group dashboards."""

from datetime import date, datetime

from api.core.schemas import ReadModel
from api.meetings.schemas import ActionRead, MeetingStatus, VenueKind
from api.outcomes.schemas import ContributionSummary


class DashboardMeeting(ReadModel):
    id: int
    group_id: int
    group_name: str
    group_slug: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_kind: VenueKind
    venue: str
    status: MeetingStatus


class MinutesHeadline(ReadModel):
    meeting: DashboardMeeting
    version: int
    status: str
    approved_at: datetime | None
    updated_at: datetime | None


class MyGroup(ReadModel):
    id: int
    slug: str
    name: str
    kind: str
    roles: list[str]


class MyAction(ActionRead):
    group_name: str


class MyDashboard(ReadModel):
    groups: list[MyGroup]
    upcoming_meetings: list[DashboardMeeting]
    latest_minutes: list[MinutesHeadline]
    open_actions: list[MyAction]
    overdue_actions: int
    contributions: ContributionSummary | None
    calendar_url: str | None


class GroupHeadline(ReadModel):
    id: int
    slug: str
    name: str
    kind: str
    remit: str


class DecisionHeadline(ReadModel):
    id: int
    meeting_id: int
    text: str
    decided_on: date


class GroupDashboard(ReadModel):
    group: GroupHeadline
    members: int
    members_by_role: dict[str, int]
    upcoming_meetings: list[DashboardMeeting]
    latest_minutes: list[MinutesHeadline]
    recent_decisions: list[DecisionHeadline]
    open_actions: list[ActionRead]
    overdue_actions: int
    attendance_rate: float | None
