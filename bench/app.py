"""The service as deployed, plus two endpoints that exist only for the benchmarks:

- `/bench/constant`: a constant JSON body, the baseline every ratio is measured against;
- `/bench/places-open`: the same service call as `GET /api/v1/places`, without authentication,
  so the cost of token verification and permission checks shows as a ratio.

Served by uvicorn as `bench.app:app`, configured from ATA_* variables like the real service.
"""

from fastapi import Request

from api.core.db import session_scope
from api.main import create_app
from api.registry import service
from api.registry.schemas import AreaRead

app = create_app()
CONSTANT = {"items": [{"gss_code": f"E0800{n:04d}", "name": f"Place {n}", "kind": "place"} for n in range(9)],
            "next_cursor": None}


@app.get("/bench/constant", include_in_schema=False)
def constant():
    return CONSTANT


@app.get("/bench/places-open", include_in_schema=False)
def places_open(request: Request):
    for session in session_scope(request.app.state.engine):
        items = [AreaRead.model_validate(a).model_dump() for a in service.list_areas(session, kind="place")]
    return {"items": items, "next_cursor": None}
