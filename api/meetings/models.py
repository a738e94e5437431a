"""Meeting tables: series, meetings, standing items, agenda items, attendance and guests,
declarations of interest, minutes (versioned), decisions, actions, documents."""

from datetime import date, datetime, time

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime, created_column, updated_column, version_column


class MeetingSeries(SQLModel, table=True):
    """A repeating pattern ("every 4 weeks on Tuesday", "monthly on the third Tuesday") that made
    some scheduled meetings; each meeting is then its own row, moved or cancelled alone."""

    __tablename__ = "meeting_series"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="governance_group.id", index=True)
    # "weekly": every `interval` weeks on `weekday`; "monthly": the `nth` `weekday` of every
    # `interval` months (nth -1: the last).
    pattern: str = Field(max_length=20)
    interval: int = Field(default=1)
    weekday: int
    nth: int | None = Field(default=None)
    first_date: date
    until: date
    start_time: time
    end_time: time
    title: str = Field(default="", max_length=200)
    venue_kind: str = Field(default="in_person", max_length=20)
    venue: str = Field(default="", max_length=300)
    online_link: str = Field(default="", max_length=500)
    created_by: str = Field(default="", max_length=254)
    created_at: datetime | None = Field(default=None, sa_column=created_column())


_meeting_version = version_column()


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __mapper_args__ = {"version_id_col": _meeting_version}
    __table_args__ = (Index("ix_meeting_group_id_starts_at", "group_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="governance_group.id")
    title: str = Field(default="", max_length=200)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    venue_kind: str = Field(default="in_person", max_length=20)
    venue: str = Field(default="", max_length=300)
    online_link: str = Field(default="", max_length=500)
    status: str = Field(default="scheduled", max_length=20)
    cancel_reason: str = Field(default="", max_length=300)
    series_id: int | None = Field(default=None, foreign_key="meeting_series.id", index=True)
    # iCalendar SEQUENCE: bumped whenever what a calendar shows changes.
    sequence: int = Field(default=0)
    version: int = Field(default=1, sa_column=_meeting_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class StandingItem(SQLModel, table=True):
    """One item of a group's standing agenda, the template its meetings' agendas start from
    (a group with none uses the partnership's standard agenda)."""

    __tablename__ = "standing_item"
    __table_args__ = (Index("ix_standing_item_group_id_position", "group_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="governance_group.id")
    position: int
    title: str = Field(max_length=300)
    purpose: str = Field(default="", max_length=200)


_item_version = version_column()


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    __mapper_args__ = {"version_id_col": _item_version}
    __table_args__ = (
        UniqueConstraint("meeting_id", "ref"),
        Index("ix_agenda_item_meeting_id_position", "meeting_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    position: int
    ref: str = Field(max_length=40)
    title: str = Field(max_length=300)
    lead_id: int | None = Field(default=None, foreign_key="stakeholder.id", index=True)
    purpose: str = Field(default="", max_length=200)
    starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    pack_page: int | None = Field(default=None)
    confidential: bool = Field(default=False)
    version: int = Field(default=1, sa_column=_item_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "stakeholder_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    status: str = Field(max_length=20)
    note: str = Field(default="", max_length=300)


class MeetingGuest(SQLModel, table=True):
    """Someone "in attendance" who is not in the directory: recorded by name and organisation."""

    __tablename__ = "meeting_guest"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=200)
    created_at: datetime | None = Field(default=None, sa_column=created_column())


class Declaration(SQLModel, table=True):
    """A declaration of interest made at a meeting, on the meeting as a whole or on one item."""

    __tablename__ = "declaration"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    # NHS England's categories of interest: financial, non-financial professional,
    # non-financial personal, indirect.
    kind: str = Field(max_length=30)
    interest: str = Field(sa_type=Text)
    # What was agreed about it, e.g. "Left the meeting for this item".
    action_taken: str = Field(default="", max_length=300)
    created_at: datetime | None = Field(default=None, sa_column=created_column())


class MinutesVersion(SQLModel, table=True):
    """One version of a meeting's minutes; approved versions are frozen, and a later change is
    a new version (an amendment)."""

    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    version: int
    status: str = Field(default="draft", max_length=20)
    approved_at_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    written_by: str = Field(default="", max_length=254)
    # "Approved as a correct record subject to these amendments" (empty: approved as they stand).
    amendments: str = Field(default="", sa_type=Text)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class MinuteText(SQLModel, table=True):
    """The minute of one agenda item in one version (Markdown, sanitised when rendered)."""

    __tablename__ = "minute_text"
    __table_args__ = (UniqueConstraint("minutes_version_id", "agenda_item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    minutes_version_id: int = Field(foreign_key="minutes_version.id")
    agenda_item_id: int = Field(foreign_key="agenda_item.id", index=True)
    text: str = Field(default="", sa_type=Text)


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_group_id_decided_on", "group_id", "decided_on"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="governance_group.id")
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    text: str = Field(sa_type=Text)
    decided_on: date
    created_at: datetime | None = Field(default=None, sa_column=created_column())


_action_version = version_column()


class Action(SQLModel, table=True):
    __tablename__ = "action"
    __mapper_args__ = {"version_id_col": _action_version}
    __table_args__ = (
        # Numbers are per group, sequential and never reused.
        UniqueConstraint("group_id", "number"),
        Index("ix_action_owner_id_status", "owner_id", "status"),
        Index("ix_action_status_due_date", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="governance_group.id")
    number: int
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    text: str = Field(sa_type=Text)
    owner_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    due_date: date | None = Field(default=None)
    status: str = Field(default="open", max_length=20)
    closed_on: date | None = Field(default=None)
    version: int = Field(default=1, sa_column=_action_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class ActionUpdate(SQLModel, table=True):
    __tablename__ = "action_update"
    __table_args__ = (Index("ix_action_update_action_id_noted_on", "action_id", "noted_on"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id")
    noted_on: date
    text: str = Field(sa_type=Text)
    author_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    created_at: datetime | None = Field(default=None, sa_column=created_column())


class Document(SQLModel, table=True):
    """A meeting pack, report or other file; the bytes live under ATA_STORAGE_DIR by hash."""

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    title: str = Field(max_length=300)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size: int
    sha256: str = Field(max_length=64, index=True)
    # Pages in a PDF paper (None for other files), read once at upload: the meeting pack's page
    # numbers are worked out from these without opening every paper again.
    page_count: int | None = Field(default=None)
    confidential: bool = Field(default=False)
    uploaded_by: str = Field(default="", max_length=254)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
