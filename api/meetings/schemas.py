"""Public shapes of meetings, agenda items, attendance, minutes, decisions and actions."""

import datetime as dt
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import AwareDatetime, Field, StringConstraints

from api.core.schemas import MULTI_LINE, SINGLE_LINE, Id, PatchModel, ReadModel, RequestModel, UkTime
from api.meetings.models import Action, AgendaItem, Decision, Document, Meeting

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
Amendments = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000), MULTI_LINE]  # record edits
# A meeting's video-call link: http(s) only (never javascript: or data:), no spaces; blank for none.
OnlineLink = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                              pattern=r"^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\s]+)?$"), SINGLE_LINE]


class MeetingCreate(RequestModel):
    title: Short200 = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue_kind: VenueKind = "in_person"
    venue: Short = ""
    online_link: OnlineLink = ""
    status: MeetingStatus = "scheduled"
    cancel_reason: Short = Field(default="", description="Required (not blank) when the status is cancelled")
    use_template: bool = Field(default=False, description=(
        "Start the agenda from the group's standing items (the standard agenda if it has none)"))


class MeetingUpdate(PatchModel):
    table: ClassVar = Meeting
    title: Short200 | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    venue_kind: VenueKind | None = None
    venue: Short | None = None
    online_link: OnlineLink | None = None
    status: MeetingStatus | None = None
    cancel_reason: Short | None = Field(default=None, description="Required (not blank) when cancelling")


class MeetingRead(ReadModel):
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_kind: VenueKind
    venue: str
    online_link: str
    status: MeetingStatus
    cancel_reason: str
    series_id: int | None
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


# Declarations of interest and guests in attendance (the attendance and declarations area) -----

# NHS England's categories of interest ("Managing conflicts of interest in the NHS").
DeclarationKind = Literal["financial", "non_financial_professional", "non_financial_personal", "indirect"]
DECLARATION_KINDS: tuple[DeclarationKind, ...] = get_args(DeclarationKind)
GuestName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE]
Interest = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE]


class GuestCreate(RequestModel):
    name: GuestName
    organisation: Short200 = ""


class GuestRead(ReadModel):
    id: int
    meeting_id: int
    name: str
    organisation: str


class DeclarationCreate(RequestModel):
    stakeholder_id: Id = Field(description="A member of the group, or someone recorded at the meeting")
    agenda_item_id: Id | None = Field(default=None, description="The item concerned (none: the meeting as a whole)")
    kind: DeclarationKind
    interest: Interest
    action_taken: Short = Field(default="", description='What was agreed, e.g. "Left the meeting for this item"')


class DeclarationRead(ReadModel):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    agenda_item_ref: str | None
    agenda_item_title: str | None
    stakeholder_id: int
    stakeholder_name: str
    kind: DeclarationKind
    interest: str
    action_taken: str
    created_at: datetime


class RegisterEntry(DeclarationRead):
    """One line of a person's register of interests: a declaration with its meeting."""

    group_id: int
    group_name: str
    meeting_title: str
    meeting_starts_at: datetime


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
    guests: list[GuestRead] = Field(default=[], description="In attendance, not in the directory")


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
    amendments: Amendments = Field(default="", description=(
        "Approved subject to these amendments (empty: approved as a correct record as they stand)"))
    version: int | None = Field(default=None, ge=1, le=10_000, description=(
        "The version the approver read; if the minutes have moved on since, 409"))


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
    amendments: str = ""
    items: list[MinuteRead]


class MinutesVersionRead(ReadModel):
    version: int
    status: MinutesStatus
    approved_at_meeting_id: int | None
    approved_at: datetime | None
    written_by: str
    amendments: str = ""
    created_at: datetime


class DecisionCreate(RequestModel):
    agenda_item_id: Id | None = None
    text: LongText
    decided_on: date | None = None


# Record edits (changing and removing decisions; approval with amendments) ----------------------


class DecisionUpdate(PatchModel):
    table: ClassVar = Decision
    text: LongText | None = None
    agenda_item_id: Id | None = None
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
    page_count: int | None = Field(default=None, description="Pages, for a PDF (None for other files)")
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
    declarations: list[DeclarationRead] = []
    guests: list[GuestRead] = []


# Series and the forward plan (the scheduling area) ---------------------------------------------

SeriesPattern = Literal["weekly", "monthly"]
SERIES_PATTERNS: tuple[SeriesPattern, ...] = get_args(SeriesPattern)
# Which weekday of the month a monthly series falls on: the first to the fourth, or the last (-1).
SeriesNth = Literal[1, 2, 3, 4, -1]


class SeriesCreate(RequestModel):
    pattern: SeriesPattern
    interval: int = Field(default=1, ge=1, le=12, description="Every this many weeks (weekly) or months (monthly)")
    weekday: int = Field(ge=0, le=6, description="0 Monday to 6 Sunday")
    nth: SeriesNth | None = Field(default=None, description="Monthly only: the 1st to 4th weekday, or -1 the last")
    first_date: date = Field(description="No meeting before this day")
    until: date = Field(description="No meeting after this day; at most two years after first_date")
    start_time: UkTime = Field(description="HH:MM, UK time (Europe/London)")
    end_time: UkTime = Field(description="HH:MM, UK time, after start_time")
    title: Short200 = ""
    venue_kind: VenueKind = "in_person"
    venue: Short = ""
    online_link: OnlineLink = ""
    use_template: bool = Field(default=False, description="Start each agenda from the group's standing items")


class SeriesRead(ReadModel):
    id: int
    group_id: int
    pattern: SeriesPattern
    interval: int
    weekday: int
    nth: int | None
    first_date: date
    until: date
    start_time: UkTime
    end_time: UkTime
    title: str
    venue_kind: VenueKind
    venue: str
    online_link: str
    description: str = Field(description='In words, e.g. "Every 4 weeks on Tuesday"')
    created_at: datetime


class SeriesCreated(ReadModel):
    series: SeriesRead
    meetings: list[MeetingRead]
    skipped: list[date] = Field(description="Dates left out because the group already has a meeting then")


class PlannedItem(ReadModel):
    id: int
    ref: str
    title: str
    purpose: str
    lead_id: int | None
    lead_name: str | None
    confidential: bool


class PlannedMeeting(MeetingRead):
    items: list[PlannedItem] = Field(description="The agenda planned so far, in order")


# Papers and pack (issue 13: replacing, moving and removing papers; the meeting pack) ----------

class DocumentUpdate(PatchModel):
    """A paper's title, or the agenda item it belongs to (null: the meeting as a whole)."""

    table: ClassVar = Document
    title: Title | None = None
    agenda_item_id: Id | None = None


# Standing items and agenda order (the agenda: a group's template, reordering) ---------------------

class StandingItemEntry(RequestModel):
    title: Title
    purpose: Short200 = ""


class StandingItemsPut(RequestModel):
    items: Annotated[list[StandingItemEntry], Field(max_length=30, description=(
        "The group's standing items in order (titles unique); an empty list goes back to the standard agenda"))]


class StandingItemRead(ReadModel):
    position: int
    title: str
    purpose: str


class StandingItemsRead(ReadModel):
    default: bool = Field(description="True when the group has set none: these are the partnership's standard agenda")
    items: list[StandingItemRead]


class AgendaOrder(RequestModel):
    item_ids: Annotated[list[Id], Field(max_length=500, description=(
        "Every agenda item of the meeting, each once, in the new order"))]
