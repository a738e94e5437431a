"""Mail tables: the outbox (every message written in the same transaction as the change that
causes it, then delivered by a sender) and each person's choice of how they are told."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime, created_column


class OutboxMessage(SQLModel, table=True):
    """One message to one address. `status`: pending (to send), held (for the person's weekly
    digest), sent, digested (went out inside a digest), failed (gave up after every retry). A
    sender claims a pending message by setting `claimed_by` and a lease (`claimed_until`); a
    sender that dies leaves the lease to run out, and another takes the message again."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_message_stakeholder_id_status", "stakeholder_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    stakeholder_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(default="", sa_type=Text)
    # An iCalendar attachment (a meeting invitation or cancellation) and its METHOD.
    ics: str | None = Field(default=None, sa_type=Text)
    ics_method: str | None = Field(default=None, max_length=10)
    # At most one message per key (e.g. "papers:<meeting>:<day>:<person>"): a second write is skipped.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_error: str = Field(default="", max_length=500)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_column())


class MailPreference(SQLModel, table=True):
    """How a person wants one kind of message: immediately, in a weekly digest, or never. No row:
    the kind's default."""

    __tablename__ = "mail_preference"
    __table_args__ = (UniqueConstraint("stakeholder_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id")
    kind: str = Field(max_length=40)
    frequency: str = Field(max_length=20)
