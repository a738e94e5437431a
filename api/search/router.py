"""GET /api/v1/search: ranked full-text search over what the caller may see."""

from typing import Annotated, get_args

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from api.core.pagination import MAX_LIMIT, Page, set_next_link
from api.core.schemas import SINGLE_LINE
from api.deps import GroupBusinessReader, SessionDep
from api.search import service
from api.search.models import SearchKind as Kind

router = APIRouter(tags=["search"])


class SearchHit(BaseModel):
    kind: Kind
    id: int
    title: str
    snippet: str
    url: str
    group_id: int


@router.get("/search", response_model=Page[SearchHit])
def search(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
           q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find (all must match)"),
                        SINGLE_LINE],
           kind: Annotated[list[Kind] | None, Query(max_length=len(get_args(Kind)),
                                                    description="Only these kinds (repeatable)")] = None,
           limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
           cursor: Annotated[str | None, Query(max_length=512)] = None):
    """Minutes, decisions, actions and document titles, best match first. `snippet` is HTML:
    the text escaped, with the matched words in `<mark>`."""
    hits, next_cursor = service.search(session, subject=subject, q=q, limit=limit, cursor=cursor, kinds=kind)
    set_next_link(request, response, next_cursor)
    return Page(items=[SearchHit(**hit.__dict__) for hit in hits], next_cursor=next_cursor)
