from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.audit import service
from api.audit.schemas import AuditEventRead
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import SINGLE_LINE
from api.deps import AuditReader, SessionDep

router = APIRouter(tags=["audit"])

Short = Annotated[str | None, Query(max_length=64), SINGLE_LINE]


@router.get("/audit-events", response_model=Page[AuditEventRead])
def list_audit_events(request: Request, response: Response, session: SessionDep, _: AuditReader,
                      page: PageDep, entity_type: Short = None, entity_id: Short = None,
                      action: Short = None, actor_id: Short = None, since: datetime | None = None):
    """The audit log, newest first (admins only)."""
    rows, cursor = service.list_events(session, page=page, entity_type=entity_type, entity_id=entity_id,
                                       action=action, actor_id=actor_id, since=since)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)
