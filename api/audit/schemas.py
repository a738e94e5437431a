from datetime import datetime
from typing import Any, Literal, get_args

from api.core.schemas import ReadModel

# What the log records changes to: the `entity_type` every audit event is written with (a new
# kind of record is added here, and the audit viewer offers it as a filter).
EntityType = Literal[
    "action", "action_update", "agenda_item", "attendance", "client", "contribution", "decision", "document",
    "group", "indicator", "indicator_value", "meeting", "membership", "minutes", "organisation", "pilot",
    "place_update", "route", "stakeholder", "user",
    # Guests in attendance and declarations of interest at meetings.
    "meeting_guest", "declaration",
    # Series of meetings (scheduling).
    "meeting_series",
    # Outbox messages an admin sent again (api/mail).
    "mail_message",
]
ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)


class AuditEventRead(ReadModel):
    id: int
    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
