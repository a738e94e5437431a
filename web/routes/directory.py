"""The people and organisations directories and search across everything the signed-in person may see."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.core.db import get_or_404
from api.core.errors import InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Id
from api.deps import SessionDep
from api.registry import service as registry
from api.registry.models import Area, Organisation
from api.registry.schemas import SECTORS
from api.search import service as search
from web.auth import GroupBusinessViewer, RegistryViewer
from web.labels import SECTOR_LABELS
from web.templating import render

router = APIRouter()
PAGE_SIZE = 50
# "" is "all sectors"; anything else must be one of the known sectors (422 otherwise).
SECTOR_PATTERN = "^(" + "|".join(SECTORS) + ")?$"


@router.get("/people")
def people(request: Request, session: SessionDep, _: RegistryViewer,
           q: Annotated[str, Query(max_length=100), SINGLE_LINE] = "",
           cursor: Annotated[str | None, Query(max_length=512)] = None):
    rows, next_cursor = registry.list_stakeholders(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor),
                                                   q=q.strip() or None)
    organisations = registry.organisation_names(session, [p.organisation_id for p in rows])
    places = registry.place_names(session)
    return render(request, "pages/people.html", {
        "title": "People", "nav": "people", "people": rows, "organisations": organisations, "places": places,
        "q": q, "next_cursor": next_cursor})


@router.get("/organisations")
def organisations(request: Request, session: SessionDep, _: RegistryViewer,
                  q: Annotated[str, Query(max_length=100), SINGLE_LINE] = "",
                  sector: Annotated[str, Query(max_length=30, pattern=SECTOR_PATTERN)] = "",
                  cursor: Annotated[str | None, Query(max_length=512)] = None):
    """A plain form that also searches as you type (htmx swaps the results only)."""
    rows, next_cursor = registry.list_organisations(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor),
                                                    q=q.strip() or None, sector=sector or None)
    places = registry.place_names(session)
    return render(request, "pages/organisations/index.html", {
        "title": "Organisations", "nav": "people", "organisations": rows, "places": places, "q": q,
        "sector": sector, "sector_labels": SECTOR_LABELS,
        "sector_options": [(value, SECTOR_LABELS.get(value, value)) for value in registry.sectors_in_use(session)],
        "people_counts": registry.people_counts(session, [o.id for o in rows]), "next_cursor": next_cursor})


@router.get("/organisations/{organisation_id}")
def organisation_page(request: Request, session: SessionDep, _: RegistryViewer, organisation_id: Id):
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    place = session.get(Area, organisation.place_code) if organisation.place_code else None
    return render(request, "pages/organisations/detail.html", {
        "title": organisation.name, "nav": "people", "organisation": organisation, "place": place,
        "sector_labels": SECTOR_LABELS, "people": registry.people_of(session, organisation.id),
        "seats": registry.organisation_seats(session, organisation.id)})


@router.get("/search")
def search_page(request: Request, session: SessionDep, subject: GroupBusinessViewer,
                q: Annotated[str, Query(max_length=200), SINGLE_LINE] = "",
                cursor: Annotated[str | None, Query(max_length=512)] = None):
    """A plain form that also searches as you type (htmx swaps the results only)."""
    hits, next_cursor, error = [], None, None
    if q.strip():
        try:
            hits, next_cursor = search.search(session, subject=subject, q=q.strip(), limit=20, cursor=cursor)
        except InvalidInput as problem:
            error = problem.detail
    return render(request, "pages/search.html", {
        "title": f"Search: {q}" if q else "Search", "nav": "search", "q": q, "hits": hits,
        "next_cursor": next_cursor, "error": error}, status=422 if error else 200)
