"""Search across everything the signed-in person may see: a plain GET form that also searches as
you type (htmx swaps the results only). A query the service cannot search for answers 422 with
the message in place of the results, so results of an earlier query never stay on screen."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.core.errors import InvalidInput
from api.core.schemas import SINGLE_LINE
from api.deps import SessionDep
from api.search import service as search
from web.auth import GroupBusinessViewer
from web.templating import render

router = APIRouter()
LONGEST_QUERY = 200


@router.get("/search")
def search_page(request: Request, session: SessionDep, subject: GroupBusinessViewer,
                q: Annotated[str, Query(max_length=2000), SINGLE_LINE] = "",
                cursor: Annotated[str | None, Query(max_length=512)] = None):
    hits, next_cursor, error = [], None, None
    if len(q) > LONGEST_QUERY:
        error = f"Search for {LONGEST_QUERY} characters or fewer"
    elif q.strip():
        try:
            hits, next_cursor = search.search(session, subject=subject, q=q.strip(), limit=20, cursor=cursor)
        except InvalidInput as problem:
            error = problem.detail
    title = f"Search: {q[:LONGEST_QUERY]}" if q else "Search"
    return render(request, "pages/search.html", {
        "title": f"Error: {title}" if error else title, "nav": "search", "q": q, "hits": hits,
        "next_cursor": next_cursor, "error": error}, status=422 if error else 200)
