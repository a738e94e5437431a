from datetime import datetime
from typing import Any

from api.core.schemas import ReadModel


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
