"""The organisations directory (search across everything: web/routes/search.py)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import authz
from api.core.db import get_or_404
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Id
from api.deps import SessionDep
from api.registry import service as registry
from api.registry.models import Area, Organisation
from api.registry.schemas import SECTORS
from web.auth import RegistryViewer
from web.labels import SECTOR_LABELS
from web.templating import render

router = APIRouter()
PAGE_SIZE = 50
# "" is "all sectors"; anything else must be one of the known sectors (422 otherwise).
SECTOR_PATTERN = "^(" + "|".join(SECTORS) + ")?$"


@router.get("/organisations")
def organisations(request: Request, session: SessionDep, subject: RegistryViewer,
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
        "people_counts": registry.people_counts(session, [o.id for o in rows]), "next_cursor": next_cursor,
        "can_manage": authz.may_manage_registry(subject)})


@router.get("/organisations/{organisation_id}")
def organisation_page(request: Request, session: SessionDep, subject: RegistryViewer, organisation_id: Id,
                      done: Annotated[str | None, Query(max_length=20)] = None):
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    place = session.get(Area, organisation.place_code) if organisation.place_code else None
    return render(request, "pages/organisations/detail.html", {
        "title": organisation.name, "nav": "people", "organisation": organisation, "place": place,
        "sector_labels": SECTOR_LABELS, "people": registry.people_of(session, organisation.id),
        "seats": registry.organisation_seats(session, organisation.id),
        # After a change made in web/routes/organisations.py (a known key, never text from the URL).
        "notice": {"added": "Organisation added.", "changed": "Details saved."}.get(done or ""),
        "can_manage": authz.may_manage_registry(subject)})
