"""GET /api/v1/search: ranked full-text search over what the caller may see."""

from typing import Annotated, get_args

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

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
    group_id: int | None = Field(description="The group whose record it is; null for a person, an organisation, "
                                             "a pilot or a Place update (records of no group)")


@router.get("/search", response_model=Page[SearchHit])
def search(request: Request, response: Response, session: SessionDep, subject: GroupBusinessReader,
           q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find (all must match)"),
                        SINGLE_LINE],
           kind: Annotated[list[Kind] | None, Query(max_length=len(get_args(Kind)),
                                                    description="Only these kinds (repeatable)")] = None,
           limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
           cursor: Annotated[str | None, Query(max_length=512)] = None):
    """Minutes, decisions, actions, document titles, people, organisations, pilots and Place
    updates, best match first. `kind` is one of `minutes` (one agenda item's minute), `decision`,
    `action` (its text and updates), `document` (a paper's title and file name), `person` (name,
    job title and organisation), `organisation` (name, sector and Place), `pilot` (name, summary
    and pathway) and `place_update` (the Place, period and narrative). `snippet` is HTML: the plain text (Markdown
    removed) escaped, with the matched words in `<mark>`. A query with no words answers 422."""
    hits, next_cursor = service.search(session, subject=subject, q=q, limit=limit, cursor=cursor, kinds=kind)
    set_next_link(request, response, next_cursor)
    return Page(items=[SearchHit(**hit.__dict__) for hit in hits], next_cursor=next_cursor)
