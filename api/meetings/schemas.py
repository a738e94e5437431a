"""Public shapes of meetings, agenda items, attendance, minutes, decisions and actions."""

import datetime as dt
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import AwareDatetime, Field, StringConstraints

from api.core.schemas import MULTI_LINE, SINGLE_LINE, Id, PatchModel, ReadModel, RequestModel
from api.meetings.models import Action, AgendaItem, Meeting

MeetingStatus = Literal["scheduled", "held", "cancelled"]
VenueKind = Literal["in_person", "online", "hybrid"]
AttendanceStatus = Literal["present", "in_attendance", "apologies", "absent"]
ActionStatus = Literal["open", "closed"]
# The action log's orders: group and number, due date (undated last), newest first.
ActionSort = Literal["group", "due", "newest"]
MinutesStatus = Literal["draft", "approved", "locked"]
# Read off the types, so a new value is added in one place.
MEETING_STATUSES: tuple[MeetingStatus, ...] = get_args(MeetingStatus)
VENUE_KINDS: tuple[VenueKind, ...] = get_args(VenueKind)
ATTENDANCE_STATUSES: tuple[AttendanceStatus, ...] = get_args(AttendanceStatus)
MINUTES_STATUSES: tuple[MinutesStatus, ...] = get_args(MinutesStatus)
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SINGLE_LINE]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SINGLE_LINE]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SINGLE_LINE]
Short200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000), MULTI_LINE]
MinuteMarkdown = Annotated[str, StringConstraints(max_length=100_000), MULTI_LINE]


class MeetingCreate(RequestModel):
    title: Short200 = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue_kind: VenueKind = "in_person"
    venue: Short = ""
    status: MeetingStatus = "scheduled"
    use_template: bool = Field(default=False, description="Start the agenda from the standard template")


class MeetingUpdate(PatchModel):
    table: ClassVar = Meeting
    title: Short200 | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    venue_kind: VenueKind | None = None
    venue: Short | None = None
    status: MeetingStatus | None = None


class MeetingRead(ReadModel):
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_kind: VenueKind
    venue: str
    status: MeetingStatus
    sequence: int
    created_at: datetime
    updated_at: datetime


class AgendaItemCreate(RequestModel):
    title: Title
    ref: Ref | None = Field(default=None, description="Generated as CODE/MM/YY/NN when not given")
    position: Annotated[int, Field(ge=1, le=999)] | None = None
    lead_id: Id | None = None
    purpose: Short200 = ""
    starts_at: AwareDatetime | None = None
    pack_page: Annotated[int, Field(ge=1, le=100_000)] | None = None
    confidential: bool = False


class AgendaItemUpdate(PatchModel):
    table: ClassVar = AgendaItem
    title: Title | None = None
    ref: Ref | None = None
    position: Annotated[int, Field(ge=1, le=999)] | None = None
    lead_id: Id | None = None
    purpose: Short200 | None = None
    starts_at: AwareDatetime | None = None
    pack_page: Annotated[int, Field(ge=1, le=100_000)] | None = None
    confidential: bool | None = None


class AgendaItemRead(ReadModel):
    id: int
    meeting_id: int
    position: int
    ref: str
    title: str
    lead_id: int | None
    purpose: str
    starts_at: datetime | None
    pack_page: int | None
    confidential: bool


class AttendanceEntry(RequestModel):
    stakeholder_id: Id
    status: AttendanceStatus
    note: Short = ""


class AttendanceList(RequestModel):
    items: Annotated[list[AttendanceEntry], Field(max_length=500)]


class AttendanceRead(ReadModel):
    stakeholder_id: int
    stakeholder_name: str
    status: AttendanceStatus
    note: str


class AttendanceListRead(ReadModel):
    items: list[AttendanceRead]


class MinuteEntry(RequestModel):
    agenda_item_id: Id
    text: MinuteMarkdown


class MinutesPut(RequestModel):
    status: Literal["draft"] = "draft"
    version: int | None = Field(default=None, ge=0, le=10_000, description=(
        "The version last read (0: none yet). If the minutes have moved on since, 409 naming the "
        "current version; `If-Match` with the ETag also catches a change within the same draft."))
    items: Annotated[list[MinuteEntry], Field(max_length=200)]


class MinutesApprove(RequestModel):
    approved_at_meeting_id: Id


class MinuteRead(ReadModel):
    agenda_item_id: int
    text: str
    html: str


class MinutesRead(ReadModel):
    meeting_id: int
    status: MinutesStatus
    version: int
    approved_at_meeting_id: int | None
    approved_at: datetime | None
    written_by: str
    items: list[MinuteRead]


class MinutesVersionRead(ReadModel):
    version: int
    status: MinutesStatus
    approved_at_meeting_id: int | None
    approved_at: datetime | None
    written_by: str
    created_at: datetime


class DecisionCreate(RequestModel):
    agenda_item_id: Id | None = None
    text: LongText
    decided_on: date | None = None


class DecisionRead(ReadModel):
    id: int
    group_id: int
    meeting_id: int
    agenda_item_id: int | None
    text: str
    decided_on: date


class ActionCreate(RequestModel):
    group_id: Id
    number: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    meeting_id: Id | None = None
    agenda_item_id: Id | None = None
    text: LongText
    owner_id: Id | None = None
    due_date: date | None = None
    status: ActionStatus = "open"


class ActionChange(PatchModel):
    table: ClassVar = Action
    text: LongText | None = None
    owner_id: Id | None = None
    due_date: date | None = None
    status: ActionStatus | None = None


class ActionNoteCreate(RequestModel):
    text: LongText
    date: dt.date | None = None
    close: bool = Field(default=False, description="Close the action with this update")


class ActionNoteRead(ReadModel):
    date: dt.date
    text: str
    author_id: int | None


class ActionRead(ReadModel):
    id: int
    group_id: int
    number: int
    meeting_id: int | None
    agenda_item_id: int | None
    text: str
    owner_id: int | None
    owner_name: str | None
    due_date: date | None
    status: ActionStatus
    closed_on: date | None
    overdue: bool
    updates: list[ActionNoteRead]


class CalendarLinks(ReadModel):
    personal: str = Field(description="My meetings feed, for calendar apps (keep it secret)")
    token: str = Field(description="Add as ?token= to a group's meetings.ics feed")


class DocumentRead(ReadModel):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str
    confidential: bool
    created_at: datetime


class AttendanceRate(ReadModel):
    id: int = Field(description="The stakeholder (group view) or the group (person view)")
    name: str
    recorded: int = Field(description="Meetings (not cancelled) with an attendance record for them")
    attended: int = Field(description="Of those, present or in attendance")
    rate: float | None


class SummaryItem(ReadModel):
    ref: str
    title: str
    lead_name: str | None
    minute_html: str | None


class ChairSummary(ReadModel):
    meeting: MeetingRead
    group_name: str
    attendance: dict[str, int]
    items: list[SummaryItem]
    decisions: list[DecisionRead]
    actions: list[ActionRead]
    carried_forward: list[ActionRead]
