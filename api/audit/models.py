"""The audit log: one row per write, who did it, and the values before and after."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime, utcnow

JSONVariant = JSON().with_variant(JSONB(), "postgresql")


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor_kind: str = Field(max_length=20)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_label: str = Field(max_length=200)
    action: str = Field(max_length=40, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONVariant))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONVariant))
    request_id: str | None = Field(default=None, max_length=64)
